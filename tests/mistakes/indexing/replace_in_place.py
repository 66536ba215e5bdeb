"""Mistake: writes into the caller's array (no copy)

TASK: replace_negative
PITFALL: ``a[a < 0] = value`` writes into the caller's array. Don't modify inputs in place: copy first.
KEEPS: test_replace_negative_basic, test_replace_negative_value_and_dtype
"""


def replace_negative(a: np.ndarray, value) -> np.ndarray:
    # Work on a copy: a[a < 0] = value would change the caller's array.
    out = a
    out[out < 0] = value
    return out
