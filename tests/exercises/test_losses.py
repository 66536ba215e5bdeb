"""Hidden tests: losses written by hand, stable for large logits (the max trick)."""

import numpy as np
import torch
import torch.nn.functional as F

from grader.testing import (check_array, check_close, check_tensor, computed_once, expect_raises, fail,
                            graded, generator, seeded_array, seeded_tensor)


# ---------------------------------------------------------------- probes (run in the worker)
def bce_grad_and_input(student, logits, target):
    """bce_with_logits(logits, target) on logits that require grad, then .backward()"""
    before_logits, before_target = logits.detach().clone(), target.clone()
    out = student.losses.bce_with_logits(logits, target)
    unchanged = bool(torch.equal(logits.detach(), before_logits) and torch.equal(target, before_target))
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return out, None, unchanged
    out.backward()
    return out, logits.grad, unchanged


def ce_backward(student, logits, target, reduction):
    """cross_entropy(logits, target, reduction) on logits that require grad, then .backward()"""
    out = student.losses.cross_entropy(logits, target, reduction)
    if not isinstance(out, torch.Tensor) or not out.requires_grad or out.dim() != 0:
        return out, None
    out.backward()
    return out, logits.grad


def ce_keeps_input(student, logits, target):
    """cross_entropy(logits, target, "none") on logits that do not require grad"""
    before_logits, before_target = logits.clone(), target.clone()
    out = student.losses.cross_entropy(logits, target, "none")
    return out, bool(torch.equal(logits, before_logits) and torch.equal(target, before_target))


def np_reduced(student, logits, target, *args):
    """cross_entropy_np(logits, target, reduction)"""
    out = student.losses.cross_entropy_np(logits, target, *args)
    # Measured here: a 0-d array does not keep its shape () on its way back.
    if isinstance(out, np.ndarray):
        kind, shape, dtype = "ndarray", tuple(out.shape), out.dtype.name
    elif isinstance(out, np.generic):
        kind, shape, dtype = "numpy scalar", (), out.dtype.name
    else:
        return type(out).__name__, None, None, None
    value = float(out) if shape == () and out.dtype.kind == "f" else None
    return kind, shape, dtype, value


def np_keeps_input(student, task, x, *args):
    """the task on an array, then a comparison with a copy taken before the call"""
    before = [np.array(a, copy=True) for a in (x, *args)]
    out = getattr(student.losses, task)(x, *args)
    return out, all(np.array_equal(a, b) for a, b in zip((x, *args), before))


# ---------------------------------------------------------------- reference values (trusted side)
@computed_once
def ref_bce(logits, target, reduction):
    return F.binary_cross_entropy_with_logits(logits.double(), target.double(), reduction=reduction)


@computed_once
def ref_ce(logits, target, reduction):
    return F.cross_entropy(torch.as_tensor(logits).double(), torch.as_tensor(target), reduction=reduction)


@computed_once
def ref_softmax(x, axis):
    return torch.softmax(torch.as_tensor(x).double(), dim=axis).numpy()


def ce_np_reduced(student, logits, target, *args):
    """cross_entropy_np's "mean"/"sum" result: a 0-d float64 array (a NumPy float64 scalar is accepted)."""
    kind, shape, dtype, value = student.probe(np_reduced, logits, target, *args)
    what = f"cross_entropy_np(array {logits.dtype} {logits.shape}, array {target.dtype} {target.shape}" + \
        "".join(f", {a!r}" for a in args) + ")"
    if kind not in ("ndarray", "numpy scalar"):
        fail(f"{what} returned a {kind}, expected a 0-d numpy.ndarray")
    if shape != ():
        fail(f"{what} returned shape {shape}, expected () (one number for the whole batch)")
    if dtype != "float64":
        fail(f"{what} returned dtype {dtype}, expected float64")
    return np.float64(value)


def big_logits():
    """Logits of +-100 (and some large ones) with 0/1 and soft targets."""
    logits = torch.tensor([[100.0, -100.0, 100.0, -100.0],
                           [100.0, -100.0, 60.0, -90.0],
                           [-30.0, 45.0, 100.0, -100.0]])
    target = torch.tensor([[1.0, 0.0, 0.0, 1.0],
                           [0.25, 0.75, 1.0, 0.5],
                           [0.0, 1.0, 0.5, 0.0]])
    return logits, target


# ---------------------------------------------------------------- bce_with_logits
@graded("bce_with_logits", points=2, visible=True)
def test_bce_with_logits_values(student):
    for seed, shape in [(1, (6,)), (2, (3, 4)), (3, (2, 3, 2))]:
        logits = seeded_tensor(seed, *shape) * 3
        target = torch.rand(*shape, generator=generator(seed + 100))
        target[..., 0] = 1.0  # hard labels next to soft ones
        target[..., -1] = 0.0
        out = student.bce_with_logits(logits, target)
        check_tensor(out, shape=(), dtype=torch.float32)
        check_close(out, ref_bce(logits, target, "mean"), rtol=1e-5, atol=1e-6)


