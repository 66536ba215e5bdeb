"""Mistake: np.where keeps the 2-D shape, zeros elsewhere

TASK: values_above
"""


def values_above(a: np.ndarray, threshold) -> np.ndarray:
    # A boolean mask selects the True positions, in row-major order, as a 1-D array.
    return np.where(a > threshold, a, 0)
