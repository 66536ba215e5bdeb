"""Mistake: bce_with_logits ignores `reduction` and always returns the mean

TASK: bce_with_logits
KEEPS: test_bce_with_logits_values, test_bce_with_logits_gradient_and_inputs
"""


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    loss = logits.clamp(min=0) - logits * target + torch.log1p(torch.exp(-logits.abs()))
    return loss.mean()
