"""Hidden tests: fancy indexing."""

import numpy as np
import torch

from grader.testing import check_array, check_close, check_tensor, fail, graded, seeded_array, seeded_tensor


# ---------------------------------------------------------------- probes (run in the worker)
def replace_keeps_input(student, a, value):
    """replace_negative(a, value) (a is checked for changes)"""
    before = a.copy()
    out = student.indexing.replace_negative(a, value)
    return out, bool(np.array_equal(before, a)), out is a


def pick_backward(student, t, idx, weights):
    """torch_pick_per_row(t, idx) with t a leaf that requires grad"""
    t = t.clone().requires_grad_(True)
    out = student.indexing.torch_pick_per_row(t, idx)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return out, None
    (out * weights).sum().backward()  # a scalar backward: no grad_tensors, no sympy import
    return out, t.grad


def pick_on_cuda(student, t, idx):
    """torch_pick_per_row(t, idx) with t (requiring grad) and idx on the GPU"""
    t = t.cuda().requires_grad_(True)
    out = student.indexing.torch_pick_per_row(t, idx.cuda())
    device = str(getattr(out, "device", type(out).__name__))
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return out.detach().cpu() if isinstance(out, torch.Tensor) else out, device, None
    out.sum().backward()
    return out.detach().cpu(), device, t.grad.cpu()


