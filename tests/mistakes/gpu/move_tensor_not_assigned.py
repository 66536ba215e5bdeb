"""Mistake: move_to calls tensor.to(device) without using its result (tensor.to is not in place)

TASK: move_to
PITFALL: ``tensor.to`` returns a new tensor (assign it!)
"""


def move_to(obj, device):
    if isinstance(obj, (torch.Tensor, nn.Module)):
        obj.to(device)
        return obj
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items()}
    if isinstance(obj, list):
        return [move_to(item, device) for item in obj]
    if isinstance(obj, tuple):
        return tuple(move_to(item, device) for item in obj)
    return obj
