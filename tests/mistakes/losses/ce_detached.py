"""Mistake: cross_entropy works on logits.detach(): the loss is right but no gradient reaches the logits

TASK: cross_entropy
KEEPS: test_cross_entropy_values, test_cross_entropy_reductions, test_cross_entropy_unknown_reduction, test_cross_entropy_large_logits, test_cross_entropy_keeps_input_non_square
"""


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    logits = logits.detach()
    m = logits.max(dim=1, keepdim=True).values
    shifted = logits - m
    log_sum_exp_shifted = torch.log(torch.exp(shifted).sum(dim=1))
    picked = shifted.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(log_sum_exp_shifted - picked, reduction)
