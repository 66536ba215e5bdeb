"""Reference solution: view vs transpose, squeeze/unsqueeze.

Pictures: assets_picture/shapes_view_vs_transpose.png, assets_picture/shapes_squeeze.png
"""

import torch  # noqa: F401 - mistake fixtures appended to this file use it


def swap_last_two(t):
    # transpose swaps the axes (strides); t.view(..., n, m) would only re-read
    # the same row-major data with a different shape, which is not a transpose.
    return t.transpose(-2, -1)


def rows_view(t, rows):
    # view never copies, so it is the right tool when it can work; it raises on
    # a non-contiguous tensor, where reshape copies into row-major order instead.
    # (t.reshape alone does exactly this choice; spelled out here to show it.)
    if t.is_contiguous():
        return t.view(rows, -1)
    return t.reshape(rows, -1)


def flatten_transposed(t):
    # After transpose the tensor is non-contiguous: .view(-1) raises, while
    # .reshape(-1) (or .contiguous().view(-1)) copies in the new row-major order.
    return t.transpose(0, 1).reshape(-1)


def add_batch_dim(x):
    # (C, H, W) -> (1, C, H, W); same as x[None].
    return x.unsqueeze(0)


def remove_batch_dim(x):
    # squeeze(0) touches dim 0 only (and only when it has size 1); a bare
    # squeeze() would also drop a size-1 channel or a size-1 width.
    return x.squeeze(0)
