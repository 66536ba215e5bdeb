"""Mistake: parameter_names sorts the names instead of keeping the model's order

TASK: parameter_names
PITFALL: Don't sort the names: the order is the model's.
"""


def parameter_names(module, trainable_only=True):
    return sorted(name for name, p in module.named_parameters() if p.requires_grad or not trainable_only)
