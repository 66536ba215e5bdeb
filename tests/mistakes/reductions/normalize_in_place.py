"""Mistake: divides in place (a /= ...), changing the input (and failing on ints)

TASK: normalize_rows
"""

import numpy as np
import torch


def column_sums(a: np.ndarray) -> np.ndarray:
    # axis=0 is the axis that disappears: summing down the rows leaves one
    # value per column.
    return a.sum(axis=0)


def row_sums(a: np.ndarray, keepdims: bool = False) -> np.ndarray:
    # keepdims=True gives shape (n, 1) instead of (n,), which broadcasts
    # against the (n, m) input.
    return a.sum(axis=1, keepdims=keepdims)


def normalize_rows(a: np.ndarray) -> np.ndarray:
    # keepdims makes the (n, 1) sums divide row by row; with shape (n,) they
    # would broadcast along the columns (or fail when n != m). True division
    # turns integer input into float64.
    a /= a.sum(axis=1, keepdims=True)
    return a


def max_along(a: np.ndarray, axis: int) -> np.ndarray:
    return a.max(axis=axis)


def channel_means(images: torch.Tensor) -> torch.Tensor:
    # NCHW: average over the batch (0) and both spatial dims (2, 3), so only
    # the channel dim (1) is left.
    return images.mean(dim=(0, 2, 3))
