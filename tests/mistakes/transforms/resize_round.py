"""Mistake: rounds the long side instead of truncating it with int()

TASK: resize_short_side
"""


def resize_short_side(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    if w <= h:
        new_w, new_h = size, round(size * h / w)
    else:
        new_w, new_h = round(size * w / h), size
    return img.resize((new_w, new_h), Image.BILINEAR)


def _correct_resize_short_side(img: Image.Image, size: int) -> Image.Image:
    # Scale both sides by the same factor so the picture is not stretched;
    # the long side is truncated with int(), as torchvision does.
    w, h = img.size
    if w <= h:
        new_w, new_h = size, int(size * h / w)
    else:
        new_w, new_h = int(size * w / h), size
    return img.resize((new_w, new_h), Image.BILINEAR)


_PREPROCESS = compose(
    _to_rgb,  # first, so grayscale/RGBA/palette images all end up with 3 channels
    partial(_correct_resize_short_side, size=224),
    partial(center_crop, size=224),
    image_to_tensor,
    partial(normalize, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),  # [0, 1] -> [-1, 1]
)
