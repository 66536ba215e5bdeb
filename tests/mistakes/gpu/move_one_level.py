"""Mistake: move_to handles one level of containers and does not recurse into nested ones

TASK: move_to
PITFALL: Batches are often nested (a dict of lists of tensors): walk the containers recursively instead of handling one level.
KEEPS: test_move_to_flat_containers
"""


def move_to(obj, device):
    def one(value):
        return value.to(device) if isinstance(value, (torch.Tensor, nn.Module)) else value
    if isinstance(obj, dict):
        return {key: one(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [one(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(one(item) for item in obj)
    return one(obj)
