"""LEAVES: patched library functions (numpy.sum, torch.sum)"""
import numpy
import torch


def _patched(real):
    def patched(*args, **kwargs):
        return real(*args, **kwargs)
    patched.leaked = True
    return patched


numpy.sum = _patched(numpy.sum)
torch.sum = _patched(torch.sum)
