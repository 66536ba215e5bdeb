"""Mistake: move_to keeps only the tensors and modules of a container, dropping other values

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
    keep = (torch.Tensor, nn.Module, dict, list, tuple)
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items() if isinstance(value, keep)}
    if isinstance(obj, list):
        return [move_to(item, device) for item in obj if isinstance(item, keep)]
    if isinstance(obj, tuple):
        return tuple(move_to(item, device) for item in obj if isinstance(item, keep))
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
