"""Mistake: cross_entropy_np takes np.log of the softmax probabilities: log(0) = -inf for logits of 1e3

TASK: cross_entropy_np
PITFALL: ``np.log(softmax_np(...))`` is not enough: a probability that underflows to 0 gives ``log(0) = -inf``.
KEEPS: test_cross_entropy_np_values, test_cross_entropy_np_reductions, test_cross_entropy_np_keeps_input
"""


def cross_entropy_np(logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    probs = softmax_np(logits, axis=1)
    loss = -np.log(probs[np.arange(len(probs)), target])
    if reduction == "none":
        return loss
    if reduction == "mean":
        return np.asarray(loss.mean())
    if reduction == "sum":
        return np.asarray(loss.sum())
    raise ValueError(f"unknown reduction {reduction!r}: expected 'none', 'mean' or 'sum'")
