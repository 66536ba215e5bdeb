"""Mistake: pick_device returns cuda whenever it is preferred, without asking torch.cuda.is_available()

TASK: pick_device
"""


def pick_device(prefer_gpu: bool = True) -> torch.device:
    return torch.device("cuda" if prefer_gpu else "cpu")
