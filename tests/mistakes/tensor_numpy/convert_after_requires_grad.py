"""Mistake: dtype converted after requires_grad: a non-leaf

TASK: to_tensor
PITFALL: Converting the dtype *after* turning on requires_grad gives the result of an operation, which is not a leaf
KEEPS: test_to_tensor_float32_values, test_to_tensor_leaves_its_input_alone
"""


def to_tensor(a: np.ndarray, requires_grad: bool = False) -> torch.Tensor:
    # torch.tensor always copies and builds a fresh leaf; asking for float32 here
    # converts integer (and float64) arrays in the same step. Converting *after*
    # requires_grad=True would give a non-leaf (the result of a .float() op).
    return torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad).float()
