"""Mistake: floors the offsets ((w - size) // 2) instead of Python's round

TASK: center_crop
"""


def center_crop(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    left = (w - size) // 2
    top = (h - size) // 2
    return img.crop((left, top, left + size, top + size))


def _correct_center_crop(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    left = int(round((w - size) / 2))
    top = int(round((h - size) / 2))
    # PIL boxes are (left, upper, right, lower), right/lower exclusive.
    return img.crop((left, top, left + size, top + size))


_PREPROCESS = compose(
    _to_rgb,  # first, so grayscale/RGBA/palette images all end up with 3 channels
    partial(resize_short_side, size=224),
    partial(_correct_center_crop, size=224),
    image_to_tensor,
    partial(normalize, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),  # [0, 1] -> [-1, 1]
)
