"""Mistake: view used as a transpose

TASK: swap_last_two
"""

import torch


def swap_last_two(t: torch.Tensor) -> torch.Tensor:
    # transpose swaps the axes (strides); t.view(..., n, m) would only re-read
    # the same row-major data with a different shape, which is not a transpose.
    return t.view(*t.shape[:-2], t.shape[-1], t.shape[-2])


def rows_view(t: torch.Tensor, rows: int) -> torch.Tensor:
    # view never copies, so it is the right tool when it can work; it raises on
    # a non-contiguous tensor, where reshape copies into row-major order instead.
    # (t.reshape alone does exactly this choice; spelled out here to show it.)
    if t.is_contiguous():
        return t.view(rows, -1)
    return t.reshape(rows, -1)


def flatten_transposed(t: torch.Tensor) -> torch.Tensor:
    # After transpose the tensor is non-contiguous: .view(-1) raises, while
    # .reshape(-1) (or .contiguous().view(-1)) copies in the new row-major order.
    return t.transpose(0, 1).reshape(-1)


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    # (C, H, W) -> (1, C, H, W); same as x[None].
    return x.unsqueeze(0)


def remove_batch_dim(x: torch.Tensor) -> torch.Tensor:
    # squeeze(0) touches dim 0 only (and only when it has size 1); a bare
    # squeeze() would also drop a size-1 channel or a size-1 width.
    return x.squeeze(0)
