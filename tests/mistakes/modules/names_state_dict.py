"""Mistake: parameter_names from state_dict() keys: buffers (running_mean, ...) come along

TASK: parameter_names
PITFALL: ``state_dict()`` keys are not the parameters: they include buffers such as BatchNorm's ``running_mean``.
"""


def parameter_names(module, trainable_only=True):
    params = dict(module.named_parameters())
    return [name for name in module.state_dict()
            if not trainable_only or name not in params or params[name].requires_grad]
