"""Mistake: t[:, idx]: an (n, n) block

TASK: torch_pick_per_row
PITFALL: Same as in NumPy: ``t[:, idx]`` is a block.
"""


def torch_pick_per_row(t: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    # Same pairing as in numpy; indexing is differentiable, so gradients reach
    # exactly the picked entries. (t.gather(1, idx[:, None])[:, 0] also works.)
    rows = torch.arange(t.shape[0], device=t.device)
    return t[:, idx]
