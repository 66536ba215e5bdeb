"""Hidden tests: Dataset and DataLoader."""

import torch

from grader.testing import (StudentError, check_close, check_equal, check_tensor, expect_raises, fail,
                            graded, seeded_tensor)


# ---------------------------------------------------------------- probes (run in the worker)
def iterate_dataset(student, n, limit):
    """for item in SquaresDataset(n) (Python's iteration protocol, stopped after a few extra items)"""
    ds = student.data.SquaresDataset(n)
    count = 0
    for _ in ds:
        count += 1
        if count >= limit:
            break
    return count


def pad_collate_in_loader(student, batch_list, batch_size):
    """DataLoader(pairs, batch_size, collate_fn=pad_collate), listed"""
    loader = torch.utils.data.DataLoader(batch_list, batch_size=batch_size,
                                         collate_fn=student.data.pad_collate)
    return [tuple(b) for b in loader]


# ---------------------------------------------------------------- helpers (trusted side)
def check_item(item, i, what):
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        fail(f"{what} returned {type(item).__name__} {item!r:.80}, expected a pair (x, y) of tensors")
    x, y = item
    check_tensor(x, shape=(1,), dtype=torch.float32, what=f"{what}[0]")
    check_tensor(y, shape=(1,), dtype=torch.float32, what=f"{what}[1]")
    check_close(x, torch.tensor([float(i)]), what=f"{what}[0]")
    check_close(y, torch.tensor([float(i * i)]), what=f"{what}[1]")


def unpack_batches(batches, what):
    out = []
    for k, batch in enumerate(batches):
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            fail(f"batch {k} of {what} is {type(batch).__name__}, expected a pair (xb, yb)")
        out.append(tuple(batch))
    return out


def loader_order(loader, X, y, what):
    """The labels of the loader's batches, in order, after checking each batch against X and y."""
    order = []
    for k, (xb, yb) in enumerate(unpack_batches(loader.collect(), what)):
        check_tensor(yb, dtype=torch.int64, what=f"the labels of batch {k} of {what}")
        check_tensor(xb, shape=(len(yb), X.shape[1]), dtype=torch.float32, what=f"the inputs of batch {k} of {what}")
        check_close(xb, X[yb], what=f"batch {k} of {what} (inputs must stay paired with their labels)")
        order += yb.tolist()
    return order


# ---------------------------------------------------------------- SquaresDataset
@graded("SquaresDataset", points=2, visible=True)
def test_squares_dataset_len_and_items(student):
    for n, indices in [(5, [0, 3, 4]), (9, [1, 7, 8])]:
        ds = student.SquaresDataset(n)
        check_equal(len(ds), n, what=f"len(SquaresDataset({n}))")
        for i in indices:
            check_item(ds[i], i, f"SquaresDataset({n})[{i}]")


@graded("SquaresDataset", points=1, visible=True)
def test_squares_dataset_negative_indices(student):
    for n in (4, 11):
        ds = student.SquaresDataset(n)
        for i in (-1, -2, -n):
            what = f"SquaresDataset({n})[{i}] (negative indices count from the end, as in a list)"
            try:
                item = ds[i]
            except StudentError as exc:
                if exc.is_a("IndexError"):
                    fail(f"SquaresDataset({n})[{i}] raised IndexError; like a list, index {i} is item {n + i}: "
                         f"only indices outside [-{n}, {n}) are out of range")
                raise
            check_item(item, n + i, what)


@graded("SquaresDataset", points=2, visible=True)
def test_squares_dataset_raises_index_error(student):
    for n in (3, 6):
        ds = student.SquaresDataset(n)
        check_item(ds[n - 1], n - 1, f"SquaresDataset({n})[{n - 1}]")
        for i in (n, n + 4, -n - 1):
            expect_raises("IndexError", lambda i=i: ds[i],
                          what=f"SquaresDataset({n})[{i}] (outside [-{n}, {n}))")
    count = student.probe(iterate_dataset, 5, 8)
    if count != 5:
        fail(f"`for item in SquaresDataset(5)` went on past the end ({count} items before the test "
             "stopped it); Python's iteration stops only when __getitem__ raises IndexError")


# ---------------------------------------------------------------- make_loader
@graded("make_loader", points=2, visible=True)
def test_make_loader_batches_in_order(student):
    for seed, n, bs in [(20, 10, 4), (21, 7, 3)]:
        X, y = seeded_tensor(seed, n, 3), torch.arange(n)
        loader = student.make_loader(X, y, bs)
        batches = unpack_batches(loader.collect(), f"make_loader(X, y, {bs})")
        sizes = [len(b[1]) for b in batches]
        expected = [min(bs, n - s) for s in range(0, n, bs)]
        check_equal(sizes, expected, what=f"the batch sizes of make_loader(X ({n}, 3), y, {bs})")
        for k, (xb, yb) in enumerate(batches):
            check_tensor(xb, shape=(expected[k], 3), dtype=torch.float32, what=f"the inputs of batch {k}")
            check_close(xb, X[k * bs:(k + 1) * bs], what=f"the inputs of batch {k} (no shuffle: in order)")
            check_tensor(yb, shape=(expected[k],), dtype=torch.int64, what=f"the labels of batch {k}")
            check_close(yb, y[k * bs:(k + 1) * bs], what=f"the labels of batch {k} (no shuffle: in order)")


