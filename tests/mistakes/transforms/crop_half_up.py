"""Mistake: rounds the offsets half up (int(x + 0.5)) instead of Python's round

TASK: center_crop
KEEPS: test_center_crop_landscape
"""


def center_crop(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    left = int((w - size) / 2 + 0.5)
    top = int((h - size) / 2 + 0.5)
    return img.crop((left, top, left + size, top + size))
