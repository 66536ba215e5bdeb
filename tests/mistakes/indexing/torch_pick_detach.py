"""Mistake: .detach() before indexing: the graph is cut

TASK: torch_pick_per_row
PITFALL: Don't go through NumPy or ``.item()`` (that cuts the graph)
KEEPS: test_torch_pick_per_row_basic, test_torch_pick_per_row_one_per_row
"""


def torch_pick_per_row(t: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    # Same pairing as in numpy; indexing is differentiable, so gradients reach
    # exactly the picked entries. (t.gather(1, idx[:, None])[:, 0] also works.)
    rows = torch.arange(t.shape[0], device=t.device)
    return t.detach()[rows, idx]
