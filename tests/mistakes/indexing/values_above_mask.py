"""Mistake: returns the boolean mask instead of the values

TASK: values_above
"""


def values_above(a: np.ndarray, threshold) -> np.ndarray:
    # A boolean mask selects the True positions, in row-major order, as a 1-D array.
    return a > threshold
