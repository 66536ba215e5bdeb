"""Hidden tests: image transforms with PIL and torch (no torchvision)."""

import os

import numpy as np
import torch
from PIL import Image

from grader.testing import (check_close, check_equal, check_tensor, computed_once, fail, graded, load_image,
                            seeded_tensor, stand_in)

IMAGES = os.path.join(os.path.dirname(__file__), "..", "..", "assets_picture", "images")


def load(name):
    return load_image(os.path.join(IMAGES, name))  # decoded once per grading process


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


def preprocess_traced(student, img):
    """preprocess(img), with tracing stand-ins for resize_short_side, center_crop, image_to_tensor,
    normalize and compose: each step only writes down what it was asked to do"""
    import contextlib

    def trace(x):
        # What was done to img so far: a list of steps; an image other than img itself is a step of its own
        # (the trusted side tells whether it is img.convert(...)).
        if isinstance(x, Image.Image):
            return [] if x is img else [x]
        return list(x)

    def channels(values):
        return [round(float(v), 4) for v in torch.as_tensor(values, dtype=torch.float64).expand(3)]

    def traced_compose(*steps):
        # Each step is tried on its own on the pipeline's input (no composing here): what it adds is its part.
        def pipeline(x):
            done = trace(x)
            return done + [op for step in steps for op in trace(step(x))[len(done):]]
        return pipeline

    steps = {
        "resize_short_side": lambda img, size: trace(img) + [f"resize_short_side({size})"],
        "center_crop": lambda img, size: trace(img) + [f"center_crop({size})"],
        "image_to_tensor": lambda img: trace(img) + ["image_to_tensor"],
        "normalize": lambda t, mean, std: trace(t) + [f"normalize({channels(mean)}, {channels(std)})"],
        "compose": traced_compose,
    }
    with contextlib.ExitStack() as stack:
        # preprocess is graded on its own: each step it builds on has its own tests.
        for name, step in steps.items():
            stack.enter_context(stand_in(student.transforms, name, step))
        return student.transforms.preprocess(img)


# ---------------------------------------------------------------- helpers (trusted side)
def check_image(out, expected, what):
    if not isinstance(out, Image.Image):
        fail(f"{what} returned {type(out).__name__}, expected a PIL image")
    if out.mode != expected.mode:
        fail(f"{what} returned a {out.mode} image, expected mode {expected.mode}")
    if out.size != expected.size:
        fail(f"{what} returned an image of size {out.size} (width, height), expected {expected.size}")
    if out.tobytes() == expected.tobytes():  # same mode and size: the same bytes are the same pixels
        return
    got, want = np.asarray(out).astype(np.int64), np.asarray(expected).astype(np.int64)
    bad = got != want
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        fail(f"{what} returned the right size but different pixels: {int(bad.sum())} of {bad.size} values "
             f"differ; first at (row, col{', channel' if got.ndim == 3 else ''}) {index}: got {got[index]}, "
             f"expected {want[index]}")


def image_of(mode, rows):
    """A small image written out pixel by pixel: rows of gray values (mode L) or of (r, g, b)."""
    img = Image.new(mode, (len(rows[0]), len(rows)))
    img.putdata([pixel for row in rows for pixel in row])
    return img


@computed_once
def expected_resize(img, size):
    w, h = img.size
    if w <= h:
        new = (size, int(size * h / w))
    else:
        new = (int(size * w / h), size)
    return img.resize(new, Image.BILINEAR)


@computed_once
def expected_crop(img, size):
    w, h = img.size
    left, top = int(round((w - size) / 2)), int(round((h - size) / 2))
    return img.crop((left, top, left + size, top + size))


