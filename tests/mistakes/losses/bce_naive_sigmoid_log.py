"""Mistake: the textbook formula: log(sigmoid(x)) and log(1 - sigmoid(x)), -inf/nan at +-100

TASK: bce_with_logits
PITFALL: At x = 100, ``sigmoid(x)`` is exactly 1.0 in float32, so ``log(1 - p)`` is ``log(0) = -inf``
KEEPS: test_bce_with_logits_values, test_bce_with_logits_reductions, test_bce_with_logits_unknown_reduction, test_bce_with_logits_gradient_and_inputs
"""


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    p = torch.sigmoid(logits)
    loss = -(target * torch.log(p) + (1 - target) * torch.log(1 - p))
    return _reduce(loss, reduction)
