"""Mistake: pick_device always returns cpu

TASK: pick_device
"""


def pick_device(prefer_gpu: bool = True) -> torch.device:
    return torch.device("cpu")
