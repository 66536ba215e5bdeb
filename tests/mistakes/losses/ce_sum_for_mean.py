"""Mistake: cross_entropy treats any reduction other than "none" as "sum"

TASK: cross_entropy
KEEPS: test_cross_entropy_keeps_input_non_square
"""


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    m = logits.max(dim=1, keepdim=True).values.detach()
    shifted = logits - m
    log_sum_exp_shifted = torch.log(torch.exp(shifted).sum(dim=1))
    picked = shifted.gather(1, target.unsqueeze(1)).squeeze(1)
    loss = log_sum_exp_shifted - picked
    return loss if reduction == "none" else loss.sum()
