"""Mistake: torch.randint(0, k - 1): the high bound is excluded, so label k-1 never occurs

TASK: make_classification_data
PITFALL: Remember that the upper bound of ``torch.randint`` is excluded.
KEEPS: test_make_classification_data_shapes, test_make_classification_data_reproducible, test_make_classification_data_leaves_global_rng_alone
"""


def make_classification_data(n: int, d: int, k: int, seed: int):
    # A private generator makes the data reproducible without touching the
    # global RNG (torch.manual_seed would reset everybody else's randomness).
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)  # float32 by default
    y = torch.randint(0, k - 1, (n,), generator=g)  # int64 by default, high excluded
    return X, y
