"""Exercise 7: image preprocessing with PIL and torch (no torchvision).

The classic pipeline for an ImageNet-style model: convert to RGB, resize the
short side (keeping the aspect ratio), crop the centre square, turn the
pixels into a float CHW tensor in [0, 1], normalize each channel. Each step
is a small function; ``compose`` chains them.

Picture: assets_picture/transforms_resize_crop.png
"""

import numpy as np
import torch
from PIL import Image


def resize_short_side(img: Image.Image, size: int) -> Image.Image:
    """Resize ``img`` so that its shorter side is ``size``, keeping the aspect ratio.

    The long side becomes ``int(size * long / short)`` (truncated, as
    torchvision does); resample with ``Image.BILINEAR``.

    Example:
        >>> resize_short_side(Image.new("RGB", (400, 300)), 150).size
        (200, 150)

    Pitfalls:
        ``img.resize((size, size))`` stretches the picture. PIL sizes are
        ``(width, height)`` while NumPy/torch shapes are ``(height, width)``.
    """
    raise NotImplementedError("resize_short_side is not implemented yet")


def center_crop(img: Image.Image, size: int) -> Image.Image:
    """Return the central ``size x size`` square of ``img``.

    The left offset is ``int(round((w - size) / 2))`` and the top offset
    ``int(round((h - size) / 2))`` (Python's ``round``). ``size`` is at most
    the width and the height.

    Example:
        >>> center_crop(Image.new("RGB", (200, 150)), 100).size
        (100, 100)

    Pitfall:
        ``img.crop`` takes a box ``(left, upper, right, lower)`` with the right
        and lower edges excluded, not ``(left, top, width, height)``.
    """
    raise NotImplementedError("center_crop is not implemented yet")


def image_to_tensor(img: Image.Image) -> torch.Tensor:
    """Return ``img`` as a float32 tensor ``(C, H, W)`` with values in ``[0, 1]``.

    RGB images give ``C = 3``; grayscale ("L") images give ``C = 1``.

    Example:
        >>> image_to_tensor(Image.new("RGB", (4, 2), (255, 0, 0))).shape
        torch.Size([3, 2, 4])

    Pitfalls:
        ``np.asarray(img)`` is HWC (channels last) and uint8; torch wants CHW.
        Reorder the axes with ``permute``/``transpose``; a ``reshape`` to
        (C, H, W) keeps the bytes in HWC order and scrambles the pixels.
        An "L" image gives a 2-D array: add the channel dim. Divide in float,
        not in uint8.
    """
    raise NotImplementedError("image_to_tensor is not implemented yet")


def normalize(t: torch.Tensor, mean, std) -> torch.Tensor:
    """Return ``(t - mean[c]) / std[c]`` for each channel ``c`` of a ``(C, H, W)`` tensor.

    ``mean`` and ``std`` are sequences with one value per channel; ``t`` is
    left unchanged.

    Example:
        >>> normalize(torch.ones(3, 2, 2), [0.5] * 3, [0.5] * 3)[:, 0, 0]
        tensor([1., 1., 1.])

    Pitfalls:
        A tensor of 3 means has shape (3,), which broadcasts against the *last*
        dim (W), not against channels: give it shape (3, 1, 1). In-place ops
        (``t.sub_``, ``t -= ...``) would change the caller's tensor.
    """
    raise NotImplementedError("normalize is not implemented yet")


def compose(*steps):
    """Return a function that applies ``steps`` in order, left to right.

    ``compose(f, g, h)(x)`` is ``h(g(f(x)))``.

    Example:
        >>> compose(lambda x: x + 1, lambda x: x * 10)(2)
        30

    Pitfall:
        Order matters: a tensor step cannot run before the image has become a
        tensor. Each step gets the *previous step's output*, not the original input.
    """
    raise NotImplementedError("compose is not implemented yet")


def preprocess(img: Image.Image) -> torch.Tensor:
    """The full pipeline: a ``(3, 224, 224)`` float32 tensor in ``[-1, 1]``.

    Convert to RGB, resize the short side to 224, center crop 224, convert to a
    tensor, normalize with mean 0.5 and std 0.5 for each of the 3 channels.
    Build it from the functions above with ``compose``.

    Example:
        >>> preprocess(Image.new("L", (640, 480))).shape
        torch.Size([3, 224, 224])

    Pitfall:
        Convert to RGB first: grayscale, RGBA and palette images would
        otherwise give 1, 4 or 1 channels.
    """
    raise NotImplementedError("preprocess is not implemented yet")


