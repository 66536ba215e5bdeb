"""Reference solution: tensor <-> numpy conversion.

"""

import numpy as np  # noqa: F401 - mistake fixtures appended to this file use it
import torch


def to_numpy(t):
    # .detach(): numpy cannot record gradients, so .numpy() refuses a tensor that
    #            requires grad; detach gives a view without the autograd history
    #            (and leaves t itself untouched: it still requires grad).
    # .cpu():    numpy arrays live in host memory; a no-op for a CPU tensor.
    return t.detach().cpu().numpy()


def to_tensor(a, requires_grad=False):
    # torch.tensor always copies and builds a fresh leaf; asking for float32 here
    # converts integer (and float64) arrays in the same step. Converting *after*
    # requires_grad=True would give a non-leaf (the result of a .float() op).
    return torch.tensor(a, dtype=torch.float32, requires_grad=requires_grad)


def shared_tensor(a):
    # from_numpy wraps the array's buffer: same memory, same dtype, no copy.
    # (torch.tensor(a) and torch.as_tensor(a, dtype=other) would copy.)
    return torch.from_numpy(a)
