"""Mistake: arange with the step (end - start) / (steps - 1): the end is excluded

TASK: evenly_spaced
PITFALL: ``torch.arange(0, 1, 0.25)`` stops *before* 1.0 ... Count points, not steps.
"""


def evenly_spaced(start: float, end: float, steps: int) -> torch.Tensor:
    # linspace counts points (both ends included); arange counts a step size
    # and excludes the end, which makes float ranges error-prone.
    return torch.arange(start, end, (end - start) / max(steps - 1, 1), dtype=torch.float32)
