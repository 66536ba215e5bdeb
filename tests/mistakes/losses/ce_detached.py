"""Mistake: cross_entropy works on logits.detach(): the loss is right but no gradient reaches the logits

TASK: cross_entropy
"""


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    logits = logits.detach()
    m = logits.max(dim=1, keepdim=True).values
    shifted = logits - m
    log_sum_exp_shifted = torch.log(torch.exp(shifted).sum(dim=1))
    picked = shifted.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(log_sum_exp_shifted - picked, reduction)
