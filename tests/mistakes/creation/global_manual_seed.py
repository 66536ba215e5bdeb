"""Mistake: torch.manual_seed reseeds the global RNG instead of a local Generator

TASK: make_classification_data
PITFALL: ``torch.manual_seed(seed)`` reseeds the *global* generator ... Make a ``torch.Generator`` of your own, seed it, and pass ``generator=`` to the random functions.
KEEPS: test_make_classification_data_shapes, test_make_classification_data_reproducible, test_make_classification_data_distributions
"""


def make_classification_data(n: int, d: int, k: int, seed: int):
    # A private generator makes the data reproducible without touching the
    # global RNG (torch.manual_seed would reset everybody else's randomness).
    torch.manual_seed(seed)
    X = torch.randn(n, d)
    y = torch.randint(0, k, (n,))
    return X, y
