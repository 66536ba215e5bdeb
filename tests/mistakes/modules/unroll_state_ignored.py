"""Mistake: lstm_cell_unroll always starts from zeros, whatever state is given

TASK: lstm_cell_unroll
KEEPS: test_lstm_cell_unroll_from_zeros
"""


def lstm_cell_unroll(cell, x, state=None):
    batch, steps, _ = x.shape
    h = x.new_zeros(batch, cell.hidden_size)
    c = x.new_zeros(batch, cell.hidden_size)
    outputs = []
    for t in range(steps):
        h, c = cell(x[:, t], (h, c))
        outputs.append(h)
    return torch.stack(outputs, dim=1), (h, c)
