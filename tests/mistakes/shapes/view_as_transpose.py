"""Mistake: view used as a transpose

TASK: swap_last_two
PITFALL: ``t.view(3, 2)`` has the right *shape* but is not a transpose
"""


def swap_last_two(t: torch.Tensor) -> torch.Tensor:
    # transpose swaps the axes (strides); t.view(..., n, m) would only re-read
    # the same row-major data with a different shape, which is not a transpose.
    return t.view(*t.shape[:-2], t.shape[-1], t.shape[-2])
