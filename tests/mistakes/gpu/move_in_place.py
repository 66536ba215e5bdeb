"""Mistake: move_to overwrites the caller's dicts and lists in place

TASK: move_to
KEEPS: test_move_to_flat_containers, test_move_to_nested_containers, test_move_to_cuda_model_and_batch
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