@graded("bce_with_logits", points=2, visible=True)
def test_bce_with_logits_reductions(student):
    for seed, shape in [(4, (5,)), (5, (2, 3, 4))]:
        logits = seeded_tensor(seed, *shape) * 2
        target = (torch.rand(*shape, generator=generator(seed + 100)) > 0.5).float()
        out = student.bce_with_logits(logits, target, reduction="none")
        check_tensor(out, shape=shape, dtype=torch.float32)
        check_close(out, ref_bce(logits, target, "none"), rtol=1e-5, atol=1e-6)
        for reduction in ("sum", "mean"):
            out = student.bce_with_logits(logits, target, reduction=reduction)
            check_tensor(out, shape=(), dtype=torch.float32)
            check_close(out, ref_bce(logits, target, reduction), rtol=1e-5, atol=1e-5)


@graded("bce_with_logits", points=1)
def test_bce_with_logits_unknown_reduction(student):
    logits, target = seeded_tensor(6, 4), torch.tensor([1.0, 0.0, 1.0, 0.0])
    out = student.bce_with_logits(logits, target, reduction="sum")
    check_tensor(out, shape=(), dtype=torch.float32)
    check_close(out, ref_bce(logits, target, "sum"), rtol=1e-5, atol=1e-5)
    expect_raises("ValueError", lambda: student.bce_with_logits(logits, target, reduction="average"))


@graded("bce_with_logits", points=3, visible=True)
def test_bce_with_logits_large_logits(student):
    logits, target = big_logits()
    out = student.bce_with_logits(logits, target, reduction="none")
    check_tensor(out, shape=(3, 4), dtype=torch.float32)
    if not torch.isfinite(out).all():
        fail(f"bce_with_logits(logits of +-100, target, reduction='none') returned "
             f"{out.tolist()}, with inf or nan; sigmoid(100) is exactly 1.0 in float32, so log(1 - p) "
             "is log(0): rewrite the loss so exp only sees numbers <= 0")
    check_close(out, ref_bce(logits, target, "none"), rtol=1e-5, atol=1e-5)
    out = student.bce_with_logits(logits, target)
    check_tensor(out, shape=(), dtype=torch.float32)
    check_close(out, ref_bce(logits, target, "mean"), rtol=1e-5, atol=1e-5)


@graded("bce_with_logits", points=1)
def test_bce_with_logits_gradient_and_inputs(student):
    logits = (seeded_tensor(7, 3, 5) * 2).requires_grad_(True)
    target = (torch.rand(3, 5, generator=generator(107)) > 0.5).float()
    out, grad, unchanged = student.probe(bce_grad_and_input, logits, target)
    check_tensor(out, shape=(), dtype=torch.float32)
    if not unchanged:
        fail("bce_with_logits modified its logits or target in place; it must leave its inputs unchanged")
    if grad is None:
        fail("bce_with_logits returned a loss that does not require grad although the logits do: "
             "gradients must flow back to the logits (no .detach(), .item() or NumPy in between)")
    expected = (torch.sigmoid(logits.detach().double()) - target.double()) / logits.numel()
    check_close(grad, expected, what="the gradient of bce_with_logits(logits, target) w.r.t. logits",
                rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- cross_entropy
@graded("cross_entropy", points=2, visible=True)
def test_cross_entropy_values(student):
    for seed, (n, c) in [(10, (4, 3)), (11, (6, 5)), (12, (1, 7))]:
        logits = seeded_tensor(seed, n, c) * 2
        target = seeded_tensor(seed + 100, n, dtype=torch.int64, high=c)
        out = student.cross_entropy(logits, target)
        check_tensor(out, shape=(), dtype=torch.float32)
        check_close(out, ref_ce(logits, target, "mean"), rtol=1e-5, atol=1e-6)


@graded("cross_entropy", points=2, visible=True)
def test_cross_entropy_reductions(student):
    for seed, (n, c) in [(13, (5, 3)), (14, (3, 8))]:
        logits = seeded_tensor(seed, n, c) * 2
        target = seeded_tensor(seed + 100, n, dtype=torch.int64, high=c)
        out = student.cross_entropy(logits, target, "none")
        check_tensor(out, shape=(n,), dtype=torch.float32)
        check_close(out, ref_ce(logits, target, "none"), rtol=1e-5, atol=1e-6)
        for reduction in ("sum", "mean"):
            out = student.cross_entropy(logits, target, reduction)
            check_tensor(out, shape=(), dtype=torch.float32)
            check_close(out, ref_ce(logits, target, reduction), rtol=1e-5, atol=1e-5)


@graded("cross_entropy", points=1)
def test_cross_entropy_unknown_reduction(student):
    logits, target = seeded_tensor(15, 2, 3), torch.tensor([0, 2])
    out = student.cross_entropy(logits, target, "sum")
    check_tensor(out, shape=(), dtype=torch.float32)
    check_close(out, ref_ce(logits, target, "sum"), rtol=1e-5, atol=1e-5)
    expect_raises("ValueError", lambda: student.cross_entropy(logits, target, "mean_of_sums"))


@graded("cross_entropy", points=3, visible=True)
def test_cross_entropy_large_logits(student):
    cases = [
        (torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0], [-1000.0, -1000.0, -999.0]]),
         torch.tensor([2, 1, 0])),
        (seeded_tensor(16, 4, 5) * 1000, seeded_tensor(116, 4, dtype=torch.int64, high=5)),
    ]
    for logits, target in cases:
        out = student.cross_entropy(logits, target, "none")
        check_tensor(out, shape=(logits.shape[0],), dtype=torch.float32)
        if not torch.isfinite(out).all():
            fail(f"cross_entropy(logits around 1e3, target, 'none') returned {out.tolist()}, with inf "
                 "or nan; exp(1000.) overflows: subtract each row's max before exp (the max trick)")
        check_close(out, ref_ce(logits, target, "none"), rtol=1e-5, atol=1e-3)
        out = student.cross_entropy(logits, target)
        check_tensor(out, shape=(), dtype=torch.float32)
        check_close(out, ref_ce(logits, target, "mean"), rtol=1e-5, atol=1e-3)


