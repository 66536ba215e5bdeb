"""Mistake: the textbook formula: log(sigmoid(x)) and log(1 - sigmoid(x)), -inf/nan at +-100

TASK: bce_with_logits
"""


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    p = torch.sigmoid(logits)
    loss = -(target * torch.log(p) + (1 - target) * torch.log(1 - p))
    return _reduce(loss, reduction)
