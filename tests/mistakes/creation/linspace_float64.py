"""Mistake: linspace in float64 where float32 was asked

TASK: evenly_spaced
"""


def evenly_spaced(start: float, end: float, steps: int) -> torch.Tensor:
    # linspace counts points (both ends included); arange counts a step size
    # and excludes the end, which makes float ranges error-prone.
    return torch.linspace(start, end, steps, dtype=torch.float64)
