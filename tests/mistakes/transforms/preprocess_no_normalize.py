"""Mistake: preprocess stops at the [0, 1] tensor (no normalize step)

TASK: preprocess
"""


def preprocess(img: Image.Image) -> torch.Tensor:
    pipeline = compose(
        _to_rgb,  # first, so grayscale/RGBA/palette images all end up with 3 channels
        partial(resize_short_side, size=224),
        partial(center_crop, size=224),
        image_to_tensor,
    )
    return pipeline(img)
