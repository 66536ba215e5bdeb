"""TASK: to_tensor
STATUS: crashed
MESSAGE: SIGSEGV
"""
import ctypes


def to_tensor(a, requires_grad=False):
    return ctypes.string_at(0)
