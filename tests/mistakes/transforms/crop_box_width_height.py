"""Mistake: crops the box (left, top, width, height) instead of (left, upper, right, lower)

TASK: center_crop
PITFALL: ``img.crop`` takes a box ``(left, upper, right, lower)`` with the right and lower edges excluded, not ``(left, top, width, height)``.
"""


def center_crop(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    left = int(round((w - size) / 2))
    top = int(round((h - size) / 2))
    return img.crop((left, top, size, size))
