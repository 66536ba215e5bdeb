"""Mistake: parallelize always wraps the model in nn.DataParallel, whatever the GPU count

TASK: parallelize
KEEPS: test_parallelize_model_works
"""


def parallelize(model: nn.Module) -> nn.Module:
    model = model.to(pick_device())
    return nn.DataParallel(model)
