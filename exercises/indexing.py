"""Exercise 5: fancy indexing with integer arrays and boolean masks.

An integer array as an index picks positions; several integer arrays are
paired element by element; a boolean mask picks the positions where it is
True. These run in C, with no Python loop.

Picture: assets_picture/indexing_pick_per_row.png
"""

import numpy as np
import torch


def select_columns(a: np.ndarray, cols) -> np.ndarray:
    """Return all rows of ``a`` with the columns ``cols``, in the given order.

    Example:
        >>> a = np.array([[1, 2, 3], [4, 5, 6]])
        >>> select_columns(a, [2, 0])
        array([[3, 1],
               [6, 4]])
    """
    raise NotImplementedError("select_columns is not implemented yet")


def pick_per_row(a: np.ndarray, cols) -> np.ndarray:
    """Return the 1-D array of ``a[i, cols[i]]`` for every row ``i``.

    This is how a classifier reads the score of each sample's true class.

    Example:
        >>> a = np.array([[1, 2, 3], [4, 5, 6]])
        >>> pick_per_row(a, [2, 0])
        array([3, 4])

    Pitfall:
        ``a[:, cols]`` picks a whole block (every row x every listed column),
        shape (n, n), not one element per row. Give an index array for the rows
        as well, so the two index arrays pair up.
    """
    raise NotImplementedError("pick_per_row is not implemented yet")


def values_above(a: np.ndarray, threshold) -> np.ndarray:
    """Return a 1-D array of the elements ``> threshold``, in row-major order.

    Example:
        >>> values_above(np.array([[1, 5], [7, 2]]), 2)
        array([5, 7])
    """
    raise NotImplementedError("values_above is not implemented yet")


def replace_negative(a: np.ndarray, value) -> np.ndarray:
    """Return a copy of ``a`` with every negative entry replaced by ``value``.

    Example:
        >>> a = np.array([-1, 2, -3])
        >>> replace_negative(a, 0)
        array([0, 2, 0])
        >>> a
        array([-1,  2, -3])

    Pitfall:
        ``a[a < 0] = value`` writes into the caller's array. Don't modify
        inputs in place: copy first. Keep the dtype of ``a``.
    """
    raise NotImplementedError("replace_negative is not implemented yet")


def torch_pick_per_row(t: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """The torch version of :func:`pick_per_row`: ``t[i, idx[i]]`` for every row ``i``.

    Gradients must flow back to ``t``.

    Example:
        >>> t = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
        >>> torch_pick_per_row(t, torch.tensor([2, 0]))
        tensor([3., 4.], grad_fn=...)

    Pitfalls:
        Same as in NumPy: ``t[:, idx]`` is a block. Don't go through NumPy or
        ``.item()`` (that cuts the graph), and make any index tensor you build
        on the same device as ``t``. ``torch.gather`` is the other way to do it.
    """
    raise NotImplementedError("torch_pick_per_row is not implemented yet")
