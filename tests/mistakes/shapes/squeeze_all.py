"""Mistake: squeeze() drops every size-1 dim

TASK: remove_batch_dim
PITFALL: A bare ``x.squeeze()`` drops *every* size-1 dim ... Say which dim to squeeze.
KEEPS: test_remove_batch_dim_basic
"""


def remove_batch_dim(x: torch.Tensor) -> torch.Tensor:
    # squeeze(0) touches dim 0 only (and only when it has size 1); a bare
    # squeeze() would also drop a size-1 channel or a size-1 width.
    return x.squeeze()
