"""Mistake: >= instead of >: elements equal to the threshold are kept

TASK: values_above
KEEPS: test_values_above_basic, test_values_above_nothing_above
"""


def values_above(a: np.ndarray, threshold) -> np.ndarray:
    # A boolean mask selects the True positions, in row-major order, as a 1-D array.
    return a[a >= threshold]
