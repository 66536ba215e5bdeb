"""Mistake: softmax_np goes through torch.softmax (the task is NumPy only)

TASK: softmax_np
"""


def softmax_np(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return torch.softmax(torch.from_numpy(np.asarray(x)), dim=axis).numpy()
