"""Mistake: move_to rebuilds tuples as lists

TASK: move_to
KEEPS: test_move_to_cuda_model_and_batch
"""


def move_to(obj, device):
    if isinstance(obj, (torch.Tensor, nn.Module)):
        return obj.to(device)
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [move_to(item, device) for item in obj]
    return obj
