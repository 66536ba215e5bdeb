"""Mistake: resizes to (size, size), ignoring the aspect ratio

TASK: resize_short_side
PITFALL: ``img.resize((size, size))`` stretches the picture.
"""


def resize_short_side(img: Image.Image, size: int) -> Image.Image:
    return img.resize((size, size), Image.BILINEAR)
