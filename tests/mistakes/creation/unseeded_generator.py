"""Mistake: a private Generator that is never seeded: every seed gives the same data

TASK: make_classification_data
PITFALL: Make a ``torch.Generator`` of your own, seed it, and pass ``generator=`` to the random functions.
KEEPS: test_make_classification_data_shapes, test_make_classification_data_leaves_global_rng_alone, test_make_classification_data_distributions
"""


def make_classification_data(n: int, d: int, k: int, seed: int):
    # A private generator makes the data reproducible without touching the
    # global RNG (torch.manual_seed would reset everybody else's randomness).
    g = torch.Generator()
    X = torch.randn(n, d, generator=g)  # float32 by default
    y = torch.randint(0, k, (n,), generator=g)  # int64 by default, high excluded
    return X, y
