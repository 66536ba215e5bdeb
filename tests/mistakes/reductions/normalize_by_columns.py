"""Mistake: divides by the column sums (axis 0)

TASK: normalize_rows
"""


def normalize_rows(a: np.ndarray) -> np.ndarray:
    # keepdims makes the (n, 1) sums divide row by row; with shape (n,) they
    # would broadcast along the columns (or fail when n != m). True division
    # turns integer input into float64.
    return a / a.sum(axis=0, keepdims=True)
