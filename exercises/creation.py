"""Exercise 3: creating tensors: linspace, arange, random data.

``linspace`` asks for a number of points (both ends included); ``arange``
asks for a step and stops before the end. Random data must be reproducible,
and a function that makes it should not disturb anybody else's randomness.

Picture: assets_picture/creation_linspace_arange.png
"""

import numpy as np
import torch


def evenly_spaced(start: float, end: float, steps: int) -> torch.Tensor:
    """Return ``steps`` evenly spaced float32 values from ``start`` to ``end`` inclusive.

    Example:
        >>> evenly_spaced(0.0, 1.0, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])

    Pitfall:
        ``torch.arange(0, 1, 0.25)`` stops *before* 1.0, and float steps can
        give one element more or fewer than you expect from rounding.
        Count points, not steps.
    """
    raise NotImplementedError("evenly_spaced is not implemented yet")


def index_range(n: int) -> np.ndarray:
    """Return the NumPy array ``0, 1, ..., n - 1`` with dtype int64.

    Example:
        >>> index_range(4)
        array([0, 1, 2, 3])

    Pitfall:
        The default integer dtype depends on the platform (and numpy version);
        say the dtype when it matters.
    """
    raise NotImplementedError("index_range is not implemented yet")


def make_classification_data(n: int, d: int, k: int, seed: int):
    """Return ``(X, y)``: ``X`` float32 ``(n, d)`` standard normal, ``y`` int64 ``(n,)`` in ``[0, k)``.

    The same seed gives identical data, different seeds different data, and
    torch's global random state is left untouched.

    Example:
        >>> X, y = make_classification_data(100, 3, 4, seed=0)
        >>> X.shape, X.dtype, y.shape, y.dtype
        (torch.Size([100, 3]), torch.float32, torch.Size([100]), torch.int64)

    Pitfall:
        ``torch.manual_seed(seed)`` reseeds the *global* generator: every other
        random call in the program (weight init, shuffling) changes behaviour
        because of this function. Make a ``torch.Generator`` of your own, seed
        it, and pass ``generator=`` to the random functions. Remember that the
        upper bound of ``torch.randint`` is excluded.
    """
    raise NotImplementedError("make_classification_data is not implemented yet")
