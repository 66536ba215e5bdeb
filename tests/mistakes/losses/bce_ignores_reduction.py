"""Mistake: bce_with_logits ignores `reduction` and always returns the mean

TASK: bce_with_logits
"""


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    loss = logits.clamp(min=0) - logits * target + torch.log1p(torch.exp(-logits.abs()))
    return loss.mean()
