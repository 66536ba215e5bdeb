"""Exercise 11: devices and DataParallel.

Every tensor lives on a device; an operation needs all its inputs on the same
one, so code that may run with or without a GPU picks a device once and moves
the model and every batch to it. With several GPUs, ``nn.DataParallel`` splits
each batch across them.

The tests of this exercise that need CUDA are skipped on a machine without one.

Picture: assets_picture/gpu_data_parallel.png
"""

import torch
from torch import nn


def pick_device(prefer_gpu: bool = True) -> torch.device:
    """Return ``torch.device("cuda")`` when a GPU is available and preferred, else ``cpu``.

    Example:
        >>> pick_device(prefer_gpu=False)
        device(type='cpu')

    Pitfall:
        Return a ``torch.device``, not a string, and don't assume CUDA exists:
        ask ``torch.cuda.is_available()``.
    """
    raise NotImplementedError("pick_device is not implemented yet")


def move_to(obj, device):
    """Move every tensor and module inside ``obj`` to ``device``, keeping the structure.

    ``obj`` may be a tensor, a module, or dicts/lists/tuples nested in any way;
    a list stays a list and a tuple a tuple; other values (numbers, strings,
    None) come back unchanged.

    Example:
        >>> batch = {"x": torch.zeros(2), "meta": [torch.ones(1), "id-7"], "n": 2}
        >>> out = move_to(batch, torch.device("cpu"))
        >>> sorted(out), type(out["meta"]), out["n"]
        (['meta', 'n', 'x'], <class 'list'>, 2)

    Pitfalls:
        Batches are often nested (a dict of lists of tensors): walk the
        containers recursively instead of handling one level. ``tensor.to``
        returns a new tensor (assign it!), while ``module.to`` moves the module
        in place and returns it.
    """
    raise NotImplementedError("move_to is not implemented yet")


def cuda_to_numpy(t: torch.Tensor):
    """Return any tensor (any device, with or without grad) as a NumPy array.

    Example:
        >>> cuda_to_numpy(torch.ones(2, requires_grad=True))
        array([1., 1.], dtype=float32)

    Pitfall:
        ``.numpy()`` raises for a CUDA tensor ("can't convert cuda:0 device
        type tensor to numpy") and for one that requires grad: detach it and
        bring it to the CPU first.
    """
    raise NotImplementedError("cuda_to_numpy is not implemented yet")


def parallelize(model: nn.Module) -> nn.Module:
    """Put ``model`` on the best device; wrap it in ``nn.DataParallel`` only when more than one GPU is visible.

    Example:
        >>> parallelize(nn.Linear(3, 1))   # on a machine without GPUs
        Linear(in_features=3, out_features=1, bias=True)

    Pitfalls:
        DataParallel with one GPU (or none) only adds overhead and prefixes
        every ``state_dict`` key with ``module.``: check
        ``torch.cuda.device_count() > 1``. Move the model to the device
        (``pick_device``) whatever the count.
    """
    raise NotImplementedError("parallelize is not implemented yet")
