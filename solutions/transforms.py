"""Reference solution: image transforms with PIL and torch (no torchvision).

Picture: assets_picture/transforms_resize_crop.png
"""

from functools import partial

import numpy as np
import torch
from PIL import Image


def resize_short_side(img: Image.Image, size: int) -> Image.Image:
    # Scale both sides by the same factor so the picture is not stretched;
    # the long side is truncated with int(), as torchvision does.
    w, h = img.size
    if w <= h:
        new_w, new_h = size, int(size * h / w)
    else:
        new_w, new_h = int(size * w / h), size
    return img.resize((new_w, new_h), Image.BILINEAR)


def center_crop(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    left = int(round((w - size) / 2))
    top = int(round((h - size) / 2))
    # PIL boxes are (left, upper, right, lower), right/lower exclusive.
    return img.crop((left, top, left + size, top + size))


def image_to_tensor(img: Image.Image) -> torch.Tensor:
    a = np.asarray(img, dtype=np.float32) / 255.0  # (H, W, C), or (H, W) for "L"
    if a.ndim == 2:
        a = a[:, :, None]  # give grayscale its channel dim
    # PIL/numpy store HWC; torch models expect CHW. permute reorders the axes
    # (a reshape would scramble the pixels); contiguous() makes a tidy copy.
    return torch.from_numpy(a).permute(2, 0, 1).contiguous()


def normalize(t: torch.Tensor, mean, std) -> torch.Tensor:
    # (C, 1, 1) broadcasts over H and W, one mean/std per channel. The
    # out-of-place arithmetic leaves t unchanged (t.sub_(...) would not).
    mean = torch.as_tensor(mean, dtype=t.dtype, device=t.device).reshape(-1, 1, 1)
    std = torch.as_tensor(std, dtype=t.dtype, device=t.device).reshape(-1, 1, 1)
    return (t - mean) / std


def compose(*steps):
    def composed(x):
        for step in steps:  # left to right: the first step sees the input
            x = step(x)
        return x

    return composed


def _to_rgb(img: Image.Image) -> Image.Image:
    return img.convert("RGB")


def preprocess(img: Image.Image) -> torch.Tensor:
    # Built at each call from the functions above (their current definitions).
    pipeline = compose(
        _to_rgb,  # first, so grayscale/RGBA/palette images all end up with 3 channels
        partial(resize_short_side, size=224),
        partial(center_crop, size=224),
        image_to_tensor,
        partial(normalize, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),  # [0, 1] -> [-1, 1]
    )
    return pipeline(img)
