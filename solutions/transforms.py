"""Reference solution: image transforms with PIL and torch (no torchvision).

"""

from functools import partial

import numpy as np
import torch
from PIL import Image


def resize_short_side(img, size):
    # Scale both sides by the same factor so the picture is not stretched;
    # the long side is truncated with int(), as torchvision does.
    w, h = img.size
    if w <= h:
        new_w, new_h = size, int(size * h / w)
    else:
        new_w, new_h = int(size * w / h), size
    return img.resize((new_w, new_h), Image.BILINEAR)


def center_crop(img, size):
    w, h = img.size
    left = int(round((w - size) / 2))
    top = int(round((h - size) / 2))
    # PIL boxes are (left, upper, right, lower), right/lower exclusive.
    return img.crop((left, top, left + size, top + size))


def image_to_tensor(img):
    a = np.asarray(img, dtype=np.float32) / 255.0  # (H, W, C), or (H, W) for "L"
    if a.ndim == 2:
        a = a[:, :, None]  # give grayscale its channel dim
    # PIL/numpy store HWC; torch models expect CHW. permute reorders the axes
    # (a reshape would scramble the pixels); contiguous() makes a tidy copy.
    return torch.from_numpy(a).permute(2, 0, 1).contiguous()


def normalize(t, mean, std):
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


def preprocess(img):
    # Built at each call from the functions above (their current definitions).
    pipeline = compose(
        _to_rgb,  # first, so grayscale/RGBA/palette images all end up with 3 channels
        partial(resize_short_side, size=224),
        partial(center_crop, size=224),
        image_to_tensor,
        partial(normalize, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),  # [0, 1] -> [-1, 1]
    )
    return pipeline(img)


def pad(img, padding, fill=0):
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    bands = len(img.getbands())
    if isinstance(fill, int) and bands > 1:
        # Image.new("RGB", size, 128) would read 128 as one packed pixel: (128, 0, 0).
        fill = (fill,) * bands
    w, h = img.size
    out = Image.new(img.mode, (w + 2 * padding, h + 2 * padding), fill)
    out.paste(img, (padding, padding))  # the original starts `padding` pixels in, on both axes
    return out


def random_crop(img, size, generator):
    w, h = img.size
    if size > w or size > h:
        raise ValueError(f"crop size {size} is larger than the image ({w}x{h})")
    # Draw from the given generator, top first, then left, as torchvision's RandomCrop
    # does; torch's global RNG is never touched. The bounds are inclusive of the last
    # position, hence the + 1 (randint's high is exclusive).
    i = int(torch.randint(0, h - size + 1, (1,), generator=generator))
    j = int(torch.randint(0, w - size + 1, (1,), generator=generator))
    return img.crop((j, i, j + size, i + size))  # the box is (left, top, right, bottom)


def tensor_to_image(t):
    if t.dim() != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"expected a (1, H, W) or (3, H, W) tensor, got shape {tuple(t.shape)}")
    # Round, don't truncate: 255 * 0.999 = 254.7 is pixel 255. Clamp before the cast,
    # which would otherwise wrap values outside [0, 255] around. No in-place ops: t stays.
    pixels = torch.round(t.detach().cpu() * 255).clamp(0, 255).to(torch.uint8)
    a = pixels.permute(1, 2, 0).numpy()  # CHW -> HWC, the layout PIL reads
    if t.shape[0] == 1:
        a = a[:, :, 0]  # PIL reads a 2-D uint8 array as mode "L"; (H, W, 1) is refused
    return Image.fromarray(np.ascontiguousarray(a))  # uint8 (H, W, 3): mode "RGB"
