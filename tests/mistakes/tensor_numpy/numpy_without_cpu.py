"""Mistake: to_numpy detaches but never brings a GPU tensor back to the CPU

TASK: to_numpy
"""


def to_numpy(t: torch.Tensor) -> np.ndarray:
    # .numpy() reads host memory: a CUDA tensor must come back with .cpu() first.
    return t.detach().numpy()
