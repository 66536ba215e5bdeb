"""Mistake: floors the offsets ((w - size) // 2) instead of Python's round

TASK: center_crop
KEEPS: test_center_crop_landscape
"""


def center_crop(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    left = (w - size) // 2
    top = (h - size) // 2
    return img.crop((left, top, left + size, top + size))
