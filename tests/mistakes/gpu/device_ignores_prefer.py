"""Mistake: pick_device returns cuda whenever it is available, even with prefer_gpu=False

TASK: pick_device
KEEPS: test_pick_device_follows_availability, test_pick_device_preferred_with_cuda
"""


def pick_device(prefer_gpu: bool = True) -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
