"""Mistake: parallelize always wraps the model in nn.DataParallel, whatever the GPU count

TASK: parallelize
PITFALL: DataParallel with one GPU (or none) only adds overhead ... check ``torch.cuda.device_count() > 1``.
KEEPS: test_parallelize_model_works
"""


def parallelize(model: nn.Module) -> nn.Module:
    model = model.to(pick_device())
    return nn.DataParallel(model)
