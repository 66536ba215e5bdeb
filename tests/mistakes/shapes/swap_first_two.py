"""Mistake: swaps dims 0 and 1, which is the last two only for a matrix

TASK: swap_last_two
PITFALL: Works for any number of leading (batch) dims: count the dims from the end.
KEEPS: test_swap_last_two_matrix
"""


def swap_last_two(t: torch.Tensor) -> torch.Tensor:
    return t.transpose(0, 1)
