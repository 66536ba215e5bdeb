"""Mistake: the columns in sorted order, not in the given order

TASK: select_columns
KEEPS: test_select_columns_basic
"""


def select_columns(a: np.ndarray, cols) -> np.ndarray:
    # A slice for the rows and a list for the columns: every row, these columns.
    return a[:, sorted(cols)]
