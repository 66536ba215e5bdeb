"""Mistake: keepdims is not passed on

TASK: row_sums
KEEPS: test_row_sums_basic, test_row_sums_non_square
"""


def row_sums(a: np.ndarray, keepdims: bool = False) -> np.ndarray:
    # keepdims=True gives shape (n, 1) instead of (n,), which broadcasts
    # against the (n, m) input.
    return a.sum(axis=1)
