"""Exercise 1: tensor <-> NumPy conversion.

PyTorch tensors and NumPy arrays can describe the same block of memory. Some
conversions copy the data, some share it, and some refuse to run at all: a
tensor that requires grad, or one that lives on a GPU, cannot become a NumPy
array as it is.

Picture: assets_picture/tensor_numpy_shared_memory.png
"""

import numpy as np
import torch


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """Return ``t`` as a NumPy array: same values, shape and dtype.

    It must work when ``t.requires_grad`` is True and when ``t`` lives on a
    GPU; ``t`` itself keeps ``requires_grad``.

    Example:
        >>> t = torch.ones(2, 3, requires_grad=True)
        >>> to_numpy(t).shape
        (2, 3)
        >>> t.requires_grad
        True

    Pitfalls:
        ``t.numpy()`` raises "Can't call numpy() on Tensor that requires grad":
        NumPy cannot track gradients, so cut the tensor out of the graph first
        (``.detach()``, which returns a new view and leaves ``t`` as it was).
        It also refuses a CUDA tensor: NumPy only reads host memory (``.cpu()``).
        Avoid ``t.requires_grad_(False)``: that changes the caller's tensor.
    """
    raise NotImplementedError("to_numpy is not implemented yet")


def to_tensor(a: np.ndarray, requires_grad: bool = False) -> torch.Tensor:
    """Return a float32 tensor with the values and shape of ``a``.

    The result is a *leaf* tensor (no autograd history) whose
    ``requires_grad`` is what was asked; integer arrays become float32.

    Example:
        >>> t = to_tensor(np.arange(3), requires_grad=True)
        >>> t.dtype, t.is_leaf, t.requires_grad
        (torch.float32, True, True)

    Pitfalls:
        ``torch.from_numpy(a)`` keeps the array's dtype (int64, float64), and
        ``requires_grad=True`` fails on an integer tensor. Converting the dtype
        *after* turning on requires_grad gives the result of an operation, which
        is not a leaf (its ``.grad`` stays None after backward). Choose the
        dtype when the tensor is made.
    """
    raise NotImplementedError("to_tensor is not implemented yet")


def shared_tensor(a: np.ndarray) -> torch.Tensor:
    """Return a tensor that shares memory with ``a`` (no copy).

    Writing into the tensor must show in the array, and the other way round.

    Example:
        >>> a = np.zeros(3)
        >>> t = shared_tensor(a)
        >>> t[0] = 5
        >>> a[0]
        np.float64(5.0)

    Pitfalls:
        ``torch.tensor(a)`` always copies. Asking for another dtype (for
        example float32 from a float64 array) also forces a copy, so keep the
        array's own dtype.
    """
    raise NotImplementedError("shared_tensor is not implemented yet")
