"""TASK: *
STATUS: not_implemented
EXERCISE: not_started
"""
# The stubs, graded beside a planted conftest.py, pytest.ini and sitecustomize.py
# (see EXTRA_FILES in tests/test_hostile.py).


def to_numpy(t):
    raise NotImplementedError


def to_tensor(a, requires_grad=False):
    raise NotImplementedError


def shared_tensor(a):
    raise NotImplementedError
