"""Mistake: softmax_np without the max trick: exp(1000.) overflows, inf / inf = nan

TASK: softmax_np
PITFALL: Subtract the max along ``axis`` first
KEEPS: test_softmax_np_values, test_softmax_np_axis, test_softmax_np_keeps_input
"""


def softmax_np(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
