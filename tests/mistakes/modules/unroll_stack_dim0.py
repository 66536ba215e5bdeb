"""Mistake: torch.stack(outputs) along dim 0: (T, B, H) instead of batch-first (B, T, H)

TASK: lstm_cell_unroll
PITFALL: ``torch.stack(outputs)`` stacks along dim 0, giving (T, B, H): stack along dim 1.
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
        h, c = cell(x[:, t], (h, c))
        outputs.append(h)
    return torch.stack(outputs), (h, c)
