"""Mistake: to_numpy detaches but never brings a GPU tensor back to the CPU

TASK: to_numpy
PITFALL: It also refuses a CUDA tensor: NumPy only reads host memory (``.cpu()``).
KEEPS: test_to_numpy_values_shape_dtype, test_to_numpy_requires_grad, test_to_numpy_non_contiguous
"""


def to_numpy(t: torch.Tensor) -> np.ndarray:
    # .numpy() reads host memory: a CUDA tensor must come back with .cpu() first.
    return t.detach().numpy()
