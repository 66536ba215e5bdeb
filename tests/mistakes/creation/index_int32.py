"""Mistake: np.arange with dtype int32

TASK: index_range
PITFALL: The default integer dtype depends on the platform (and numpy version); say the dtype when it matters.
"""


def index_range(n: int) -> np.ndarray:
    # Say the dtype: numpy's default integer is platform dependent (int32 on
    # Windows with numpy < 2).
    return np.arange(n, dtype=np.int32)
