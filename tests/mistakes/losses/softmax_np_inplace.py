"""Mistake: softmax_np shifts and exponentiates the caller's array in place

TASK: softmax_np
"""


def softmax_np(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x -= x.max(axis=axis, keepdims=True)
    np.exp(x, out=x)
    return x / x.sum(axis=axis, keepdims=True)
