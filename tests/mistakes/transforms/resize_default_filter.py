"""Mistake: resizes with PIL's default filter instead of Image.BILINEAR

TASK: resize_short_side
"""


def resize_short_side(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    if w <= h:
        new_w, new_h = size, int(size * h / w)
    else:
        new_w, new_h = int(size * w / h), size
    return img.resize((new_w, new_h))
