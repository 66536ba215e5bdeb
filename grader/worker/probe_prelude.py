"""What every shipped function (probe) finds in its globals, in the worker.

The worker runs this file's source in each probe's namespace; the trusted side
imports `stand_in` from here only so that test files can name it.
"""

import contextlib
import math  # noqa: F401
import numpy  # noqa: F401
import numpy as np  # noqa: F401
import torch  # noqa: F401
import torch.nn as nn  # noqa: F401
import torch.nn.functional as F  # noqa: F401
from PIL import Image  # noqa: F401


@contextlib.contextmanager
def stand_in(module, name, replacement):
    """Within the block, module.<name> is `replacement`: a correct neighbour, so that a task
    that calls another one (fit calls train_step) is graded on its own."""
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
