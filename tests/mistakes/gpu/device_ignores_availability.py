"""Mistake: pick_device returns cuda whenever it is preferred, without asking torch.cuda.is_available()

TASK: pick_device
PITFALL: don't assume CUDA exists: ask ``torch.cuda.is_available()``.
KEEPS: test_pick_device_not_preferred, test_pick_device_not_preferred_with_cuda
"""


def pick_device(prefer_gpu: bool = True) -> torch.device:
    return torch.device("cuda" if prefer_gpu else "cpu")