@computed_once
def expected_tensor(img):
    a = np.asarray(img).astype(np.float32) / np.float32(255)
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def traced_steps(student, img):
    """The steps preprocess(img) applied, first to last, as the tracing stand-ins wrote them down; an image
    that is img.convert(mode) reads "convert(mode)"."""
    steps = student.probe(preprocess_traced, img)
    if not isinstance(steps, list):
        return steps
    named = []
    for step in steps:
        if isinstance(step, Image.Image):
            converted = img.convert(step.mode)
            if step.size == converted.size and step.tobytes() == converted.tobytes():
                step = f"convert({step.mode!r})"
            else:
                step = f"an image ({step.mode}, {step.size[0]}x{step.size[1]}) that is not img.convert({step.mode!r})"
        named.append(step)
    return named


PREPROCESS_STEPS = ["resize_short_side(224)", "center_crop(224)", "image_to_tensor",
                    "normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])"]


# ---------------------------------------------------------------- resize_short_side
@graded("resize_short_side", points=1, visible=True)
def test_resize_short_side_small_images(student):
    # The expected pixels were computed once with PIL's img.resize(new_size, Image.BILINEAR).
    landscape = image_of("L", [[0, 40, 80, 120, 160, 200, 240],
                               [250, 10, 90, 30, 170, 60, 220],
                               [5, 255, 15, 245, 25, 235, 35]])
    out = student.resize_short_side(landscape, 2)
    check_image(out, image_of("L", [[66, 73, 139, 193],
                                    [123, 101, 122, 131]]),
                "resize_short_side(L image 7x3, 2) (expected 4x2: the long side is int(2 * 7 / 3) = int(4.67) = 4, "
                "resized with Image.BILINEAR)")
    portrait = image_of("L", [[0, 100, 200], [50, 150, 250], [255, 0, 128], [10, 20, 30], [90, 180, 45]])
    out = student.resize_short_side(portrait, 4)
    check_image(out, image_of("L", [[0, 63, 138, 200], [38, 101, 176, 238], [170, 103, 106, 179],
                                    [153, 63, 38, 87], [30, 49, 50, 34], [90, 146, 129, 45]]),
                "resize_short_side(L image 3x5, 4) (expected 4x6: the long side is int(4 * 5 / 3) = int(6.67) = 6, "
                "resized with Image.BILINEAR)")


@graded("resize_short_side", points=2)
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
@graded("center_crop", points=1, visible=True)
def test_center_crop_small_image(student):
    # Each pixel is 10 * row + column, so the crop shows where its box was.
    img = image_of("L", [[10 * r + c for c in range(6)] for r in range(4)])
    out = student.center_crop(img, 3)
    check_image(out, image_of("L", [[2, 3, 4],
                                    [12, 13, 14],
                                    [22, 23, 24]]),
                "center_crop(L image 6x4 whose pixel (row, col) is 10 * row + col, 3) (expected the box left=2, "
                "top=0: left = int(round(1.5)) = 2 and top = int(round(0.5)) = 0, Python's round)")


@graded("center_crop", points=2)
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
@graded("image_to_tensor", points=1, visible=True)
def test_image_to_tensor_small_rgb(student):
    img = image_of("RGB", [[(255, 0, 51), (102, 153, 204), (0, 255, 0)],
                           [(51, 51, 255), (204, 102, 0), (153, 204, 102)]])
    out = student.image_to_tensor(img)
    check_tensor(out, shape=(3, 2, 3), dtype=torch.float32,
                 what="image_to_tensor(RGB image 3x2) (C, H, W)")
    # Channel by channel, each pixel / 255 (51 / 255 = 0.2).
    expected = torch.tensor([[[1.0, 0.4, 0.0], [0.2, 0.8, 0.6]],    # red
                             [[0.0, 0.6, 1.0], [0.2, 0.4, 0.8]],    # green
                             [[0.2, 0.8, 0.0], [1.0, 0.0, 0.4]]])   # blue
    check_close(out, expected, rtol=1e-6, atol=1e-6,
                what="image_to_tensor(RGB image 3x2) (out[c, row, col] is band c of pixel (row, col) / 255)")


@graded("image_to_tensor", points=1)
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


