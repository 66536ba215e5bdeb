"""Mistake: softmax_np always normalizes along the last axis, whatever `axis` says

TASK: softmax_np
PITFALL: Use ``keepdims=True`` so the max and the sum broadcast back along the right axis for any ``axis``.
KEEPS: test_softmax_np_values
"""


def softmax_np(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
