"""Reference solution: devices and DataParallel.

"""

import torch
from torch import nn


def pick_device(prefer_gpu=True):
    if prefer_gpu and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def move_to(obj, device):
    # Tensors return a moved copy; Modules move in place and return themselves.
    if isinstance(obj, (torch.Tensor, nn.Module)):
        return obj.to(device)
    # Walk containers recursively, rebuilding the same kind of container.
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items()}
    if isinstance(obj, list):
        return [move_to(item, device) for item in obj]
    if isinstance(obj, tuple):
        items = [move_to(item, device) for item in obj]
        if hasattr(obj, "_fields"):  # a namedtuple takes its fields as arguments
            return type(obj)(*items)
        return tuple(items)
    return obj  # numbers, strings, None, ...: nothing to move


def cuda_to_numpy(t):
    # detach (numpy has no autograd) then cpu (numpy cannot read GPU memory).
    return t.detach().cpu().numpy()


def parallelize(model):
    model = model.to(pick_device())
    # DataParallel splits each batch across GPUs; with one GPU (or none) it
    # only adds overhead and renames every state_dict key with "module.".
    if torch.cuda.device_count() > 1:
        model = nn.DataParallel(model)
    return model
