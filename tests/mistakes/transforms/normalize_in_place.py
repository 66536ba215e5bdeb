"""Mistake: normalizes in place (sub_/div_), changing the caller's tensor

TASK: normalize
PITFALL: In-place ops (``t.sub_``, ``t -= ...``) would change the caller's tensor.
KEEPS: test_normalize_values, test_normalize_per_channel
"""


def normalize(t: torch.Tensor, mean, std) -> torch.Tensor:
    mean = torch.as_tensor(mean, dtype=t.dtype).reshape(-1, 1, 1)
    std = torch.as_tensor(std, dtype=t.dtype).reshape(-1, 1, 1)
    return t.sub_(mean).div_(std)
