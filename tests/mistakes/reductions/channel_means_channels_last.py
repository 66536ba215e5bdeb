"""Mistake: treats the batch as NHWC: averages dims (0, 1, 2)

TASK: channel_means
PITFALL: Torch images are NCHW: channels are dim 1, not the last dim as in PIL/NumPy (HWC).
"""


def channel_means(images: torch.Tensor) -> torch.Tensor:
    # NCHW: average over the batch (0) and both spatial dims (2, 3), so only
    # the channel dim (1) is left.
    return images.mean(dim=(0, 1, 2))
