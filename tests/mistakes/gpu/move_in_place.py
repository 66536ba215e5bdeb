"""Mistake: move_to overwrites the caller's dicts and lists in place

TASK: move_to
"""


def move_to(obj, device):
    if isinstance(obj, (torch.Tensor, nn.Module)):
        return obj.to(device)
    if isinstance(obj, dict):
        for key in obj:
            obj[key] = move_to(obj[key], device)
        return obj
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            obj[i] = move_to(item, device)
        return obj
    if isinstance(obj, tuple):
        return tuple(move_to(item, device) for item in obj)
    return obj
