"""Mistake: randint(0, h - size): the high end is excluded, so the last position is never drawn (and size == side fails)

TASK: random_crop
PITFALL: ``randint``'s upper bound is excluded, hence ``+ 1``
"""


def random_crop(img, size, generator):
    w, h = img.size
    if size > w or size > h:
        raise ValueError(f"crop size {size} is larger than the image ({w}x{h})")
    i = int(torch.randint(0, h - size, (1,), generator=generator))
    j = int(torch.randint(0, w - size, (1,), generator=generator))
    return img.crop((j, i, j + size, i + size))
