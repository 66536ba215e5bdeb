"""Mistake: always copies instead of returning a view

TASK: rows_view
KEEPS: test_rows_view_values, test_rows_view_non_contiguous
"""


def rows_view(t: torch.Tensor, rows: int) -> torch.Tensor:
    # view never copies, so it is the right tool when it can work; it raises on
    # a non-contiguous tensor, where reshape copies into row-major order instead.
    # (t.reshape alone does exactly this choice; spelled out here to show it.)
    return t.reshape(rows, -1).clone()
