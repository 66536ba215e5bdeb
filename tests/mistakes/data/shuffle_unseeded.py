"""Mistake: shuffle=True without a seeded generator: the order ignores the seed

TASK: make_loader
PITFALL: Give the loader a seeded ``torch.Generator`` of its own (the ``generator=`` argument).
KEEPS: test_make_loader_batches_in_order, test_make_loader_drop_last
"""


def make_loader(X, y, batch_size, shuffle=False, drop_last=False, seed=0) -> DataLoader:
    # A seeded generator of its own makes the shuffle order reproducible without
    # reseeding (or depending on) the global RNG.
    generator = None
    return DataLoader(
        TensorDataset(X, y),
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        generator=generator,
    )
