"""Hidden tests: axis sums and maxima."""

import numpy as np
import torch

from grader.testing import check_array, check_close, check_tensor, fail, graded, seeded_array, seeded_tensor


# ---------------------------------------------------------------- probes (run in the worker)
def normalize_keeps_input(student, a):
    """normalize_rows(a) on a float64 array (a is checked for changes)"""
    before = a.copy()
    out = student.reductions.normalize_rows(a)
    return out, bool(np.array_equal(before, a))


def channel_means_keeps_input(student, images):
    """channel_means(images) on a float64 (2, 4, 3, 3) batch (images is checked for changes)"""
    before = images.clone()
    out = student.reductions.channel_means(images)
    return out, bool(torch.equal(before, images))


def positive_array(seed, *shape, dtype="float64"):
    """Values in [1, 10): row sums are never zero."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.uniform(1.0, 10.0, size=shape).astype(dtype)
    return rng.integers(1, 10, size=shape).astype(dtype)


def kind_of_dtype(a):
    return "float" if a.dtype.kind == "f" else "int"


# ---------------------------------------------------------------- column_sums
@graded("column_sums", points=1, visible=True)
def test_column_sums_basic(student):
    a = seeded_array(1, 3, 5)
    out = student.column_sums(a)
    check_array(out, shape=(5,), dtype="float")
    check_close(out, a.sum(axis=0))


@graded("column_sums", points=2)
def test_column_sums_non_square(student):
    for a in (seeded_array(2, 4, 7, dtype="int64", low=-9, high=10), seeded_array(3, 6, 2, dtype="float32"),
              seeded_array(4, 1, 4)):
        out = student.column_sums(a)
        check_array(out, shape=(a.shape[1],), dtype=kind_of_dtype(a))
        check_close(out, a.sum(axis=0), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- row_sums
@graded("row_sums", points=1, visible=True)
def test_row_sums_basic(student):
    a = seeded_array(5, 3, 5)
    out = student.row_sums(a)
    check_array(out, shape=(3,), dtype="float")
    check_close(out, a.sum(axis=1))


@graded("row_sums", points=2, visible=True)
def test_row_sums_keepdims(student):
    for a in (seeded_array(6, 4, 6), seeded_array(7, 5, 2, dtype="int64", low=-9, high=10)):
        out = student.row_sums(a, keepdims=True)
        check_array(out, shape=(a.shape[0], 1), dtype=kind_of_dtype(a))
        check_close(out, a.sum(axis=1, keepdims=True))
        out = student.row_sums(a, keepdims=False)
        check_array(out, shape=(a.shape[0],), dtype=kind_of_dtype(a))
        check_close(out, a.sum(axis=1))


@graded("row_sums", points=1)
def test_row_sums_non_square(student):
    for a in (seeded_array(8, 2, 7, dtype="float32"), seeded_array(9, 6, 1), seeded_array(10, 1, 5)):
        out = student.row_sums(a)
        check_array(out, shape=(a.shape[0],), dtype="float")
        check_close(out, a.sum(axis=1), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- normalize_rows
@graded("normalize_rows", points=2, visible=True)
def test_normalize_rows_basic(student):
    a = positive_array(11, 3, 4)
    out = student.normalize_rows(a)
    check_array(out, shape=(3, 4), dtype="float")
    check_close(out, a / a.sum(axis=1, keepdims=True))


@graded("normalize_rows", points=2)
def test_normalize_rows_non_square_and_square(student):
    # (n, m) / (n,) raises when n != m and silently divides by the wrong sums when n == m.
    for a in (positive_array(12, 5, 3), positive_array(13, 2, 6), positive_array(14, 4, 4)):
        out = student.normalize_rows(a)
        check_array(out, shape=a.shape, dtype="float")
        check_close(out.sum(axis=1), np.ones(a.shape[0]), what=f"the row sums of normalize_rows(array {a.shape})")
        check_close(out, a / a.sum(axis=1, keepdims=True))


@graded("normalize_rows", points=2, visible=True)
def test_normalize_rows_int_input_and_unchanged(student):
    a = positive_array(15, 3, 5, dtype="int64")
    out = student.normalize_rows(a)
    check_array(out, shape=(3, 5), dtype="float")
    check_close(out, a / a.sum(axis=1, keepdims=True))
    b = positive_array(16, 4, 2)
    out, unchanged = student.probe(normalize_keeps_input, b)
    check_array(out, shape=(4, 2), dtype="float")
    if not unchanged:
        fail("normalize_rows(a) modified a in place (a /= ...); return a new array and leave a unchanged")
    check_close(out, b / b.sum(axis=1, keepdims=True))


# ---------------------------------------------------------------- max_along
@graded("max_along", points=1, visible=True)
def test_max_along_matrix(student):
    a = seeded_array(17, 4, 5)
    for axis in (0, 1):
        out = student.max_along(a, axis)
        check_array(out, shape=a.max(axis=axis).shape, dtype="float")
        check_close(out, a.max(axis=axis))


@graded("max_along", points=2)
def test_max_along_any_axis(student):
    a = seeded_array(18, 2, 3, 4, dtype="int64", low=-50, high=50)
    for axis in (0, 1, 2, -1):
        out = student.max_along(a, axis)
        check_array(out, shape=a.max(axis=axis).shape, dtype="int")
        check_close(out, a.max(axis=axis))
    b = seeded_array(19, 5, 2, dtype="float32")
    for axis in (1, 0, -2):
        out = student.max_along(b, axis)
        check_array(out, shape=b.max(axis=axis).shape, dtype="float32")
        check_close(out, b.max(axis=axis))


# ---------------------------------------------------------------- channel_means
def channel_batch(seed, n, c, h, w, dtype=torch.float32):
    """Each channel gets its own offset, so averaging the wrong dims gives other values."""
    offsets = torch.arange(c, dtype=dtype).reshape(1, c, 1, 1) * 3.0 - 2.0
    return seeded_tensor(seed, n, c, h, w).to(dtype) + offsets


@graded("channel_means", points=1, visible=True)
def test_channel_means_basic(student):
    images = channel_batch(20, 2, 3, 4, 5)
    out = student.channel_means(images)
    check_tensor(out, shape=(3,), dtype=torch.float32, device="cpu")
    check_close(out, images.mean(dim=(0, 2, 3)), rtol=1e-5, atol=1e-5)


@graded("channel_means", points=3)
def test_channel_means_nchw_dims(student):
    # N == C makes dims (1, 2, 3) give the right shape with the wrong values; H == W hides nothing.
    for seed, shape in [(21, (3, 3, 4, 5)), (22, (4, 2, 6, 6)), (23, (1, 5, 2, 3)), (24, (6, 1, 3, 2))]:
        images = channel_batch(seed, *shape)
        out = student.channel_means(images)
        check_tensor(out, shape=(shape[1],), dtype=torch.float32)
        check_close(out, images.mean(dim=(0, 2, 3)), rtol=1e-5, atol=1e-5)


@graded("channel_means", points=1)
def test_channel_means_float64_unchanged(student):
    images = channel_batch(25, 2, 4, 3, 3, dtype=torch.float64)
    out, unchanged = student.probe(channel_means_keeps_input, images)
    check_tensor(out, shape=(4,), dtype=torch.float64)
    if not unchanged:
        fail("channel_means(images) modified images in place; leave the input unchanged")
    check_close(out, images.mean(dim=(0, 2, 3)), rtol=1e-9, atol=1e-9)
