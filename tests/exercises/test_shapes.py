"""Hidden tests: view vs transpose, squeeze/unsqueeze."""

import torch

from grader.testing import check_close, check_tensor, fail, graded, seeded_tensor


# ---------------------------------------------------------------- probes (run in the worker)
def rows_view_shares(student, t, rows):
    """rows_view(t, rows), and where the memory of its result and of t lies"""
    out = student.shapes.rows_view(t, rows)
    return out, storage_ptr(out), storage_ptr(t)


def on_transposed(student, base, task, *args):
    """the task on a non-contiguous input (a transposed tensor)"""
    t = base.transpose(0, 1)
    assert not t.is_contiguous()
    return getattr(student.shapes, task)(t, *args)


# ---------------------------------------------------------------- swap_last_two
RE_VIEW = "a re-view (view/reshape), not a transpose: the elements come back in the input's order"


def re_viewed(t):
    """The lesson's classic mistake: the same data read with the last two sizes swapped."""
    return t.reshape(*t.shape[:-2], t.shape[-1], t.shape[-2])


@graded("swap_last_two", points=1, visible=True)
def test_swap_last_two_matrix(student):
    t = seeded_tensor(1, 3, 5)
    out = student.swap_last_two(t)
    check_tensor(out, shape=(5, 3), dtype=torch.float32)
    check_close(out, t.T, mistakes=[(RE_VIEW, re_viewed(t))])


@graded("swap_last_two", points=2, visible=True)
def test_swap_last_two_batched_is_a_transpose(student):
    for seed, shape in [(2, (2, 3, 4)), (3, (4, 1, 2, 3))]:
        t = seeded_tensor(seed, *shape)
        out = student.swap_last_two(t)
        check_tensor(out, shape=t.transpose(-1, -2).shape, dtype=torch.float32)
        check_close(out, t.transpose(-1, -2), mistakes=[(RE_VIEW, re_viewed(t))])


# ---------------------------------------------------------------- rows_view
@graded("rows_view", points=1, visible=True)
def test_rows_view_values(student):
    for seed, shape, rows in [(4, (4, 6), 3), (5, (2, 3, 4), 6)]:
        t = seeded_tensor(seed, *shape)
        out = student.rows_view(t, rows)
        check_tensor(out, shape=(rows, t.numel() // rows), dtype=torch.float32)
        check_close(out, t.reshape(rows, -1))


@graded("rows_view", points=1, visible=True)
def test_rows_view_shares_storage(student):
    t = seeded_tensor(6, 3, 8)
    out, out_storage, t_storage = student.probe(rows_view_shares, t, 4)
    check_tensor(out, shape=(4, 6))
    if out_storage is None or out_storage != t_storage:
        fail("rows_view copied a contiguous tensor; it should return a view that shares its storage")


@graded("rows_view", points=1, visible=True)
def test_rows_view_non_contiguous(student):
    base = seeded_tensor(7, 4, 6)
    out = student.probe(on_transposed, base, "rows_view", 3)
    check_tensor(out, shape=(3, 8), dtype=torch.float32)
    check_close(out, base.transpose(0, 1).reshape(3, -1))


# ---------------------------------------------------------------- flatten_transposed
@graded("flatten_transposed", points=1, visible=True)
def test_flatten_transposed_values(student):
    t = seeded_tensor(8, 3, 4)
    out = student.flatten_transposed(t)
    check_tensor(out, shape=(12,), dtype=torch.float32)
    check_close(out, t.transpose(0, 1).reshape(-1))


@graded("flatten_transposed", points=2)
def test_flatten_transposed_shapes(student):
    for seed, shape in [(9, (5, 2)), (10, (2, 3, 4))]:
        t = seeded_tensor(seed, *shape)
        out = student.flatten_transposed(t)
        check_tensor(out, shape=(t.numel(),), dtype=torch.float32)
        check_close(out, t.transpose(0, 1).reshape(-1))
    base = seeded_tensor(11, 3, 5)
    out = student.probe(on_transposed, base, "flatten_transposed")
    check_tensor(out, shape=(15,))
    check_close(out, base.transpose(0, 1).transpose(0, 1).reshape(-1))


# ---------------------------------------------------------------- add_batch_dim / remove_batch_dim
@graded("add_batch_dim", points=1, visible=True)
def test_add_batch_dim(student):
    for seed, shape in [(12, (3, 4)), (13, (1, 5)), (14, (2,))]:
        t = seeded_tensor(seed, *shape)
        out = student.add_batch_dim(t)
        check_tensor(out, shape=(1, *shape), dtype=torch.float32)
        check_close(out, t.unsqueeze(0))


@graded("remove_batch_dim", points=1, visible=True)
def test_remove_batch_dim_basic(student):
    t = seeded_tensor(15, 1, 3, 4)
    out = student.remove_batch_dim(t)
    check_tensor(out, shape=(3, 4), dtype=torch.float32)
    check_close(out, t[0])


@graded("remove_batch_dim", points=2, visible=True)
def test_remove_batch_dim_keeps_other_size_one_dims(student):
    for seed, shape, expected in [(16, (1, 3, 1), (3, 1)), (17, (1, 1, 4), (1, 4)),
                                  (18, (2, 1, 3), (2, 1, 3)), (19, (5, 1), (5, 1))]:
        t = seeded_tensor(seed, *shape)
        out = student.remove_batch_dim(t)
        check_tensor(out, shape=expected, dtype=torch.float32)
        check_close(out, t.reshape(expected))


@graded("add_batch_dim", points=1)
def test_add_batch_dim_any_dtype(student):
    for t in (seeded_tensor(20, 2, 3, dtype=torch.int64), torch.tensor([True, False, True]),
              seeded_tensor(21, 1, 1, 1)):
        out = student.add_batch_dim(t)
        check_tensor(out, shape=(1, *t.shape), dtype=t.dtype)
        check_close(out, t.unsqueeze(0))


@graded("swap_last_two", points=1)
def test_swap_last_two_twice_is_identity(student):
    t = seeded_tensor(22, 3, 2, 5)
    once = student.swap_last_two(t)
    check_tensor(once, shape=(3, 5, 2), dtype=torch.float32)
    check_close(once, t.transpose(-1, -2), mistakes=[(RE_VIEW, re_viewed(t))])
    twice = student.swap_last_two(once)
    check_tensor(twice, shape=(3, 2, 5), dtype=torch.float32)
    check_close(twice, t)
