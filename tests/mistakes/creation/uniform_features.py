"""Mistake: torch.rand (uniform in [0, 1)) where standard normal was asked

TASK: make_classification_data
KEEPS: test_make_classification_data_reproducible
"""


def make_classification_data(n: int, d: int, k: int, seed: int):
    # A private generator makes the data reproducible without touching the
    # global RNG (torch.manual_seed would reset everybody else's randomness).
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(n, d, generator=g)  # float32 by default
    y = torch.randint(0, k, (n,), generator=g)  # int64 by default, high excluded
    return X, y
