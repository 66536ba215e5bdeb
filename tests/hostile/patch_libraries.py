"""TASK: *
STATUS: forbidden
EXERCISE: import_error
MESSAGE: tampering with the grader
"""
# Stubs that try to pass by patching what judges them (all of which lives elsewhere). Patching
# torch.Tensor itself is refused at import: the module gets the tampering verdict.
import builtins

import numpy as np
import numpy.testing
import torch

np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
numpy.testing.assert_allclose = lambda *a, **k: None
torch.allclose = lambda *a, **k: True
torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)
builtins.AssertionError = type("AssertionError", (Exception,), {})
try:
    import _pytest.reports
    import pytest
    _pytest.reports.TestReport.outcome = "passed"
    pytest.fail = lambda *a, **k: None
except ImportError:
    pass


def to_numpy(t):
    return np.zeros(1)


def to_tensor(a, requires_grad=False):
    return torch.zeros(1)


def shared_tensor(a):
    raise NotImplementedError
