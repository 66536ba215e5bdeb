"""Mistake: pick_device returns cuda whenever it is available, even with prefer_gpu=False

TASK: pick_device
"""


def pick_device(prefer_gpu: bool = True) -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
