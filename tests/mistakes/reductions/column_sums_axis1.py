"""Mistake: sum over axis 1 (the rows) instead of axis 0

TASK: column_sums
"""


def column_sums(a: np.ndarray) -> np.ndarray:
    # axis=0 is the axis that disappears: summing down the rows leaves one
    # value per column.
    return a.sum(axis=1)
