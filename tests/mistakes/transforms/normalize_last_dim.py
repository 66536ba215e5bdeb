"""Mistake: mean and std of shape (C,) broadcast over W instead of over the channels

TASK: normalize
"""


def normalize(t: torch.Tensor, mean, std) -> torch.Tensor:
    mean = torch.as_tensor(mean, dtype=t.dtype)
    std = torch.as_tensor(std, dtype=t.dtype)
    return (t - mean) / std


def _correct_normalize(t: torch.Tensor, mean, std) -> torch.Tensor:
    # (C, 1, 1) broadcasts over H and W, one mean/std per channel. The
    # out-of-place arithmetic leaves t unchanged (t.sub_(...) would not).
    mean = torch.as_tensor(mean, dtype=t.dtype, device=t.device).reshape(-1, 1, 1)
    std = torch.as_tensor(std, dtype=t.dtype, device=t.device).reshape(-1, 1, 1)
    return (t - mean) / std


_PREPROCESS = compose(
    _to_rgb,  # first, so grayscale/RGBA/palette images all end up with 3 channels
    partial(resize_short_side, size=224),
    partial(center_crop, size=224),
    image_to_tensor,
    partial(_correct_normalize, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),  # [0, 1] -> [-1, 1]
)
