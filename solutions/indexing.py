"""Reference solution: fancy indexing.

"""

import numpy as np
import torch


def select_columns(a, cols):
    # A slice for the rows and a list for the columns: every row, these columns.
    return a[:, cols]


def pick_per_row(a, cols):
    # Two index arrays are paired element by element: (0, cols[0]), (1, cols[1]), ...
    # a[:, cols] would instead take the whole (n, len(cols)) block.
    return a[np.arange(len(a)), cols]


def values_above(a, threshold):
    # A boolean mask selects the True positions, in row-major order, as a 1-D array.
    return a[a > threshold]


def replace_negative(a, value):
    # Work on a copy: a[a < 0] = value would change the caller's array.
    out = a.copy()
    out[out < 0] = value
    return out


def torch_pick_per_row(t, idx):
    # Same pairing as in numpy; indexing is differentiable, so gradients reach
    # exactly the picked entries. (t.gather(1, idx[:, None])[:, 0] also works.)
    rows = torch.arange(t.shape[0], device=t.device)
    return t[rows, idx]
