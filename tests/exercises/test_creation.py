"""Hidden tests: linspace, arange, random data."""

import numpy as np
import torch

from grader.testing import check_array, check_close, check_tensor, fail, graded, kind_of


# ---------------------------------------------------------------- probes (run in the worker)
def global_rng_untouched(student, n, d, k, seed):
    """make_classification_data(n, d, k, seed), comparing torch's global RNG state before and after"""
    before = rng_state().clone()
    out = student.creation.make_classification_data(n, d, k, seed)
    after = rng_state()
    _real.set_rng_state(before)
    return out, before, after


def independent_of_global_rng(student, n, d, k, seed):
    """make_classification_data(n, d, k, seed) after two different torch.manual_seed calls"""
    torch.manual_seed(1)
    first = student.creation.make_classification_data(n, d, k, seed)
    torch.manual_seed(2)
    return first, student.creation.make_classification_data(n, d, k, seed)


# ---------------------------------------------------------------- helpers
def check_pair(out, n, d):
    """make_classification_data returns (X, y): X float32 (n, d), y int64 (n,)."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        fail(f"make_classification_data(n={n}, d={d}, ...) returned {kind_of(out)}, expected a pair (X, y)")
    X, y = out
    check_tensor(X, shape=(n, d), dtype=torch.float32, device="cpu",
                 what=f"make_classification_data(n={n}, d={d}, ...) as X")
    check_tensor(y, shape=(n,), dtype=torch.int64, device="cpu",
                 what=f"make_classification_data(n={n}, d={d}, ...) as y")
    return X, y


def check_random(X, y, n, d, k):
    """Enough draws to see that X is standard normal and that y takes several labels."""
    if n * d >= 40:
        mean, std = float(X.mean()), float(X.std())
        if abs(mean) > 0.4 or abs(std - 1.0) > 0.4:
            fail(f"make_classification_data({n}, {d}, {k}, ...) gave X with mean {mean:.3f} and std "
                 f"{std:.3f}; expected standard normal values (mean 0, std 1), as torch.randn gives")
    if n >= 10 and k > 1:
        labels = sorted(int(v) for v in torch.unique(y))
        if len(labels) < 2 or labels[0] < 0 or labels[-1] >= k:
            fail(f"make_classification_data({n}, {d}, k={k}, ...) gave the labels {labels}; expected "
                 f"random labels in [0, {k}), several of them among {n} samples")


# ---------------------------------------------------------------- evenly_spaced
@graded("evenly_spaced", points=2, visible=True)
def test_evenly_spaced_values(student):
    for start, end, steps in [(0.0, 1.0, 5), (-2.5, 3.0, 12), (1.0, 0.0, 7)]:
        out = student.evenly_spaced(start, end, steps)
        check_tensor(out, shape=(steps,), dtype=torch.float32, device="cpu")
        check_close(out, torch.linspace(start, end, steps, dtype=torch.float32))


@graded("evenly_spaced", points=2)
def test_evenly_spaced_includes_end(student):
    # Float steps that arange gets wrong: 0.1 is not exact, and arange stops before the end.
    for start, end, steps in [(0.0, 1.0, 11), (-1.0, 2.0, 31), (3.0, 7.0, 4)]:
        out = student.evenly_spaced(start, end, steps)
        check_tensor(out, shape=(steps,), dtype=torch.float32)
        if abs(float(out[0]) - start) > 1e-6 or abs(float(out[-1]) - end) > 1e-5:
            fail(f"evenly_spaced({start}, {end}, {steps}) runs from {float(out[0]):g} to "
                 f"{float(out[-1]):g}; both ends are included: it must run from {start:g} to {end:g}")
        check_close(out, torch.linspace(start, end, steps, dtype=torch.float32))


@graded("evenly_spaced", points=1)
def test_evenly_spaced_edge_cases(student):
    # Integer arguments still give float32; one point is just the start; two are the two ends.
    for start, end, steps in [(0, 10, 6), (4.0, 9.0, 1), (-3.0, 5.0, 2)]:
        out = student.evenly_spaced(start, end, steps)
        check_tensor(out, shape=(steps,), dtype=torch.float32)
        check_close(out, torch.linspace(start, end, steps, dtype=torch.float32))


# ---------------------------------------------------------------- index_range
@graded("index_range", points=1, visible=True)
def test_index_range_values(student):
    for n in (4, 10, 1):
        out = student.index_range(n)
        check_array(out, shape=(n,), dtype="int64")
        check_close(out, np.arange(n, dtype=np.int64))


@graded("index_range", points=2)
def test_index_range_int64_any_size(student):
    for n in (0, 7, 1000):
        out = student.index_range(n)
        check_array(out, shape=(n,), dtype="int64")
        check_close(out, np.arange(n, dtype=np.int64))


# ---------------------------------------------------------------- make_classification_data
@graded("make_classification_data", points=2, visible=True)
def test_make_classification_data_shapes(student):
    for n, d, k, seed in [(20, 3, 4, 0), (7, 5, 2, 11), (1, 1, 3, 5)]:
        X, y = check_pair(student.make_classification_data(n, d, k, seed), n, d)
        if (int(y.min()) < 0 or int(y.max()) >= k):
            fail(f"make_classification_data({n}, {d}, k={k}, seed={seed}) gave labels from "
                 f"{int(y.min())} to {int(y.max())}; expected labels in [0, {k})")
        check_random(X, y, n, d, k)


@graded("make_classification_data", points=2, visible=True)
def test_make_classification_data_reproducible(student):
    n, d, k = 30, 4, 5
    X1, y1 = check_pair(student.make_classification_data(n, d, k, 3), n, d)
    X2, y2 = check_pair(student.make_classification_data(n, d, k, 3), n, d)
    if not (torch.equal(X1, X2) and torch.equal(y1, y2)):
        fail("make_classification_data(30, 4, 5, seed=3) called twice gave different data; "
             "the same seed must give identical X and y")
    X3, y3 = check_pair(student.make_classification_data(n, d, k, 4), n, d)
    if torch.equal(X1, X3):
        fail("make_classification_data(30, 4, 5, seed=3) and (..., seed=4) gave the same X; "
             "different seeds must give different data (is the seed used?)")


@graded("make_classification_data", points=3, visible=True)
def test_make_classification_data_leaves_global_rng_alone(student):
    out, before, after = student.probe(global_rng_untouched, 10, 4, 3, 7)
    check_random(*check_pair(out, 10, 4), 10, 4, 3)
    if not torch.equal(before, after):
        fail("make_classification_data(10, 4, 3, seed=7) changed torch's global random state "
             "(torch.get_rng_state() differs after the call); use a torch.Generator of your own "
             "and pass generator= instead of calling torch.manual_seed")
    out, again = student.probe(independent_of_global_rng, 10, 4, 3, 7)
    X1, y1 = check_pair(out, 10, 4)
    check_random(X1, y1, 10, 4, 3)
    X2, y2 = check_pair(again, 10, 4)
    if not (torch.equal(X1, X2) and torch.equal(y1, y2)):
        fail("make_classification_data(10, 4, 3, seed=7) gave different data depending on the "
             "global random state; draw every random number from your own seeded torch.Generator")


@graded("make_classification_data", points=2, visible=True)
def test_make_classification_data_distributions(student):
    n, d, k = 600, 4, 3
    X, y = check_pair(student.make_classification_data(n, d, k, 12), n, d)
    labels = sorted(int(v) for v in torch.unique(y))
    if labels != list(range(k)):
        fail(f"make_classification_data({n}, {d}, k={k}, seed=12) produced the labels {labels}; "
             f"with {n} samples every label of 0..{k - 1} should occur (randint's high is excluded)")
    mean, std = float(X.mean()), float(X.std())
    if abs(mean) > 0.15 or abs(std - 1.0) > 0.15 or float(X.min()) >= 0:
        fail(f"make_classification_data({n}, {d}, {k}, seed=12) gave X with mean {mean:.3f} and std "
             f"{std:.3f}; expected standard normal values (mean 0, std 1), as torch.randn gives")
