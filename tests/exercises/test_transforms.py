"""Hidden tests: image transforms with PIL and torch (no torchvision)."""

import os

import numpy as np
import torch
from PIL import Image

from grader.testing import check_close, check_tensor, fail, graded, seeded_tensor, stand_in

IMAGES = os.path.join(os.path.dirname(__file__), "..", "..", "assets_picture", "images")


def load(name):
    with Image.open(os.path.join(IMAGES, name)) as img:
        img.load()
        return img.copy()


# ---------------------------------------------------------------- shipped steps (for compose)
def add_one(x):
    return x + 1


def double(x):
    return x * 2


def column_sums(x):
    return x.sum(dim=0)


# ---------------------------------------------------------------- probes (run in the worker)
def resize_keeps_input(student, img, size):
    """resize_short_side(img, size), then a look at img"""
    before = img.copy()
    out = student.transforms.resize_short_side(img, size)
    same = img.size == before.size and img.mode == before.mode \
        and np.array_equal(np.asarray(img), np.asarray(before))
    return out, same


def crop_keeps_input(student, img, size):
    """center_crop(img, size), then a look at img"""
    before = img.copy()
    out = student.transforms.center_crop(img, size)
    same = img.size == before.size and np.array_equal(np.asarray(img), np.asarray(before))
    return out, same


def normalize_keeps_input(student, t, mean, std):
    """normalize(t, mean, std), then a look at t"""
    before = t.clone()
    out = student.transforms.normalize(t, mean, std)
    return out, bool(torch.equal(t, before))


def preprocess_on_its_own(student, img, steps):
    """preprocess(img), with correct resize_short_side, center_crop, image_to_tensor, normalize and compose
    standing in for the submission's"""
    import contextlib
    with contextlib.ExitStack() as stack:
        # preprocess is graded on its own: each step it builds on has its own tests.
        for name, step in steps.items():
            stack.enter_context(stand_in(student.transforms, name, step))
        return student.transforms.preprocess(img)


def reference_compose(*steps):
    def composed(x):
        for step in steps:
            x = step(x)
        return x
    return composed


# ---------------------------------------------------------------- helpers (trusted side)
def check_image(out, expected, what):
    if not isinstance(out, Image.Image):
        fail(f"{what} returned {type(out).__name__}, expected a PIL image")
    if out.mode != expected.mode:
        fail(f"{what} returned a {out.mode} image, expected mode {expected.mode}")
    if out.size != expected.size:
        fail(f"{what} returned an image of size {out.size} (width, height), expected {expected.size}")
    got, want = np.asarray(out).astype(np.int64), np.asarray(expected).astype(np.int64)
    bad = got != want
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        fail(f"{what} returned the right size but different pixels: {int(bad.sum())} of {bad.size} values "
             f"differ; first at (row, col{', channel' if got.ndim == 3 else ''}) {index}: got {got[index]}, "
             f"expected {want[index]}")


def expected_resize(img, size):
    w, h = img.size
    if w <= h:
        new = (size, int(size * h / w))
    else:
        new = (int(size * w / h), size)
    return img.resize(new, Image.BILINEAR)


def expected_crop(img, size):
    w, h = img.size
    left, top = int(round((w - size) / 2)), int(round((h - size) / 2))
    return img.crop((left, top, left + size, top + size))


def expected_tensor(img):
    a = np.asarray(img).astype(np.float32) / np.float32(255)
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def preprocess_alone(student, img):
    steps = {"resize_short_side": expected_resize, "center_crop": expected_crop, "image_to_tensor": expected_tensor,
             "normalize": expected_normalize, "compose": reference_compose}
    return student.probe(preprocess_on_its_own, img, {name: student.ship(fn) for name, fn in steps.items()})


def expected_preprocess(img):
    t = expected_tensor(expected_crop(expected_resize(img.convert("RGB"), 224), 224))
    return (t - 0.5) / 0.5


# ---------------------------------------------------------------- resize_short_side
@graded("resize_short_side", points=2, visible=True)
def test_resize_short_side_landscape(student):
    img = load("rgb_landscape.png")
    for size in (120, 300):
        out = student.resize_short_side(img, size)
        check_image(out, expected_resize(img, size), f"resize_short_side(RGB image 320x240, {size})")


