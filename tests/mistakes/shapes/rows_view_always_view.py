"""Mistake: a bare view, which raises on a non-contiguous (transposed) tensor

TASK: rows_view
PITFALL: ``view`` never copies, so it raises on a non-contiguous tensor (for example one that was transposed).
KEEPS: test_rows_view_values, test_rows_view_shares_storage
"""


def rows_view(t: torch.Tensor, rows: int) -> torch.Tensor:
    return t.view(rows, -1)
