"""Mistake: to_numpy switches requires_grad off on the caller's tensor instead of detaching

TASK: to_numpy
PITFALL: Avoid ``t.requires_grad_(False)``: that changes the caller's tensor.
KEEPS: test_to_numpy_values_shape_dtype, test_to_numpy_cuda_stand_in, test_to_numpy_non_contiguous
"""


def to_numpy(t: torch.Tensor) -> np.ndarray:
    if t.requires_grad:
        t.requires_grad_(False)
    return t.cpu().numpy()
