"""Mistake: replaces zeros too (<= 0 instead of < 0)

TASK: replace_negative
KEEPS: test_replace_negative_basic
"""


def replace_negative(a: np.ndarray, value) -> np.ndarray:
    # Work on a copy: a[a < 0] = value would change the caller's array.
    out = a.copy()
    out[out <= 0] = value
    return out
