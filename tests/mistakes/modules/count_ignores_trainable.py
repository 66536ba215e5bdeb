"""Mistake: count_parameters counts frozen parameters too (trainable_only ignored)

TASK: count_parameters
PITFALL: Frozen layers (``requires_grad=False``) are still in ``parameters()``: filter them when ``trainable_only`` is True.
KEEPS: test_count_parameters_plain
"""


def count_parameters(module: nn.Module, trainable_only: bool = True) -> int:
    # numel counts the scalars in each parameter tensor; frozen parameters
    # (requires_grad=False) are skipped when only trainable ones are wanted.
    return sum(p.numel() for p in module.parameters())
