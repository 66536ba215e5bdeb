"""Mistake: mean and std of shape (C,) broadcast over W instead of over the channels

TASK: normalize
PITFALL: A tensor of 3 means has shape (3,), which broadcasts against the *last* dim (W), not against channels
"""


def normalize(t: torch.Tensor, mean, std) -> torch.Tensor:
    mean = torch.as_tensor(mean, dtype=t.dtype)
    std = torch.as_tensor(std, dtype=t.dtype)
    return (t - mean) / std