@graded("make_loader", points=1)
def test_make_loader_drop_last(student):
    X, y = seeded_tensor(22, 11, 2), torch.arange(11)
    loader = student.make_loader(X, y, 4, drop_last=True)
    order = loader_order(loader, X, y, "make_loader(X, y, 4, drop_last=True)")
    check_equal(order, list(range(8)), what="the labels yielded by make_loader(X (11, 2), y, 4, drop_last=True)")


@graded("make_loader", points=3, visible=True)
def test_make_loader_shuffle_is_seeded(student):
    n = 20
    X, y = seeded_tensor(23, n, 2), torch.arange(n)
    # Build every loader first, then iterate: an order that depends on the global RNG
    # (or on when torch.manual_seed was called) shows up as two different orders.
    a = student.make_loader(X, y, 6, shuffle=True, seed=3)
    b = student.make_loader(X, y, 6, shuffle=True, seed=3)
    c = student.make_loader(X, y, 6, shuffle=True, seed=4)
    d = student.make_loader(X, y, 6, shuffle=True)  # the default seed is 0
    e = student.make_loader(X, y, 6, shuffle=True, seed=0)
    first = loader_order(a, X, y, "make_loader(X, y, 6, shuffle=True, seed=3)")
    second = loader_order(b, X, y, "a second make_loader(X, y, 6, shuffle=True, seed=3)")
    other = loader_order(c, X, y, "make_loader(X, y, 6, shuffle=True, seed=4)")
    if sorted(first) != list(range(n)):
        fail(f"make_loader(X, y, 6, shuffle=True) yielded the items {sorted(first)}, expected each of the "
             f"{n} items exactly once")
    if first == list(range(n)):
        fail("make_loader(X, y, 6, shuffle=True, seed=3) yielded the items in their original order; "
             "shuffle=True must shuffle them")
    if second != first:
        fail(f"two loaders made with make_loader(..., shuffle=True, seed=3) gave different orders "
             f"({first[:8]}... and {second[:8]}...); give the loader a torch.Generator seeded with `seed`")
    if other == first:
        fail("make_loader(..., shuffle=True) gave the same order for seed=3 and seed=4; "
             "the order must come from the seed")
    default = loader_order(d, X, y, "make_loader(X, y, 6, shuffle=True)")
    zero = loader_order(e, X, y, "make_loader(X, y, 6, shuffle=True, seed=0)")
    if default != zero or default == list(range(n)):
        fail(f"make_loader(X, y, 6, shuffle=True) gave the order {default[:8]}..., and with seed=0 "
             f"{zero[:8]}...; the default seed is 0: both must give the same shuffled order")


# ---------------------------------------------------------------- count_batches
@graded("count_batches", points=1, visible=True)
def test_count_batches_basic(student):
    for n, bs, drop in [(10, 4, False), (10, 4, True), (100, 32, False)]:
        expected = n // bs if drop else -(-n // bs)
        check_equal(student.count_batches(n, bs, drop), expected)


@graded("count_batches", points=2, visible=True)
def test_count_batches_exact_multiples_and_small_n(student):
    for n, bs, drop in [(12, 4, False), (12, 4, True), (3, 5, False), (3, 5, True), (33, 11, True),
                        (34, 11, True), (34, 11, False), (1, 1, False), (0, 3, False)]:
        expected = n // bs if drop else -(-n // bs)
        check_equal(student.count_batches(n, bs, drop), expected)


# ---------------------------------------------------------------- pad_collate
def check_collated(result, seqs, labels, what):
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"{what} returned {type(result).__name__}, expected a tuple (padded, lengths, labels)")
    padded, lengths, out_labels = result
    max_len = max(len(s) for s in seqs)
    expected = torch.zeros(len(seqs), max_len, dtype=seqs[0].dtype)
    for i, s in enumerate(seqs):
        expected[i, :len(s)] = s
    check_tensor(padded, shape=(len(seqs), max_len), dtype=seqs[0].dtype,
                 what=f"the padded batch of {what} (it keeps the sequences' dtype)")
    check_close(padded, expected, what=f"the padded batch of {what} (zeros after the end of each sequence)")
    check_tensor(lengths, shape=(len(seqs),), dtype=torch.int64, what=f"the lengths of {what}")
    check_close(lengths, torch.tensor([len(s) for s in seqs]), what=f"the lengths of {what}")
    check_tensor(out_labels, shape=(len(seqs),), dtype=torch.int64, what=f"the labels of {what}")
    check_close(out_labels, torch.tensor([int(v) for v in labels]), what=f"the labels of {what}")


