"""Mistake: pick_device returns the string 'cuda' or 'cpu' instead of a torch.device

TASK: pick_device
PITFALL: Return a ``torch.device``, not a string
"""


def pick_device(prefer_gpu: bool = True) -> torch.device:
    if prefer_gpu and torch.cuda.is_available():
        return "cuda"
    return "cpu"