def pad(img: Image.Image, padding: int, fill=0) -> Image.Image:
    """Return ``img`` with a border of ``padding`` pixels on all four sides.

    The result has size ``(w + 2 * padding, h + 2 * padding)`` and the same mode;
    the original sits at offset ``(padding, padding)``; the border has the colour
    ``fill``: for an RGB image an int means that value in every band (``128`` is
    ``(128, 128, 128)``), or give a 3-tuple. ``padding=0`` gives an equal copy; a
    negative ``padding`` raises ``ValueError``. ``img`` is left unchanged.

    Example:
        >>> out = pad(Image.new("RGB", (4, 3), (255, 0, 0)), 2, fill=128)
        >>> out.size, out.getpixel((0, 0)), out.getpixel((2, 2))
        ((8, 7), (128, 128, 128), (255, 0, 0))

    Picture: assets_picture/transforms_pad_random_crop.png

    Pitfalls:
        Padding goes on *both* sides: the width grows by ``2 * padding``, and the
        picture starts at ``(padding, padding)``, not at the corner.
        ``Image.new("RGB", size, 128)`` reads the int as one packed pixel and
        gives dark red ``(128, 0, 0)``: turn an int fill into a tuple first.
    """
    raise NotImplementedError("pad is not implemented yet")


def random_crop(img: Image.Image, size: int, generator: torch.Generator) -> Image.Image:
    """Return a random ``size x size`` crop of ``img``, drawn from ``generator``.

    Draw the top row ``i`` and then the left column ``j`` as torchvision's
    ``RandomCrop`` does, in this order::

        i = torch.randint(0, h - size + 1, (1,), generator=generator)
        j = torch.randint(0, w - size + 1, (1,), generator=generator)

    and crop the box ``(j, i, j + size, i + size)``. A generator in the same
    state gives the same crop; torch's global RNG is not touched. A ``size``
    larger than the width or the height raises ``ValueError``.

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> random_crop(Image.new("RGB", (320, 240)), 224, g).size
        (224, 224)

    Picture: assets_picture/transforms_pad_random_crop.png

    Pitfalls:
        ``torch.randint(...)`` without ``generator=`` draws from the global RNG:
        the crops then depend on whatever else ran before (another seed, a
        dropout layer) and the seed you were given means nothing. ``i`` is a
        row (along the height) and ``j`` a column (along the width), but PIL's
        box starts with the x coordinate: ``(left, top, ...)`` is ``(j, i, ...)``.
        ``randint``'s upper bound is excluded, hence ``+ 1``: the crop may touch
        the right and bottom edges.
    """
    raise NotImplementedError("random_crop is not implemented yet")


def tensor_to_image(t: torch.Tensor) -> Image.Image:
    """Turn a float ``(C, H, W)`` tensor in ``[0, 1]`` back into a PIL image.

    ``C = 1`` gives mode ``"L"``, ``C = 3`` mode ``"RGB"``; any other shape
    raises ``ValueError``. Each pixel is ``255 * value`` rounded to the nearest
    integer (``torch.round``: ties to even) and clamped to ``[0, 255]``, so that
    ``tensor_to_image(image_to_tensor(img))`` equals ``img``. ``t`` is unchanged.

    Example:
        >>> tensor_to_image(torch.tensor([[[0.0, 0.999]]])).getpixel((1, 0))
        255

    Pitfalls:
        ``(t * 255).to(torch.uint8)`` truncates: 254.7 becomes 254, and a round
        trip through ``image_to_tensor`` loses a level here and there. The cast
        wraps around outside [0, 255] (300 becomes 44): clamp first. PIL wants
        HWC: ``permute``, not ``reshape``. An (H, W, 1) array is not an image
        for PIL: drop the channel axis for "L". ``t.mul_(255)`` would change the
        caller's tensor.
    """
    raise NotImplementedError("tensor_to_image is not implemented yet")
