"""Reference solution: linspace, arange, random data.

"""

import numpy as np
import torch


def evenly_spaced(start, end, steps):
    # linspace counts points (both ends included); arange counts a step size
    # and excludes the end, which makes float ranges error-prone.
    return torch.linspace(start, end, steps, dtype=torch.float32)


def index_range(n):
    # Say the dtype: numpy's default integer is platform dependent (int32 on
    # Windows with numpy < 2).
    return np.arange(n, dtype=np.int64)


def make_classification_data(n, d, k, seed):
    # A private generator makes the data reproducible without touching the
    # global RNG (torch.manual_seed would reset everybody else's randomness).
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)  # float32 by default
    y = torch.randint(0, k, (n,), generator=g)  # int64 by default, high excluded
    return X, y
