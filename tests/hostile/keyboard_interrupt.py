"""TASK: to_tensor
STATUS: crashed
"""


def to_tensor(a, requires_grad=False):
    raise KeyboardInterrupt