@graded("image_to_tensor", points=1, visible=True)
def test_image_to_tensor_small_gray(student):
    # The docstring's pitfall: an "L" image is a 2-D array, and the tensor still needs its channel dim.
    img = image_of("L", [[0, 51, 255], [102, 204, 153]])
    out = student.image_to_tensor(img)
    check_tensor(out, shape=(1, 2, 3), dtype=torch.float32,
                 what="image_to_tensor(L image 3x2) (one channel: (1, H, W))")
    check_close(out, torch.tensor([[[0.0, 0.2, 1.0], [0.4, 0.8, 0.6]]]), rtol=1e-6, atol=1e-6,
                what="image_to_tensor(L image 3x2) (each pixel / 255)")


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
def test_normalize_small_tensor(student):
    t = torch.tensor([[[0.5, 1.0], [0.25, 0.0]],
                      [[0.0, -1.0], [2.25, 0.75]]])
    # Two channels and two columns: a mean that broadcasts over the columns goes unnoticed by the shape.
    out, same = student.probe(normalize_keeps_input, t, [0.5, 0.25], [0.5, 2.0])
    check_tensor(out, shape=(2, 2, 2), dtype=torch.float32, what="normalize(t (2, 2, 2), [0.5, 0.25], [0.5, 2.0])")
    check_close(out, torch.tensor([[[0.0, 1.0], [-0.5, -1.0]],           # (t[0] - 0.5) / 0.5
                                   [[-0.125, -0.625], [1.0, 0.25]]]),    # (t[1] - 0.25) / 2.0
                what="normalize(t (2, 2, 2), [0.5, 0.25], [0.5, 2.0]) (channel c is (t[c] - mean[c]) / std[c])")
    if not same:
        fail("normalize(t, mean, std) changed t in place; compute (t - mean) / std as a new tensor")


@graded("normalize", points=1)
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
@graded("preprocess", points=1, visible=True)
def test_preprocess_steps_in_order(student):
    img = image_of("L", [[0, 64, 128, 255], [32, 96, 160, 224], [16, 48, 80, 112]])
    steps = traced_steps(student, img)
    check_equal(steps, ["convert('RGB')"] + PREPROCESS_STEPS,
                what="preprocess(L image 4x3), each step traced (the steps it applied, first to last)")


@graded("preprocess", points=2)
def test_preprocess_rgb(student):
    img = load("rgb_landscape.png")
    steps = traced_steps(student, img)
    if isinstance(steps, list) and steps[:1] == ["convert('RGB')"]:
        steps = steps[1:]  # converting an RGB image to RGB changes nothing
    check_equal(steps, PREPROCESS_STEPS,
                what="preprocess(RGB image 320x240), each step traced (the steps it applied, first to last: resize "
                     "224, crop 224, to tensor, normalize 0.5/0.5)")


@graded("preprocess", points=2)
def test_preprocess_any_mode(student):
    for name in ("gray.png", "rgba.png", "rgb_portrait.png"):
        img = load(name)
        what = f"preprocess({img.mode} image {img.size[0]}x{img.size[1]}), each step traced"
        steps = traced_steps(student, img)
        if img.mode == "RGB" and isinstance(steps, list) and steps[:1] == ["convert('RGB')"]:
            steps = steps[1:]
        check_equal(steps, (["convert('RGB')"] if img.mode != "RGB" else []) + PREPROCESS_STEPS,
                    what=what + " (RGB first, then resize 224, crop 224, to tensor, normalize: in that order)")


# ---------------------------------------------------------------- pad
from grader.testing import expect_raises  # noqa: E402 - used by the tests below


def pad_keeps_input(student, img, padding, fill):
    """pad(img, padding, fill), then a look at img"""
    before = img.copy()
    out = student.transforms.pad(img, padding, fill)
    same = img.size == before.size and img.mode == before.mode \
        and np.array_equal(np.asarray(img), np.asarray(before))
    return out, same


