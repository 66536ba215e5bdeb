"""Mistake: np.arange with dtype int32

TASK: index_range
"""


def index_range(n: int) -> np.ndarray:
    # Say the dtype: numpy's default integer is platform dependent (int32 on
    # Windows with numpy < 2).
    return np.arange(n, dtype=np.int32)
