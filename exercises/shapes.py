"""Exercise 2: shapes: view vs transpose, squeeze and unsqueeze.

A tensor is a flat block of memory plus a shape and strides that say how to
walk it. ``view``/``reshape`` change the shape but keep the row-major reading
order; ``transpose``/``permute`` swap axes by changing the strides, which
leaves the tensor non-contiguous. ``squeeze``/``unsqueeze`` remove or add
size-1 dims.

Pictures: assets_picture/shapes_view_vs_transpose.png (view vs transpose) and
assets_picture/shapes_squeeze.png (squeeze and unsqueeze).
"""

import torch


def swap_last_two(t: torch.Tensor) -> torch.Tensor:
    """Return the transpose of the last two dims of ``t``.

    Example:
        >>> t = torch.tensor([[1, 2, 3], [4, 5, 6]])
        >>> swap_last_two(t)
        tensor([[1, 4],
                [2, 5],
                [3, 6]])

    Pitfall:
        ``t.view(3, 2)`` has the right *shape* but is not a transpose: it reads
        the same memory in the same order and gives [[1, 2], [3, 4], [5, 6]].
        Works for any number of leading (batch) dims: count the dims from the end.
    """
    raise NotImplementedError("swap_last_two is not implemented yet")


def rows_view(t: torch.Tensor, rows: int) -> torch.Tensor:
    """Return ``t`` with shape ``(rows, -1)``, elements in row-major order.

    When ``t`` is contiguous the result must be a view (sharing storage with
    ``t``, no copy); when it is not, the result must still be correct.

    Example:
        >>> t = torch.arange(6)
        >>> r = rows_view(t, 2)
        >>> r
        tensor([[0, 1, 2],
                [3, 4, 5]])
        >>> r.data_ptr() == t.data_ptr()
        True

    Pitfall:
        ``view`` never copies, so it raises on a non-contiguous tensor (for
        example one that was transposed). Check ``t.is_contiguous()``, or know
        what ``reshape`` does in each case.
    """
    raise NotImplementedError("rows_view is not implemented yet")


def flatten_transposed(t: torch.Tensor) -> torch.Tensor:
    """Return ``t.transpose(0, 1)`` flattened to 1-D in row-major order.

    Example:
        >>> flatten_transposed(torch.tensor([[1, 2, 3], [4, 5, 6]]))
        tensor([1, 4, 2, 5, 3, 6])

    Pitfall:
        A transposed tensor is not contiguous: a bare ``.view(-1)`` raises
        "view size is not compatible with input tensor's size and stride".
        Use an operation that may copy into the new order.
    """
    raise NotImplementedError("flatten_transposed is not implemented yet")


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    """Return ``x`` with a new leading dim of size 1.

    Models take batches: one image of shape (C, H, W) must become (1, C, H, W).

    Example:
        >>> add_batch_dim(torch.zeros(3, 32, 32)).shape
        torch.Size([1, 3, 32, 32])
    """
    raise NotImplementedError("add_batch_dim is not implemented yet")


def remove_batch_dim(x: torch.Tensor) -> torch.Tensor:
    """Remove dim 0 if it has size 1; every other size-1 dim stays.

    Example:
        >>> remove_batch_dim(torch.zeros(1, 1, 28, 1)).shape
        torch.Size([1, 28, 1])

    Pitfall:
        A bare ``x.squeeze()`` drops *every* size-1 dim: a one-channel image
        (1, 1, 28, 28) would lose its channel dim too and become (28, 28).
        Say which dim to squeeze.
    """
    raise NotImplementedError("remove_batch_dim is not implemented yet")
