"""Mistake: torch.manual_seed(seed) on the global RNG instead of a generator of its own

TASK: make_loader
PITFALL: ``torch.manual_seed(seed)`` before building the loader changes the global RNG for the whole program ... Give the loader a seeded ``torch.Generator`` of its own (the ``generator=`` argument).
KEEPS: test_make_loader_batches_in_order, test_make_loader_drop_last
"""


def make_loader(X, y, batch_size, shuffle=False, drop_last=False, seed=0) -> DataLoader:
    # A seeded generator of its own makes the shuffle order reproducible without
    # reseeding (or depending on) the global RNG.
    torch.manual_seed(seed)
    generator = None
    return DataLoader(
        TensorDataset(X, y),
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        generator=generator,
    )
