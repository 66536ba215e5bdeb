"""Mistake: a bare .view(-1) on a non-contiguous tensor

TASK: flatten_transposed
PITFALL: A transposed tensor is not contiguous: a bare ``.view(-1)`` raises
"""


def flatten_transposed(t: torch.Tensor) -> torch.Tensor:
    # After transpose the tensor is non-contiguous: .view(-1) raises, while
    # .reshape(-1) (or .contiguous().view(-1)) copies in the new row-major order.
    return t.transpose(0, 1).view(-1)
