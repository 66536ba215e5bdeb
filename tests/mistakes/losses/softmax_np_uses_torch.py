"""Mistake: softmax_np goes through torch.softmax (the task is NumPy only)

TASK: softmax_np
PITFALL: ``softmax_np`` and ``cross_entropy_np`` must not use torch at all.
"""


def softmax_np(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return torch.softmax(torch.from_numpy(np.asarray(x)), dim=axis).numpy()
