"""Mistake: the box built as (i, j, ...): the row i used as the left edge, the column j as the top

TASK: random_crop
PITFALL: PIL's box starts with the x coordinate: ``(left, top, ...)`` is ``(j, i, ...)``.
"""


def random_crop(img, size, generator):
    w, h = img.size
    if size > w or size > h:
        raise ValueError(f"crop size {size} is larger than the image ({w}x{h})")
    i = int(torch.randint(0, h - size + 1, (1,), generator=generator))
    j = int(torch.randint(0, w - size + 1, (1,), generator=generator))
    return img.crop((i, j, i + size, j + size))