@graded("cross_entropy", points=2)
def test_cross_entropy_gradient_flows(student):
    for seed, (n, c), scale, reduction in [(17, (4, 3), 2.0, "mean"), (18, (3, 6), 1.0, "sum"),
                                           (19, (5, 4), 300.0, "mean")]:
        logits = (seeded_tensor(seed, n, c) * scale).requires_grad_(True)
        target = seeded_tensor(seed + 100, n, dtype=torch.int64, high=c)
        out, grad = student.probe(ce_backward, logits, target, reduction)
        check_tensor(out, shape=(), dtype=torch.float32)
        if grad is None:
            fail(f"cross_entropy(logits requiring grad, target, {reduction!r}) returned a loss that does "
                 "not require grad: gradients must flow back to the logits (no .detach(), .item(), "
                 "NumPy or torch.tensor(...) in between)")
        x = logits.detach().double()
        expected = torch.softmax(x, dim=1) - F.one_hot(target, c).double()
        if reduction == "mean":
            expected = expected / n
        check_close(grad, expected, rtol=1e-4, atol=1e-6,
                    what=f"the gradient of cross_entropy(logits, target, {reduction!r}) w.r.t. logits "
                         "(softmax - one_hot" + (" over N)" if reduction == "mean" else ")"))


@graded("cross_entropy", points=1)
def test_cross_entropy_keeps_input_non_square(student):
    for seed, (n, c) in [(20, (7, 3)), (21, (2, 9))]:
        logits = seeded_tensor(seed, n, c) * 5
        target = seeded_tensor(seed + 100, n, dtype=torch.int64, high=c)
        out, unchanged = student.probe(ce_keeps_input, logits, target)
        check_tensor(out, shape=(n,), dtype=torch.float32)
        check_close(out, ref_ce(logits, target, "none"), rtol=1e-5, atol=1e-5)
        if not unchanged:
            fail("cross_entropy modified its logits (or target) in place, e.g. with logits -= max: "
                 "shift a new tensor (logits - m) and leave the input unchanged")


# ---------------------------------------------------------------- softmax_np
@graded("softmax_np", points=2, visible=True)
def test_softmax_np_values(student):
    for seed, shape in [(30, (3, 4)), (31, (6,)), (32, (2, 5))]:
        x = seeded_array(seed, *shape) * 3
        out = student.softmax_np(x)
        check_array(out, shape=shape, dtype="float64")
        check_close(out, ref_softmax(x, -1), rtol=1e-6, atol=1e-9)


@graded("softmax_np", points=2, visible=True)
def test_softmax_np_axis(student):
    for seed, shape, axis in [(33, (3, 5), 0), (34, (2, 3, 4), 1), (35, (4, 2, 3), -2), (36, (2, 3, 4), 0)]:
        x = seeded_array(seed, *shape) * 2
        out = student.softmax_np(x, axis=axis)
        check_array(out, shape=shape, dtype="float64")
        check_close(out, ref_softmax(x, axis), rtol=1e-6, atol=1e-9)


