"""Mistake: parameter_names ignores trainable_only and lists frozen parameters too

TASK: parameter_names
PITFALL: Frozen parameters are still listed by ``named_parameters()``.
KEEPS: test_parameter_names_in_model_order, test_parameter_names_nested_and_shared
"""


def parameter_names(module, trainable_only=True):
    return [name for name, _ in module.named_parameters()]
