"""Mistake: cross_entropy_np converts to torch and back (the task is NumPy only)

TASK: cross_entropy_np
PITFALL: ``softmax_np`` and ``cross_entropy_np`` must not use torch at all.
"""


def cross_entropy_np(logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    t = torch.from_numpy(np.asarray(logits))
    m = t.max(dim=1, keepdim=True).values
    shifted = t - m
    loss = (torch.log(torch.exp(shifted).sum(dim=1)) - shifted[torch.arange(len(t)), torch.from_numpy(np.asarray(target))]).numpy()
    if reduction == "none":
        return loss
    if reduction == "mean":
        return np.asarray(loss.mean())
    if reduction == "sum":
        return np.asarray(loss.sum())
    raise ValueError(f"unknown reduction {reduction!r}: expected 'none', 'mean' or 'sum'")