@graded("pad_collate", points=2, visible=True)
def test_pad_collate_int_sequences(student):
    seqs = [seeded_tensor(seed, n, dtype=torch.int64, low=1, high=50) for seed, n in [(30, 3), (31, 5), (32, 1)]]
    labels = [2, 0, 1]
    result = student.pad_collate(list(zip(seqs, labels)))
    check_collated(result, seqs, labels, "pad_collate(batch of 3 int64 sequences, lengths 3, 5, 1)")


@graded("pad_collate", points=2)
def test_pad_collate_float_sequences_and_tensor_labels(student):
    seqs = [seeded_tensor(33, 2), seeded_tensor(34, 6), seeded_tensor(35, 4), seeded_tensor(36, 6)]
    labels = [torch.tensor(1), torch.tensor(3), torch.tensor(0), torch.tensor(2)]
    result = student.pad_collate(list(zip(seqs, labels)))
    check_collated(result, seqs, labels, "pad_collate(batch of 4 float32 sequences, 0-d tensor labels)")


@graded("pad_collate", points=1)
def test_pad_collate_as_collate_fn(student):
    seqs = [seeded_tensor(37 + i, n, dtype=torch.int64, low=1, high=9) for i, n in enumerate([4, 2, 5, 1, 3])]
    labels = [1, 0, 1, 1, 0]
    batches = student.probe(pad_collate_in_loader, list(zip(seqs, labels)), 2)
    if not isinstance(batches, list) or len(batches) != 3:
        fail(f"DataLoader(5 pairs, batch_size=2, collate_fn=pad_collate) yielded "
             f"{len(batches) if isinstance(batches, list) else batches!r} batches, expected 3")
    for k in range(3):
        check_collated(batches[k], seqs[2 * k:2 * k + 2], labels[2 * k:2 * k + 2],
                       f"batch {k} of DataLoader(..., batch_size=2, collate_fn=pad_collate)")


# ---------------------------------------------------------------- balanced_loader
def balanced_epochs(student, X, y, batch_size, seeds):
    """balanced_loader(X, y, batch_size, seed) for each seed (None: the default), all built first,
    then each iterated once while torch's global RNG moves"""
    loaders = [student.data.balanced_loader(X, y, batch_size) if seed is None
               else student.data.balanced_loader(X, y, batch_size, seed=seed) for seed in seeds]
    torch.manual_seed(1234)
    epochs = []
    for loader in loaders:
        torch.randn(7)  # whatever else the program does in between
        epochs.append([tuple(batch) for batch in loader])
    return epochs


def imbalanced_data(seed, counts, labels=None):
    """X whose column 0 is the item's index (to find each drawn item again), y with `counts[k]` items
    of class `labels[k]`, in a seeded random order."""
    labels = labels if labels is not None else list(range(len(counts)))
    y = torch.cat([torch.full((c,), label, dtype=torch.int64) for label, c in zip(labels, counts)])
    y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))]
    X = torch.cat([torch.arange(len(y), dtype=torch.float32)[:, None], seeded_tensor(seed, len(y), 2)], dim=1)
    return X, y


def expected_balanced_indices(y, seed):
    """The draws of WeightedRandomSampler(1 / class count per sample, len(y), True, generator(seed))."""
    _, inverse, counts = torch.unique(y, return_inverse=True, return_counts=True)
    weights = 1.0 / counts[inverse].double()
    return torch.multinomial(weights, len(y), True, generator=torch.Generator().manual_seed(seed)).tolist()


def balanced_indices(batches, X, y, batch_size, what):
    """The indices of the items a balanced loader yielded, after checking batch sizes and pairing."""
    n = len(y)
    expected_sizes = [min(batch_size, n - s) for s in range(0, n, batch_size)]
    batches = unpack_batches(batches, what)
    sizes = [len(b[1]) if isinstance(b[1], torch.Tensor) else None for b in batches]
    if sizes != expected_sizes:
        fail(f"{what} yielded batches of sizes {sizes}, expected {expected_sizes}: one epoch draws "
             f"num_samples=len(y)={n} items")
    indices = []
    for k, (xb, yb) in enumerate(batches):
        check_tensor(xb, shape=(len(yb), X.shape[1]), dtype=torch.float32, what=f"the inputs of batch {k} of {what}")
        check_tensor(yb, shape=(len(yb),), dtype=torch.int64, what=f"the labels of batch {k} of {what}")
        idx = xb[:, 0].round().long()
        if idx.min() < 0 or idx.max() >= n:
            fail(f"batch {k} of {what} holds inputs that are not rows of X")
        check_close(xb, X[idx], what=f"the inputs of batch {k} of {what} (rows of X)")
        check_close(yb, y[idx], what=f"the labels of batch {k} of {what} (each label stays with its input)")
        indices += idx.tolist()
    return indices


