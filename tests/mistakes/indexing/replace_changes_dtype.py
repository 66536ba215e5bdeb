"""Mistake: np.where with a float value turns an int array into floats

TASK: replace_negative
PITFALL: Keep the dtype of ``a``.
KEEPS: test_replace_negative_basic
"""


def replace_negative(a: np.ndarray, value) -> np.ndarray:
    return np.where(a < 0, float(value), a)
