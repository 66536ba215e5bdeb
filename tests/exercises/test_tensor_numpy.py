"""Hidden tests: tensor <-> numpy conversion."""

import numpy as np
import torch

from grader.testing import (check_array, check_close, check_equal, check_tensor, fail, graded,
                            on_cuda_stand_in, seeded_array, seeded_tensor)


# ---------------------------------------------------------------- probes (run in the worker)
def to_numpy_keeps_grad(student, t):
    """to_numpy(t) on a tensor that requires grad"""
    out = student.tensor_numpy.to_numpy(t)
    return out, t.requires_grad


def to_numpy_on_cuda(student, t):
    """to_numpy(t) on a CUDA tensor that requires grad"""
    t = t.cuda().requires_grad_(True)
    return student.tensor_numpy.to_numpy(t)


def shared_writes(student, a):
    """shared_tensor(a), then writes through the tensor and the array"""
    t = student.tensor_numpy.shared_tensor(a)
    t = plain(t) if isinstance(t, torch.Tensor) else t  # written through as a tensor, whatever its class
    t[0] = 123
    a[1] = -7
    return a[0].item(), t[1].item(), str(t.dtype), str(torch.from_numpy(a).dtype)


# ---------------------------------------------------------------- to_numpy
@graded("to_numpy", points=2, visible=True)
def test_to_numpy_values_shape_dtype(student):
    for seed, shape, dtype in [(1, (3, 4), torch.float32), (2, (2, 5, 3), torch.float64),
                               (3, (7,), torch.int64)]:
        t = seeded_tensor(seed, *shape, dtype=dtype)
        out = student.to_numpy(t)
        check_array(out, shape=shape, dtype=t.numpy().dtype)
        check_close(out, t.numpy())


@graded("to_numpy", points=2, visible=True)
def test_to_numpy_requires_grad(student):
    t = seeded_tensor(4, 4, 3).requires_grad_(True)
    out, still_requires_grad = student.probe(to_numpy_keeps_grad, t)
    check_array(out, shape=(4, 3), dtype="float32")
    check_close(out, t.detach().numpy())
    if still_requires_grad is not True:
        fail("to_numpy turned off requires_grad on its input; use .detach(), which leaves it alone")


@graded("to_numpy", points=1, gpu=True)
def test_to_numpy_cuda_tensor(student):
    t = seeded_tensor(5, 2, 6)
    out = student.probe(to_numpy_on_cuda, t)
    check_array(out, shape=(2, 6), dtype="float32")
    check_close(out, t.numpy())


@graded("to_numpy", points=1, visible=True)
def test_to_numpy_cuda_stand_in(student):
    # Checked without a GPU: a tensor that answers like a CUDA one until .cpu() brings it back.
    # Without grad: a missing .detach() loses its own test, not this one.
    for seed, shape, dtype in ((17, (2, 5), torch.float32), (18, (4,), torch.float64)):
        t = seeded_tensor(seed, *shape, dtype=dtype)
        out = student.probe(on_cuda_stand_in, "tensor_numpy", "to_numpy", t, False)
        what = f"to_numpy(t) for a CUDA t {tuple(shape)} (a stand-in)"
        check_array(out, shape=shape, dtype=t.numpy().dtype, what=what)
        check_close(out, t.numpy(), what=what)


# ---------------------------------------------------------------- to_tensor
@graded("to_tensor", points=2, visible=True)
def test_to_tensor_float32_values(student):
    for a in (seeded_array(6, 3, 4), seeded_array(7, 5, dtype="int64"), seeded_array(8, 2, 2, 2, dtype="float32")):
        out = student.to_tensor(a)
        check_tensor(out, shape=a.shape, dtype=torch.float32)
        check_close(out, a.astype(np.float32))
        if student.facts(out).get("requires_grad"):
            fail("to_tensor(a) returned a tensor that requires grad; the default is requires_grad=False")


@graded("to_tensor", points=2, visible=True)
def test_to_tensor_leaf_with_grad(student):
    for a in (seeded_array(9, 4, 2), seeded_array(10, 6, dtype="int32")):
        out = student.to_tensor(a, requires_grad=True)
        check_tensor(out, shape=a.shape, dtype=torch.float32)
        facts = student.facts(out)
        if not facts.get("requires_grad"):
            fail("to_tensor(a, requires_grad=True) returned a tensor that does not require grad")
        if not facts.get("is_leaf"):
            fail(f"to_tensor(a, requires_grad=True) returned a non-leaf tensor (made by "
                 f"{facts.get('grad_fn')}); set the dtype first, then requires_grad")
        check_close(out, a.astype(np.float32))


# ---------------------------------------------------------------- shared_tensor
@graded("shared_tensor", points=1, visible=True)
def test_shared_tensor_values(student):
    for a in (seeded_array(11, 3, 3), seeded_array(12, 8, dtype="int64")):
        out = student.shared_tensor(a)
        check_tensor(out, shape=a.shape)
        check_close(out, a)


@graded("shared_tensor", points=2, visible=True)
def test_shared_tensor_shares_memory(student):
    for a in (seeded_array(13, 5), seeded_array(14, 4, dtype="float32")):
        a0, t1, dtype, array_dtype = student.probe(shared_writes, a)
        if dtype != array_dtype:
            fail("shared_tensor changed the dtype, which forces a copy; keep the array's dtype")
        check_equal(a0, 123.0, what="after t[0] = 123, a[0]")
        check_equal(t1, -7.0, what="after a[1] = -7, t[1]")


def to_numpy_transposed(student, base):
    """to_numpy(t) on a non-contiguous tensor (a transpose)"""
    return student.tensor_numpy.to_numpy(base.t())


def to_tensor_input_kept(student, a):
    """to_tensor(a, requires_grad=True), then a check that a is unchanged"""
    before = a.copy()
    out = student.tensor_numpy.to_tensor(a, requires_grad=True)
    return out, a.dtype == before.dtype and bool((a == before).all())


@graded("to_numpy", points=1)
def test_to_numpy_non_contiguous(student):
    base = seeded_tensor(15, 3, 5)
    out = student.probe(to_numpy_transposed, base)
    check_array(out, shape=(5, 3), dtype="float32")
    check_close(out, base.t().numpy())


@graded("to_tensor", points=1)
def test_to_tensor_leaves_its_input_alone(student):
    a = seeded_array(16, 4, 3, dtype="int64")
    out, unchanged = student.probe(to_tensor_input_kept, a)
    check_tensor(out, shape=(4, 3), dtype=torch.float32)
    if not unchanged:
        fail("to_tensor changed the array it was given; convert a copy, never the input")
    check_close(out, a.astype(np.float32))