def check_class_shares(indices, y, what, tolerance):
    classes = torch.unique(y).tolist()
    drawn = y[torch.tensor(indices)]
    shares = {c: (drawn == c).float().mean().item() for c in classes}
    given = {c: (y == c).float().mean().item() for c in classes}
    target = 1 / len(classes)
    for c in classes:
        if abs(shares[c] - target) > tolerance:
            fail(f"{what}: class {c} is {shares[c]:.0%} of the items drawn in one epoch, expected about "
                 f"{target:.0%} (each class equally often; in y it is {given[c]:.0%}). Weight each sample by "
                 "1 / (count of its class) and draw with replacement")


@graded("balanced_loader", points=2, visible=True)
def test_balanced_loader_evens_out_two_classes(student):
    X, y = imbalanced_data(80, [180, 20])  # 90 % class 0, 10 % class 1
    what = "balanced_loader(X (200, 3), y (180 of class 0, 20 of class 1), 16)"
    loader = student.balanced_loader(X, y, 16)
    indices = balanced_indices(loader.collect(), X, y, 16, what)
    check_class_shares(indices, y, what, tolerance=0.12)


@graded("balanced_loader", points=2)
def test_balanced_loader_three_classes_any_labels(student):
    for seed, counts, labels, bs in [(81, [150, 40, 10], [2, 5, 9], 25), (82, [12, 60, 300], [0, 1, 3], 32)]:
        X, y = imbalanced_data(seed, counts, labels)
        what = (f"balanced_loader(X ({len(y)}, 3), y (classes {labels} with {counts} items), {bs}, "
                f"seed={seed})")
        loader = student.balanced_loader(X, y, bs, seed=seed)
        indices = balanced_indices(loader.collect(), X, y, bs, what)
        check_class_shares(indices, y, what, tolerance=0.1)


@graded("balanced_loader", points=1)
def test_balanced_loader_is_seeded(student):
    X, y = imbalanced_data(83, [45, 10, 5])
    seeds = [3, 3, 4, None]
    epochs = student.probe(balanced_epochs, X, y, 8, seeds)
    names = ["balanced_loader(X, y, 8, seed=3)", "a second balanced_loader(X, y, 8, seed=3)",
             "balanced_loader(X, y, 8, seed=4)", "balanced_loader(X, y, 8) (default seed=0)"]
    got = [balanced_indices(batches, X, y, 8, name) for batches, name in zip(epochs, names)]
    if got[1] != got[0]:
        fail("two loaders made with balanced_loader(X, y, 8, seed=3) drew different items "
             f"({got[0][:8]}... and {got[1][:8]}...) once torch's global RNG had moved; give the "
             "WeightedRandomSampler its own torch.Generator seeded with `seed`")
    if got[2] == got[0]:
        fail("balanced_loader drew the same items for seed=3 and seed=4; the draws must come from the seed")
    for k, seed in ((0, 3), (2, 4), (3, 0)):
        check_equal(got[k], expected_balanced_indices(y, seed),
                    what=f"the items drawn by {names[k]} (WeightedRandomSampler(weights, num_samples=len(y), "
                         f"replacement=True, generator=torch.Generator().manual_seed({seed})))")


@graded("balanced_loader", points=1, visible=True)
def test_balanced_loader_same_seed_same_draws(student):
    # The docstring's pitfall, without a reference sampler: torch.manual_seed(seed) at build time
    # does not fix the draws of an epoch iterated after the global RNG has moved.
    X, y = imbalanced_data(84, [90, 20, 10])
    epochs = student.probe(balanced_epochs, X, y, 12, [5, 5, 6])
    names = ["balanced_loader(X, y, 12, seed=5)", "a second balanced_loader(X, y, 12, seed=5)",
             "balanced_loader(X, y, 12, seed=6)"]
    got = [balanced_indices(batches, X, y, 12, name) for batches, name in zip(epochs, names)]
    check_class_shares(got[0], y, names[0], tolerance=0.12)
    if got[1] != got[0]:
        fail("two loaders made with balanced_loader(X, y, 12, seed=5) drew different items "
             f"({got[0][:8]}... and {got[1][:8]}...) once torch's global RNG had moved; give the "
             "WeightedRandomSampler its own torch.Generator seeded with `seed`")
    if got[2] == got[0]:
        fail("balanced_loader drew the same items for seed=5 and seed=6; the draws must come from the seed")

