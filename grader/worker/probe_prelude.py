"""What every shipped function (probe, recording double) finds in its globals, in the worker.

Everything here runs where the submission runs and is visible to it: no reference
implementation, no expected value. The worker fills in, before any submission code runs,
the modules (math, numpy, np, torch, nn, F, Image, contextlib) and the real functions a probe
observes with (`_real`, captured before the submission could patch torch), then runs this
file's source in each probe's own fresh namespace. The trusted side imports `stand_in` from
here only so that test files can name it.
"""

try:
    torch  # noqa: B018 - filled in by the worker
except NameError:  # on the trusted side, where test files only name stand_in
    import contextlib
    import math  # noqa: F401
    import numpy  # noqa: F401
    import numpy as np  # noqa: F401
    import torch
    import torch.nn as nn  # noqa: F401
    import torch.nn.functional as F  # noqa: F401
    from PIL import Image  # noqa: F401
    _real = None


@contextlib.contextmanager
def stand_in(module, name, replacement):
    """Within the block, module.<name> is `replacement`: a recording double or a fixed answer,
    never a solution, so that a task that calls another one (fit calls train_step) is graded
    on its own."""
    missing = object()
    saved = getattr(module, name, missing)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        if saved is missing:
            delattr(module, name)
        else:
            setattr(module, name, saved)


def plain(x):
    """x as an exact torch.Tensor sharing its memory: whatever a subclass overrides stays out."""
    with _real.no_torch_function():
        p = _real.detach(x)
        if type(p) is not _real.Tensor:
            p = _real.as_subclass(p, _real.Tensor)
    return p


def storage_ptr(x):
    """Where x's memory lies (its storage's address), or None for what is not a tensor."""
    if not isinstance(x, _real.Tensor):
        return None
    with _real.no_torch_function():
        return int(_real.storage_data_ptr(_real.untyped_storage(plain(x))))


def rng_state():
    """torch's global RNG state, read with the function captured before the submission ran."""
    return _real.get_rng_state()
