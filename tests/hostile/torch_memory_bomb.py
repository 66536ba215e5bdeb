"""TASK: to_numpy
STATUS: crashed
MESSAGE: memory
"""
import torch


def to_numpy(t):
    return torch.empty(10 ** 11).numpy()
