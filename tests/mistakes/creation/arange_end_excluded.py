"""Mistake: arange with the step (end - start) / (steps - 1): the end is excluded

TASK: evenly_spaced
"""


def evenly_spaced(start: float, end: float, steps: int) -> torch.Tensor:
    # linspace counts points (both ends included); arange counts a step size
    # and excludes the end, which makes float ranges error-prone.
    return torch.arange(start, end, (end - start) / max(steps - 1, 1), dtype=torch.float32)
