"""Mistake: parameter_names ignores trainable_only and lists frozen parameters too

TASK: parameter_names
"""


def parameter_names(module, trainable_only=True):
    return [name for name, _ in module.named_parameters()]
