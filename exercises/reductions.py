"""Exercise 4: reductions: sums, means and maxima along an axis.

The axis you reduce over is the axis that disappears: for an (n, m) array,
``axis=0`` leaves one value per column (m,), ``axis=1`` one per row (n,).
``keepdims=True`` leaves that axis in place with size 1, so the result
broadcasts back against the input.

Pictures: assets_picture/reductions_axis_sums.png (axis sums) and
assets_picture/reductions_nchw_channel_means.png (channel means of an NCHW batch).
"""

import numpy as np
import torch


def column_sums(a: np.ndarray) -> np.ndarray:
    """Return the sum of each column of a 2-D array (the sum over axis 0).

    Example:
        >>> column_sums(np.array([[1, 2, 3], [4, 5, 6]]))
        array([5, 7, 9])
    """
    raise NotImplementedError("column_sums is not implemented yet")


def row_sums(a: np.ndarray, keepdims: bool = False) -> np.ndarray:
    """Return the sum of each row (over axis 1); keep the reduced dim if asked.

    Example:
        >>> a = np.array([[1, 2, 3], [4, 5, 6]])
        >>> row_sums(a)
        array([ 6, 15])
        >>> row_sums(a, keepdims=True).shape
        (2, 1)
    """
    raise NotImplementedError("row_sums is not implemented yet")


def normalize_rows(a: np.ndarray) -> np.ndarray:
    """Return a float array like ``a`` whose rows each sum to 1.

    Example:
        >>> normalize_rows(np.array([[1, 3], [2, 2]]))
        array([[0.25, 0.75],
               [0.5 , 0.5 ]])

    Pitfall:
        Row sums of shape (n,) broadcast against the *last* axis of an (n, m)
        array: they divide column j by the sum of row j (or raise when
        n != m). Keep the reduced dim. Don't divide in place either
        (``a /= ...``): it changes the input, and fails on an int array.
    """
    raise NotImplementedError("normalize_rows is not implemented yet")


def max_along(a: np.ndarray, axis: int) -> np.ndarray:
    """Return the maxima of ``a`` along ``axis`` (any axis, any number of dims).

    Example:
        >>> max_along(np.array([[1, 9], [7, 2]]), axis=0)
        array([7, 9])
    """
    raise NotImplementedError("max_along is not implemented yet")


def channel_means(images: torch.Tensor) -> torch.Tensor:
    """Return the mean of each channel of an ``(N, C, H, W)`` batch: shape ``(C,)``.

    Example:
        >>> channel_means(torch.ones(8, 3, 32, 32)).shape
        torch.Size([3])

    Pitfall:
        Torch images are NCHW: channels are dim 1, not the last dim as in
        PIL/NumPy (HWC). Average over every dim *except* the channel dim; a
        tuple of dims reduces them all at once.
    """
    raise NotImplementedError("channel_means is not implemented yet")
