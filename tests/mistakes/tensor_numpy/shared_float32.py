"""Mistake: shares memory but asks for float32, which copies a float64 or int64 array

TASK: shared_tensor
PITFALL: Asking for another dtype (for example float32 from a float64 array) also forces a copy, so keep the array's own dtype.
KEEPS: test_shared_tensor_values
"""


def shared_tensor(a: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(a, dtype=torch.float32)
