"""Mistake: parallelize returns a deep copy of the model instead of the model itself

TASK: parallelize
KEEPS: test_parallelize_model_works, test_parallelize_on_gpu_matches_single_device
"""


def parallelize(model: nn.Module) -> nn.Module:
    import copy
    model = copy.deepcopy(model).to(pick_device())
    if torch.cuda.device_count() > 1:
        model = nn.DataParallel(model)
    return model
