"""Mistake: a copy where shared memory was asked

TASK: shared_tensor
PITFALL: ``torch.tensor(a)`` always copies.
KEEPS: test_shared_tensor_values
"""


def shared_tensor(a: np.ndarray) -> torch.Tensor:
    # from_numpy wraps the array's buffer: same memory, same dtype, no copy.
    # (torch.tensor(a) and torch.as_tensor(a, dtype=other) would copy.)
    return torch.tensor(a)