def mixed_array(seed, *shape, dtype="float64"):
    """Values in [-5, 5), with plenty of negatives and positives."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.uniform(-5.0, 5.0, size=shape).astype(dtype)
    return rng.integers(-5, 5, size=shape).astype(dtype)


# ---------------------------------------------------------------- select_columns
@graded("select_columns", points=1, visible=True)
def test_select_columns_basic(student):
    a = seeded_array(1, 3, 5)
    out = student.select_columns(a, [1, 4])
    check_array(out, shape=(3, 2), dtype="float64")
    check_close(out, a[:, [1, 4]])


@graded("select_columns", points=2, visible=True)
def test_select_columns_keeps_given_order(student):
    a = seeded_array(2, 4, 6, dtype="int64")
    for cols in ([3, 0, 2], [5, 4, 3, 2, 1, 0], [2, 2, 0]):
        out = student.select_columns(a, cols)
        check_array(out, shape=(4, len(cols)), dtype="int64")
        check_close(out, a[:, cols])
    b = seeded_array(3, 2, 5, dtype="float32")
    cols = np.array([4, 1], dtype=np.int64)
    out = student.select_columns(b, cols)
    check_array(out, shape=(2, 2), dtype="float32")
    check_close(out, b[:, cols])


# ---------------------------------------------------------------- pick_per_row
@graded("pick_per_row", points=1, visible=True)
def test_pick_per_row_basic(student):
    a = seeded_array(4, 3, 4)
    cols = [2, 0, 3]
    out = student.pick_per_row(a, cols)
    check_array(out, shape=(3,), dtype="float64")
    check_close(out, a[np.arange(3), cols])


@graded("pick_per_row", points=2)
def test_pick_per_row_one_per_row(student):
    # a[:, cols] returns an (n, n) block: these inputs must give one element per row.
    cases = [(seeded_array(5, 5, 3), np.array([2, 0, 1, 1, 2])),
             (seeded_array(6, 4, 4, dtype="int64"), [3, 3, 0, 1]),
             (seeded_array(7, 2, 7, dtype="float32"), [6, 0])]
    for a, cols in cases:
        out = student.pick_per_row(a, cols)
        check_array(out, shape=(a.shape[0],), dtype=a.dtype)
        check_close(out, a[np.arange(a.shape[0]), cols])


# ---------------------------------------------------------------- values_above
@graded("values_above", points=1, visible=True)
def test_values_above_basic(student):
    a = seeded_array(8, 3, 4)
    out = student.values_above(a, 0.5)
    expected = a[a > 0.5]
    check_array(out, shape=expected.shape, dtype="float64")
    check_close(out, expected)


@graded("values_above", points=2, visible=True)
def test_values_above_flat_values_row_major(student):
    # A mask (bool) or a 2-D result (np.where) is not the list of values.
    a = seeded_array(9, 4, 6, dtype="int64")
    for threshold in (5, 0, 8):  # elements equal to the threshold are not above it
        out = student.values_above(a, threshold)
        expected = a[a > threshold]
        check_array(out, shape=expected.shape, dtype="int64")
        check_close(out, expected)
    b = seeded_array(10, 3, 2, 2, dtype="float32")
    out = student.values_above(b, -0.2)
    expected = b[b > -0.2]
    check_array(out, shape=expected.shape, dtype="float32")
    check_close(out, expected)


@graded("values_above", points=1)
def test_values_above_nothing_above(student):
    # An empty answer is right only next to a full one: zeros of any length are not it.
    a = seeded_array(11, 3, 3)
    out = student.values_above(a, 100.0)
    check_array(out, shape=(0,), dtype="float64")
    out = student.values_above(a, -100.0)
    check_array(out, shape=(9,), dtype="float64")
    check_close(out, a.reshape(-1), what="values_above(array (3, 3), -100.0) (every value, row-major)")


# ---------------------------------------------------------------- replace_negative
@graded("replace_negative", points=1, visible=True)
def test_replace_negative_basic(student):
    a = mixed_array(12, 3, 4)
    out = student.replace_negative(a, 0.0)
    check_array(out, shape=(3, 4), dtype="float64")
    check_close(out, np.where(a < 0, 0.0, a))


@graded("replace_negative", points=2, visible=True)
def test_replace_negative_leaves_input_unchanged(student):
    for a, value in ((mixed_array(13, 4, 5), -1.0), (mixed_array(14, 6, dtype="int64"), 7)):
        a.flat[1] = 0  # zeros are not negative: they stay
        out, unchanged, same_object = student.probe(replace_keeps_input, a, value)
        if not unchanged:
            fail(f"replace_negative(array {a.dtype} {a.shape}, {value}) modified its input in place; "
                 f"copy a first and replace the entries of the copy")
        if same_object:
            fail(f"replace_negative(array {a.dtype} {a.shape}, {value}) returned the array it was given, "
                 f"not a copy; copy a first and replace the entries of the copy")
        check_array(out, shape=a.shape, dtype=a.dtype)
        check_close(out, np.where(a < 0, value, a).astype(a.dtype))


@graded("replace_negative", points=1, visible=True)
def test_replace_negative_value_and_dtype(student):
    # Replacement values other than 0 (clipping is not it), zeros stay, and the dtype stays.
    for a, value in ((mixed_array(15, 3, 2, 2, dtype="int64"), 3), (mixed_array(16, 5, 3, dtype="float32"), 2.5),
                     (mixed_array(17, 2, 3), -9.0)):
        out = student.replace_negative(a, value)
        check_array(out, shape=a.shape, dtype=a.dtype)
        check_close(out, np.where(a < 0, value, a).astype(a.dtype))


# ---------------------------------------------------------------- torch_pick_per_row
@graded("torch_pick_per_row", points=1, visible=True)
def test_torch_pick_per_row_basic(student):
    t = seeded_tensor(18, 3, 4)
    idx = torch.tensor([2, 0, 3])
    out = student.torch_pick_per_row(t, idx)
    check_tensor(out, shape=(3,), dtype=torch.float32, device="cpu")
    check_close(out, t[torch.arange(3), idx])


@graded("torch_pick_per_row", points=2)
def test_torch_pick_per_row_one_per_row(student):
    for seed, shape in [(19, (5, 3)), (20, (4, 4)), (21, (2, 6))]:
        t = seeded_tensor(seed, *shape)
        idx = seeded_tensor(seed + 100, shape[0], dtype=torch.int64, low=0, high=shape[1])
        out = student.torch_pick_per_row(t, idx)
        check_tensor(out, shape=(shape[0],), dtype=torch.float32)
        check_close(out, t[torch.arange(shape[0]), idx])


@graded("torch_pick_per_row", points=3, visible=True)
def test_torch_pick_per_row_gradients_flow(student):
    for seed, shape in [(22, (4, 3)), (23, (3, 5))]:
        t = seeded_tensor(seed, *shape)
        idx = seeded_tensor(seed + 100, shape[0], dtype=torch.int64, low=0, high=shape[1])
        weights = torch.arange(1, shape[0] + 1, dtype=torch.float32)
        out, grad = student.probe(pick_backward, t, idx, weights)
        check_tensor(out, shape=(shape[0],), dtype=torch.float32)
        if grad is None:
            fail(f"torch_pick_per_row(t, idx) with t requiring grad returned a tensor that does not "
                 f"require grad: the graph was cut (.detach(), .item(), a NumPy round trip?); "
                 f"index t directly so that gradients flow back to t")
        expected = torch.zeros(shape)
        expected[torch.arange(shape[0]), idx] = weights
        check_close(grad, expected, what=f"t.grad after (torch_pick_per_row(t, idx) * w).sum().backward() "
                                         f"(w[i] should land on t[i, idx[i]] only)")
        check_close(out, t[torch.arange(shape[0]), idx])


@graded("torch_pick_per_row", points=1, gpu=True)
def test_torch_pick_per_row_cuda(student):
    t = seeded_tensor(24, 4, 5)
    idx = torch.tensor([4, 0, 2, 2])
    out, device, grad = student.probe(pick_on_cuda, t, idx)
    if not device.startswith("cuda"):
        fail(f"torch_pick_per_row(t, idx) on CUDA tensors returned a tensor on {device}; keep it on t's device")
    check_tensor(out, shape=(4,), dtype=torch.float32)
    check_close(out, t[torch.arange(4), idx])
    if grad is None:
        fail("torch_pick_per_row(t, idx) on CUDA tensors, t requiring grad, returned a tensor that does "
             "not require grad; index t directly so that gradients flow back to t")
    expected = torch.zeros(4, 5)
    expected[torch.arange(4), idx] = 1.0
    check_close(grad, expected, what="t.grad after torch_pick_per_row(t, idx).sum().backward() on CUDA")