def expected_pad(img, padding, fill=0):
    if isinstance(fill, int) and len(img.getbands()) > 1:
        fill = (fill,) * len(img.getbands())
    w, h = img.size
    out = Image.new(img.mode, (w + 2 * padding, h + 2 * padding), fill)
    out.paste(img, (padding, padding))
    return out


def describe(img):
    return f"{img.mode} image {img.size[0]}x{img.size[1]}"


@graded("pad", points=1, visible=True)
def test_pad_small_rgb_int_fill(student):
    img = image_of("RGB", [[(200, 10, 30), (5, 250, 90)]])
    out = student.pad(img, 1, 50)
    grey = (50, 50, 50)
    check_image(out, image_of("RGB", [[grey, grey, grey, grey],
                                      [grey, (200, 10, 30), (5, 250, 90), grey],
                                      [grey, grey, grey, grey]]),
                "pad(RGB image 2x1 [(200, 10, 30), (5, 250, 90)], 1, 50) (size 4x3, the picture at (1, 1), the "
                "border (50, 50, 50): an int fill means that value in every band)")


@graded("pad", points=2)
def test_pad_rgb_tuple_fill_and_gray_default(student):
    img = load("rgb_landscape.png")
    out = student.pad(img, 3, (10, 200, 30))
    check_image(out, expected_pad(img, 3, (10, 200, 30)),
                f"pad({describe(img)}, 3, (10, 200, 30)) (size (w + 6, h + 6), the picture at (3, 3))")
    gray = load("gray.png")
    out = student.pad(gray, 5)
    check_image(out, expected_pad(gray, 5), f"pad({describe(gray)}, 5) (fill defaults to 0: a black border)")


@graded("pad", points=2)
def test_pad_int_fill_zero_padding_and_input(student):
    img = load("odd_size.png")
    for padding, fill in [(1, 128), (7, 255), (0, 40)]:
        out, same = student.probe(pad_keeps_input, img, padding, fill)
        check_image(out, expected_pad(img, padding, fill),
                    f"pad({describe(img)}, {padding}, {fill}) (for RGB an int fill means ({fill}, {fill}, {fill}))")
        if not same:
            fail(f"pad(img, {padding}, {fill}) changed img itself; build a new image")
    gray = load("gray.png")
    out = student.pad(gray, 2, 77)
    check_image(out, expected_pad(gray, 2, 77), f"pad({describe(gray)}, 2, 77)")


@graded("pad", points=1)
def test_pad_negative_raises(student):
    img = load("small_square.png")
    out = student.pad(img, 4, (0, 0, 255))
    check_image(out, expected_pad(img, 4, (0, 0, 255)), f"pad({describe(img)}, 4, (0, 0, 255))")
    for padding in (-1, -5):
        expect_raises("ValueError", lambda padding=padding: student.pad(img, padding),
                      what=f"pad({describe(img)}, {padding}) (a negative padding)")


# ---------------------------------------------------------------- random_crop
def crops_from_seed(student, img, size, seed, count, global_seed):
    """random_crop(img, size, g) several times, g a torch.Generator seeded with `seed` and the global RNG
    with another number"""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(global_seed)
    before = rng_state()
    crops = [student.transforms.random_crop(img, size, generator) for _ in range(count)]
    return crops, (before, rng_state())


def crop_raises(student, img, size):
    """random_crop(img, size, torch.Generator().manual_seed(0))"""
    try:
        student.transforms.random_crop(img, size, torch.Generator().manual_seed(0))
    except ValueError:
        return "ValueError"
    except NotImplementedError:
        raise  # a stub is not_implemented
    except Exception as exc:  # noqa: BLE001 - the name of whatever was raised
        return type(exc).__name__
    return None


def expected_crops(img, size, seed, count):
    generator = torch.Generator().manual_seed(seed)
    w, h = img.size
    crops = []
    for _ in range(count):
        i = int(torch.randint(0, h - size + 1, (1,), generator=generator))
        j = int(torch.randint(0, w - size + 1, (1,), generator=generator))
        crops.append((img.crop((j, i, j + size, i + size)), i, j))
    return crops


