"""Mistake: torch.arange: a tensor where an ndarray was asked

TASK: index_range
"""


def index_range(n: int) -> np.ndarray:
    # Say the dtype: numpy's default integer is platform dependent (int32 on
    # Windows with numpy < 2).
    return torch.arange(n)
