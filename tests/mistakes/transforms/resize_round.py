"""Mistake: rounds the long side instead of truncating it with int()

TASK: resize_short_side
KEEPS: test_resize_short_side_landscape
"""


def resize_short_side(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    if w <= h:
        new_w, new_h = size, round(size * h / w)
    else:
        new_w, new_h = round(size * w / h), size
    return img.resize((new_w, new_h), Image.BILINEAR)