@graded("softmax_np", points=3, visible=True)
def test_softmax_np_large_inputs(student):
    cases = [
        (np.array([[1000.0, 1000.0], [1000.0, 0.0], [-1000.0, -1000.0], [0.0, 800.0]]), -1),
        (seeded_array(37, 4, 6) * 1000, -1),
        (seeded_array(38, 5, 3) * 1000, 0),
    ]
    for x, axis in cases:
        out = student.softmax_np(x, axis=axis)
        check_array(out, shape=x.shape, dtype="float64")
        if not np.isfinite(out).all():
            fail(f"softmax_np(x with values around 1e3, axis={axis}) returned inf or nan (first row "
                 f"{out.reshape(-1, out.shape[-1])[0].tolist()}); exp(1000.) overflows: subtract "
                 "the max along the axis first")
        check_close(out, ref_softmax(x, axis), rtol=1e-6, atol=1e-12)


@graded("softmax_np", points=1)
def test_softmax_np_keeps_input(student):
    x = seeded_array(39, 3, 4) * 10
    out, unchanged = student.probe(np_keeps_input, "softmax_np", x, 0)
    what = "softmax_np(array float64 (3, 4), 0)"
    check_array(out, shape=(3, 4), dtype="float64", what=what)
    check_close(out, ref_softmax(x, 0), rtol=1e-6, atol=1e-9, what=what)
    if not unchanged:
        fail("softmax_np modified its input in place (x -= ... or np.exp(x, out=x)); "
             "compute into new arrays and leave x unchanged")


# ---------------------------------------------------------------- cross_entropy_np
@graded("cross_entropy_np", points=2, visible=True)
def test_cross_entropy_np_values(student):
    for seed, (n, c) in [(40, (4, 3)), (41, (5, 6)), (42, (1, 2))]:
        logits = seeded_array(seed, n, c) * 2
        target = seeded_array(seed + 100, n, dtype="int64", high=c)
        out = ce_np_reduced(student, logits, target)
        check_close(out, ref_ce(logits, target, "mean"), rtol=1e-6, atol=1e-9,
                    what=f"cross_entropy_np(array {logits.shape}, target)")


@graded("cross_entropy_np", points=2)
def test_cross_entropy_np_reductions(student):
    for seed, (n, c) in [(43, (6, 3)), (44, (3, 7))]:
        logits = seeded_array(seed, n, c) * 2
        target = seeded_array(seed + 100, n, dtype="int64", high=c)
        out = student.cross_entropy_np(logits, target, "none")
        check_array(out, shape=(n,), dtype="float64")
        check_close(out, ref_ce(logits, target, "none"), rtol=1e-6, atol=1e-9)
        for reduction in ("sum", "mean"):
            out = ce_np_reduced(student, logits, target, reduction)
            check_close(out, ref_ce(logits, target, reduction), rtol=1e-6, atol=1e-9,
                        what=f"cross_entropy_np(array {logits.shape}, target, {reduction!r})")
    logits, target = seeded_array(45, 2, 3), np.array([0, 2])
    expect_raises("ValueError", lambda: student.cross_entropy_np(logits, target, "total"))


@graded("cross_entropy_np", points=3, visible=True)
def test_cross_entropy_np_large_logits(student):
    cases = [
        (np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0], [-1000.0, -1000.0, -999.0]]),
         np.array([2, 1, 0])),
        (seeded_array(46, 5, 4) * 1000, seeded_array(146, 5, dtype="int64", high=4)),
    ]
    for logits, target in cases:
        out = student.cross_entropy_np(logits, target, "none")
        check_array(out, shape=(logits.shape[0],), dtype="float64")
        if not np.isfinite(out).all():
            fail(f"cross_entropy_np(logits around 1e3, target, 'none') returned {out.tolist()}, with "
                 "inf or nan; a probability of exp(-1000) is 0 and log(0) = -inf: stay in log space "
                 "(x - m - log(sum(exp(x - m))))")
        check_close(out, ref_ce(logits, target, "none"), rtol=1e-7, atol=1e-6)
        out = ce_np_reduced(student, logits, target)
        check_close(out, ref_ce(logits, target, "mean"), rtol=1e-7, atol=1e-6,
                    what="cross_entropy_np(logits around 1e3, target)")


@graded("cross_entropy_np", points=1)
def test_cross_entropy_np_keeps_input(student):
    logits = seeded_array(47, 3, 5) * 4
    target = np.array([4, 0, 2])
    out, unchanged = student.probe(np_keeps_input, "cross_entropy_np", logits, target, "none")
    what = "cross_entropy_np(array float64 (3, 5), array int64 (3,), 'none')"
    check_array(out, shape=(3,), dtype="float64", what=what)
    check_close(out, ref_ce(logits, target, "none"), rtol=1e-6, atol=1e-9, what=what)
    if not unchanged:
        fail("cross_entropy_np modified its logits (or target) in place, e.g. with logits -= max: "
             "shift into a new array and leave the input unchanged")
