"""Mistake: the cell called step by step without carrying (h, c): every step starts again from the initial state

TASK: lstm_cell_unroll
PITFALL: ``cell(x[:, t])`` without the state starts every step from zeros ... Carry *both* h and c.
"""


def lstm_cell_unroll(cell, x, state=None):
    batch, steps, _ = x.shape
    if state is None:
        state = (x.new_zeros(batch, cell.hidden_size), x.new_zeros(batch, cell.hidden_size))
    outputs = []
    for t in range(steps):
        h, c = cell(x[:, t], state)
        outputs.append(h)
    return torch.stack(outputs, dim=1), (h, c)
