"""Mistake: count_parameters counts parameter tensors instead of their elements

TASK: count_parameters
PITFALL: ``len(list(module.parameters()))`` counts tensors, not numbers: use ``numel()``.
"""


def count_parameters(module: nn.Module, trainable_only: bool = True) -> int:
    # numel counts the scalars in each parameter tensor; frozen parameters
    # (requires_grad=False) are skipped when only trainable ones are wanted.
    return len([p for p in module.parameters() if p.requires_grad or not trainable_only])
