"""Mistake: random_crop draws from torch's global RNG, not from the generator it is given

TASK: random_crop
PITFALL: ``torch.randint(...)`` without ``generator=`` draws from the global RNG
"""


def random_crop(img, size, generator):
    w, h = img.size
    if size > w or size > h:
        raise ValueError(f"crop size {size} is larger than the image ({w}x{h})")
    i = int(torch.randint(0, h - size + 1, (1,)))
    j = int(torch.randint(0, w - size + 1, (1,)))
    return img.crop((j, i, j + size, i + size))
