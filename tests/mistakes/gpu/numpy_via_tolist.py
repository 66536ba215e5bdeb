"""Mistake: cuda_to_numpy goes through t.tolist(): float32 becomes float64

TASK: cuda_to_numpy
"""


def cuda_to_numpy(t: torch.Tensor):
    import numpy as np
    return np.array(t.tolist())
