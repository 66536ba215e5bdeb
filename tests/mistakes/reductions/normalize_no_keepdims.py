"""Mistake: divides by row sums of shape (n,), without keepdims

TASK: normalize_rows
PITFALL: Row sums of shape (n,) broadcast against the *last* axis of an (n, m) array ... Keep the reduced dim.
"""


def normalize_rows(a: np.ndarray) -> np.ndarray:
    # keepdims makes the (n, 1) sums divide row by row; with shape (n,) they
    # would broadcast along the columns (or fail when n != m). True division
    # turns integer input into float64.
    return a / a.sum(axis=1)
