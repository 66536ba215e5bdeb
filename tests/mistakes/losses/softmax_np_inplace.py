"""Mistake: softmax_np shifts and exponentiates the caller's array in place

TASK: softmax_np
KEEPS: test_softmax_np_values, test_softmax_np_axis, test_softmax_np_large_inputs
"""


def softmax_np(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x -= x.max(axis=axis, keepdims=True)
    np.exp(x, out=x)
    return x / x.sum(axis=axis, keepdims=True)
