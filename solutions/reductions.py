"""Reference solution: axis sums and maxima.

Pictures: assets_picture/reductions_axis_sums.png, assets_picture/reductions_nchw_channel_means.png
"""

import numpy as np  # noqa: F401 - mistake fixtures appended to this file use it
import torch  # noqa: F401


def column_sums(a):
    # axis=0 is the axis that disappears: summing down the rows leaves one
    # value per column.
    return a.sum(axis=0)


def row_sums(a, keepdims=False):
    # keepdims=True gives shape (n, 1) instead of (n,), which broadcasts
    # against the (n, m) input.
    return a.sum(axis=1, keepdims=keepdims)


def normalize_rows(a):
    # keepdims makes the (n, 1) sums divide row by row; with shape (n,) they
    # would broadcast along the columns (or fail when n != m). True division
    # turns integer input into float64.
    return a / a.sum(axis=1, keepdims=True)


def max_along(a, axis):
    return a.max(axis=axis)


def channel_means(images):
    # NCHW: average over the batch (0) and both spatial dims (2, 3), so only
    # the channel dim (1) is left.
    return images.mean(dim=(0, 2, 3))
