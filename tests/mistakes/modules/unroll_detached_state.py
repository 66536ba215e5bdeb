"""Mistake: the state detached between steps: right values, but gradients stop at each step

TASK: lstm_cell_unroll
PITFALL: Don't ``detach`` the state between steps: gradients must reach the early steps.
KEEPS: test_lstm_cell_unroll_from_a_given_state, test_lstm_cell_unroll_from_zeros
"""


def lstm_cell_unroll(cell, x, state=None):
    batch, steps, _ = x.shape
    if state is None:
        h = x.new_zeros(batch, cell.hidden_size)
        c = x.new_zeros(batch, cell.hidden_size)
    else:
        h, c = state
    outputs = []
    for t in range(steps):
        h, c = cell(x[:, t], (h.detach(), c.detach()))
        outputs.append(h)
    return torch.stack(outputs, dim=1), (h, c)
