"""Mistake: move_to handles one level of containers and does not recurse into nested ones

TASK: move_to
"""

import torch
from torch import nn


def pick_device(prefer_gpu: bool = True) -> torch.device:
    if prefer_gpu and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


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


def cuda_to_numpy(t: torch.Tensor):
    # detach (numpy has no autograd) then cpu (numpy cannot read GPU memory).
    return t.detach().cpu().numpy()


def parallelize(model: nn.Module) -> nn.Module:
    model = model.to(pick_device())
    # DataParallel splits each batch across GPUs; with one GPU (or none) it
    # only adds overhead and renames every state_dict key with "module.".
    if torch.cuda.device_count() > 1:
        model = nn.DataParallel(model)
    return model