def check_crops(student, img, size, seed, count, global_seed):
    crops, (before, after) = student.probe(crops_from_seed, img, size, seed, count, global_seed)
    untouched = torch.equal(before, after)
    if not isinstance(crops, list) or len(crops) != count:
        fail(f"random_crop was called {count} times but the probe got {crops!r:.80}")
    for k, (out, (want, i, j)) in enumerate(zip(crops, expected_crops(img, size, seed, count))):
        check_image(out, want, f"call {k + 1} of random_crop({describe(img)}, {size}, g) with "
                               f"g = torch.Generator().manual_seed({seed}) (expected top i={i}, left j={j}: i drawn "
                               "first from generator, then j)")
    if not untouched:
        fail(f"random_crop({describe(img)}, {size}, g) changed torch's global random state; draw only from "
             "the generator it is given")


@graded("random_crop", points=1, visible=True)
def test_random_crop_small_image(student):
    # Each pixel is 10 * row + column, so a crop shows where its box was.
    img = image_of("L", [[10 * r + c for c in range(8)] for r in range(6)])
    crops, (before, after) = student.probe(crops_from_seed, img, 3, 3, 3, 12)
    untouched = torch.equal(before, after)
    # Drawn once from torch.Generator().manual_seed(3): i = randint(0, 6 - 3 + 1), then j = randint(0, 8 - 3 + 1),
    # three times: (2, 2), (1, 3), (0, 0).
    for k, (i, j) in enumerate([(2, 2), (1, 3), (0, 0)]):
        check_image(crops[k], image_of("L", [[10 * (i + r) + j + c for c in range(3)] for r in range(3)]),
                    f"call {k + 1} of random_crop(L image 8x6 whose pixel (row, col) is 10 * row + col, 3, g) with "
                    f"g = torch.Generator().manual_seed(3) (expected top i={i}, left j={j}: i drawn first from g, "
                    "then j, each with torch.randint(0, side - size + 1, (1,), generator=g))")
    if not untouched:
        fail("random_crop(img, 3, g) changed torch's global random state; draw only from the generator it is given")


@graded("random_crop", points=2)
def test_random_crop_from_the_generator(student):
    check_crops(student, load("rgb_landscape.png"), 224, 0, 3, 11)


@graded("random_crop", points=2)
def test_random_crop_shapes_and_seeds(student):
    for name, size, seed, global_seed in [("odd_size.png", 131, 5, 0), ("odd_size.png", 50, 6, 1),
                                          ("rgb_portrait.png", 100, 7, 2), ("gray.png", 37, 8, 3)]:
        check_crops(student, load(name), size, seed, 4, global_seed)


@graded("random_crop", points=1)
def test_random_crop_same_seed_any_global_state_and_too_large(student):
    img = load("small_square.png")
    check_crops(student, img, 20, 9, 3, 100)
    check_crops(student, img, 20, 9, 3, 200)  # same generator seed, the global RNG elsewhere
    check_crops(student, img, 64, 9, 2, 300)  # the whole image: i = j = 0
    land = load("rgb_landscape.png")
    for size in (241, 321):
        raised = student.probe(crop_raises, land, size)
        if raised != "ValueError":
            fail(f"random_crop({describe(land)}, {size}, g) "
                 f"{'returned an image' if raised is None else 'raised ' + raised}; a crop larger than a side "
                 "must raise ValueError")


# ---------------------------------------------------------------- tensor_to_image
def to_image_keeps_input(student, t):
    """tensor_to_image(t), then a look at t"""
    before = t.clone()
    out = student.transforms.tensor_to_image(t)
    return out, bool(torch.equal(t, before))


def expected_image(t):
    a = torch.round(t * 255).clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
    return Image.fromarray(np.ascontiguousarray(a[:, :, 0] if t.shape[0] == 1 else a))


