"""Mistake: move_to keeps only the tensors and modules of a container, dropping other values

TASK: move_to
"""


def move_to(obj, device):
    if isinstance(obj, (torch.Tensor, nn.Module)):
        return obj.to(device)
    keep = (torch.Tensor, nn.Module, dict, list, tuple)
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items() if isinstance(value, keep)}
    if isinstance(obj, list):
        return [move_to(item, device) for item in obj if isinstance(item, keep)]
    if isinstance(obj, tuple):
        return tuple(move_to(item, device) for item in obj if isinstance(item, keep))
    return obj
