"""Mistake: averages dims (0, 1): the batch and the channels

TASK: channel_means
PITFALL: Average over every dim *except* the channel dim
"""


def channel_means(images: torch.Tensor) -> torch.Tensor:
    # NCHW: average over the batch (0) and both spatial dims (2, 3), so only
    # the channel dim (1) is left.
    return images.mean(dim=(0, 1))