@graded("resize_short_side", points=2)
def test_resize_short_side_keeps_aspect_ratio(student):
    for name, size in [("rgb_portrait.png", 100), ("odd_size.png", 64), ("gray.png", 70),
                       ("small_square.png", 48)]:
        img = load(name)
        out = student.resize_short_side(img, size)
        check_image(out, expected_resize(img, size),
                    f"resize_short_side({img.mode} image {img.size[0]}x{img.size[1]}, {size}) "
                    f"(the long side is int(size * long / short))")


@graded("resize_short_side", points=1)
def test_resize_short_side_leaves_input(student):
    img = load("odd_size.png")
    # 60 * 257 / 131 = 117.7: the long side is truncated to 117 (int), not rounded.
    out, same = student.probe(resize_keeps_input, img, 60)
    check_image(out, expected_resize(img, 60), "resize_short_side(RGB image 257x131, 60)")
    if not same:
        fail("resize_short_side(img, 60) changed img itself; return a new image (img.resize) and leave "
             "the caller's image alone")


# ---------------------------------------------------------------- center_crop
@graded("center_crop", points=2, visible=True)
def test_center_crop_landscape(student):
    img = load("rgb_landscape.png")
    for size in (200, 100):
        out = student.center_crop(img, size)
        check_image(out, expected_crop(img, size), f"center_crop(RGB image 320x240, {size})")


@graded("center_crop", points=2)
def test_center_crop_odd_offsets(student):
    img = load("odd_size.png")
    for size in (100, 131, 64, 31):
        w, h = img.size
        left, top = int(round((w - size) / 2)), int(round((h - size) / 2))
        out = student.center_crop(img, size)
        check_image(out, expected_crop(img, size),
                    f"center_crop(RGB image 257x131, {size}) (expected the box left={left}, top={top}: "
                    f"int(round((w - size) / 2)), Python's round)")


@graded("center_crop", points=1)
def test_center_crop_portrait_gray_and_input(student):
    for name, size in [("rgb_portrait.png", 180), ("gray.png", 99)]:
        img = load(name)
        out, same = student.probe(crop_keeps_input, img, size)
        check_image(out, expected_crop(img, size), f"center_crop({img.mode} image {img.size[0]}x{img.size[1]}, {size})")
        if not same:
            fail(f"center_crop(img, {size}) changed img itself; return the cropped copy")


# ---------------------------------------------------------------- image_to_tensor
@graded("image_to_tensor", points=2, visible=True)
def test_image_to_tensor_rgb(student):
    img = load("rgb_landscape.png")
    out = student.image_to_tensor(img)
    check_tensor(out, shape=(3, 240, 320), dtype=torch.float32,
                 what="image_to_tensor(RGB image 320x240) (C, H, W)")
    check_close(out, expected_tensor(img), rtol=1e-6, atol=1e-6)


@graded("image_to_tensor", points=2)
def test_image_to_tensor_chw_scaled(student):
    for name in ("rgb_portrait.png", "odd_size.png"):
        img = load(name)
        w, h = img.size
        out = student.image_to_tensor(img)
        check_tensor(out, shape=(3, h, w), dtype=torch.float32,
                     what=f"image_to_tensor(RGB image {w}x{h}) (channels first: (C, H, W))")
        if out.max().item() > 1.0 or out.min().item() < 0.0:
            fail(f"image_to_tensor(RGB image {w}x{h}) returned values from {out.min().item():g} to "
                 f"{out.max().item():g}; expected them scaled to [0, 1] (divide by 255)")
        check_close(out, expected_tensor(img), rtol=1e-6, atol=1e-6,
                    what=f"image_to_tensor(RGB image {w}x{h}) (permute the axes; a reshape scrambles pixels)")