def special_values(seed, channels, h, w):
    """Seeded values in [0, 1] with the hard cases planted: just below 1, ties, outside [0, 1]."""
    t = torch.rand(channels, h, w, generator=torch.Generator().manual_seed(seed))
    flat = t.view(-1)
    planted = torch.tensor([0.999, 0.998, 254.6 / 255, 0.5 / 255, 2.5 / 255, 3.5 / 255, 0.7 / 255,
                            -0.2, -1e-4, 1.3, 4.0, 1.0, 0.0])
    flat[:len(planted)] = planted
    return t


@graded("tensor_to_image", points=1, visible=True)
def test_tensor_to_image_small_tensors(student):
    t = torch.tensor([[[0.0, 0.999], [1.5, 0.25]],     # red
                      [[1.0, -0.2], [0.75, 0.6]],      # green
                      [[0.4, 0.05], [0.9, 0.35]]])     # blue
    out = student.tensor_to_image(t)
    check_image(out, image_of("RGB", [[(0, 255, 102), (255, 0, 13)],
                                      [(255, 191, 230), (64, 153, 89)]]),
                "tensor_to_image(tensor (3, 2, 2) with 0.999, 1.5 and -0.2 among its values) (pixel (row, col) "
                "is (t[0, row, col], t[1, row, col], t[2, row, col]), each torch.round(255 * value) clamped to "
                "[0, 255]: 0.999 -> 255, 1.5 -> 255, -0.2 -> 0, 0.05 -> 13)")
    gray = torch.tensor([[[0.999, -0.2, 0.25], [1.5, 0.6, 0.0]]])
    out = student.tensor_to_image(gray)
    check_image(out, image_of("L", [[255, 0, 64], [255, 153, 0]]),
                "tensor_to_image(tensor (1, 2, 3)) (one channel: mode L)")


@graded("tensor_to_image", points=2)
def test_tensor_to_image_round_trip(student):
    for name in ("rgb_landscape.png", "gray.png", "odd_size.png"):
        img = load(name)
        t = expected_tensor(img)
        out = student.tensor_to_image(t)
        check_image(out, img, f"tensor_to_image(image_to_tensor({describe(img)})) (mode {img.mode}, the same "
                              "pixels back)")


@graded("tensor_to_image", points=2, visible=True)
def test_tensor_to_image_rounds_and_clamps(student):
    # The second one requires grad, as an image straight out of a model does.
    for seed, shape, grad in [(90, (3, 5, 7), False), (91, (1, 4, 6), True), (92, (3, 2, 9), False)]:
        t = special_values(seed, *shape).requires_grad_(grad)
        out, same = student.probe(to_image_keeps_input, t)
        check_image(out, expected_image(t.detach()),
                    f"tensor_to_image(tensor {shape}{', requiring grad,' if grad else ''} with 0.999, ties such "
                    "as 2.5/255, -0.2 and 1.3) (each pixel torch.round(255 * value) clamped to [0, 255]: "
                    "0.999 -> 255, 1.3 -> 255, -0.2 -> 0)")
        if not same:
            fail(f"tensor_to_image(t) changed t (shape {shape}) in place; scale a new tensor")


@graded("tensor_to_image", points=1)
def test_tensor_to_image_gray_and_bad_shapes(student):
    t = special_values(93, 1, 3, 8)
    out = student.tensor_to_image(t)
    check_image(out, expected_image(t), "tensor_to_image(tensor (1, 3, 8)) (one channel: mode L)")
    for shape in [(2, 4, 4), (4, 3, 5), (6, 7)]:
        bad = torch.rand(*shape, generator=torch.Generator().manual_seed(94))
        expect_raises("ValueError", lambda bad=bad: student.tensor_to_image(bad),
                      what=f"tensor_to_image(tensor {shape}) (only (1, H, W) or (3, H, W) are images)")
