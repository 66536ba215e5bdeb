"""Mistake: move_to overwrites the caller's dicts and lists in place

TASK: move_to
"""

import torch
from torch import nn


def pick_device(prefer_gpu: bool = True) -> torch.device:
    if prefer_gpu and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


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