@graded("image_to_tensor", points=1)
def test_image_to_tensor_grayscale(student):
    img = load("gray.png")
    out = student.image_to_tensor(img)
    check_tensor(out, shape=(1, 100, 150), dtype=torch.float32,
                 what="image_to_tensor(L image 150x100) (one channel: (1, H, W))")
    check_close(out, expected_tensor(img), rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- normalize
def expected_normalize(t, mean, std):
    m = torch.tensor(mean, dtype=t.dtype).reshape(-1, 1, 1)
    s = torch.tensor(std, dtype=t.dtype).reshape(-1, 1, 1)
    return (t - m) / s


@graded("normalize", points=1, visible=True)
def test_normalize_values(student):
    t = seeded_tensor(40, 3, 4, 5)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    out = student.normalize(t, mean, std)
    check_tensor(out, shape=(3, 4, 5), dtype=torch.float32)
    check_close(out, expected_normalize(t, mean, std))


@graded("normalize", points=2)
def test_normalize_per_channel(student):
    # W == C in the first case: means of shape (C,) broadcast silently over W there.
    for seed, shape, mean, std in [(41, (3, 5, 3), (0.1, -0.2, 0.3), (0.5, 2.0, 0.25)),
                                   (42, (2, 4, 6), [1.0, -1.0], [3.0, 0.5]),
                                   (43, (1, 3, 2), [0.5], [0.25])]:
        t = seeded_tensor(seed, *shape)
        out = student.normalize(t, mean, std)
        check_tensor(out, shape=shape, dtype=torch.float32)
        check_close(out, expected_normalize(t, mean, std),
                    what=f"normalize(tensor {shape}, mean={list(mean)}, std={list(std)}) "
                         "(one mean/std per channel, dim 0)")


@graded("normalize", points=2)
def test_normalize_leaves_input(student):
    t = seeded_tensor(44, 3, 6, 4)
    mean, std = [0.5, 0.4, 0.3], [0.2, 0.3, 0.4]
    out, same = student.probe(normalize_keeps_input, t, mean, std)
    check_tensor(out, shape=(3, 6, 4), dtype=torch.float32)
    check_close(out, expected_normalize(t, mean, std))
    if not same:
        fail("normalize(t, mean, std) changed t in place; compute (t - mean) / std as a new tensor")


# ---------------------------------------------------------------- compose
@graded("compose", points=1, visible=True)
def test_compose_two_steps(student):
    t = seeded_tensor(45, 2, 3)
    fn = student.compose(student.ship(add_one), student.ship(double))
    out = fn(t)
    check_tensor(out, shape=(2, 3), dtype=torch.float32, what="compose(add_one, double)(t)")
    check_close(out, (t + 1) * 2, what="compose(add_one, double)(t) (add_one first, then double)")


@graded("compose", points=2)
def test_compose_order_and_reuse(student):
    t = seeded_tensor(46, 4, 2)
    fn = student.compose(student.ship(double), student.ship(add_one), student.ship(column_sums))
    for k, x in enumerate((t, t[:3] * 3)):
        out = fn(x)
        check_tensor(out, shape=(2,), dtype=torch.float32,
                     what=f"compose(double, add_one, column_sums)(x), call {k + 1}")
        check_close(out, (x * 2 + 1).sum(dim=0),
                    what=f"compose(double, add_one, column_sums)(x), call {k + 1} (left to right)")
    single = student.compose(student.ship(add_one))(t)
    check_close(single, t + 1, what="compose(add_one)(t)")
    fn2 = student.compose(student.ship(add_one), student.ship(double), student.ship(add_one))
    check_close(fn2(t), (t + 1) * 2 + 1, what="compose(add_one, double, add_one)(t)")


# ---------------------------------------------------------------- preprocess
@graded("preprocess", points=2, visible=True)
def test_preprocess_rgb(student):
    img = load("rgb_landscape.png")
    out = preprocess_alone(student, img)
    check_tensor(out, shape=(3, 224, 224), dtype=torch.float32, what="preprocess(RGB image 320x240)")
    check_close(out, expected_preprocess(img), rtol=1e-5, atol=1e-5,
                what="preprocess(RGB image 320x240) (resize 224, crop 224, to tensor, normalize 0.5/0.5)")


@graded("preprocess", points=2)
def test_preprocess_any_mode(student):
    for name in ("gray.png", "rgba.png", "rgb_portrait.png"):
        img = load(name)
        what = f"preprocess({img.mode} image {img.size[0]}x{img.size[1]})"
        out = preprocess_alone(student, img)
        check_tensor(out, shape=(3, 224, 224), dtype=torch.float32,
                     what=what + " (convert to RGB first: 3 channels)")
        if out.min().item() < -1.0 - 1e-6 or out.max().item() > 1.0 + 1e-6:
            fail(f"{what} returned values from {out.min().item():g} to {out.max().item():g}, expected "
                 "[-1, 1] after normalizing with mean 0.5 and std 0.5")
        check_close(out, expected_preprocess(img), rtol=1e-5, atol=1e-5,
                    what=what + " (RGB, resize 224, crop 224, to tensor, normalize: in that order)")
