"""Mistake: divides in place (a /= ...), changing the input (and failing on ints)

TASK: normalize_rows
PITFALL: Don't divide in place either (``a /= ...``): it changes the input, and fails on an int array.
KEEPS: test_normalize_rows_basic, test_normalize_rows_non_square_and_square
"""


def normalize_rows(a: np.ndarray) -> np.ndarray:
    # keepdims makes the (n, 1) sums divide row by row; with shape (n,) they
    # would broadcast along the columns (or fail when n != m). True division
    # turns integer input into float64.
    a /= a.sum(axis=1, keepdims=True)
    return a
