"""Mistake: cross_entropy_np shifts the caller's logits in place (logits -= max)

TASK: cross_entropy_np
KEEPS: test_cross_entropy_np_values, test_cross_entropy_np_reductions, test_cross_entropy_np_large_logits
"""


def cross_entropy_np(logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    logits -= logits.max(axis=1, keepdims=True)
    loss = np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(len(logits)), target]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return np.asarray(loss.mean())
    if reduction == "sum":
        return np.asarray(loss.sum())
    raise ValueError(f"unknown reduction {reduction!r}: expected 'none', 'mean' or 'sum'")
