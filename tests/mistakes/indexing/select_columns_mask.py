"""Mistake: a boolean column mask: sorted order, repeats lost

TASK: select_columns
KEEPS: test_select_columns_basic
"""


def select_columns(a: np.ndarray, cols) -> np.ndarray:
    # A slice for the rows and a list for the columns: every row, these columns.
    return a[:, np.isin(np.arange(a.shape[1]), cols)]
