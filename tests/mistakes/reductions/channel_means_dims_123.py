"""Mistake: averages dims (1, 2, 3): one mean per image, not per channel

TASK: channel_means
PITFALL: Average over every dim *except* the channel dim
"""


def channel_means(images: torch.Tensor) -> torch.Tensor:
    # NCHW: average over the batch (0) and both spatial dims (2, 3), so only
    # the channel dim (1) is left.
    return images.mean(dim=(1, 2, 3))
