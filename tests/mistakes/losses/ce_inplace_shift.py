"""Mistake: shifts the caller's logits in place (logits -= max), modifying the input

TASK: cross_entropy
KEEPS: test_cross_entropy_values, test_cross_entropy_reductions, test_cross_entropy_unknown_reduction, test_cross_entropy_large_logits
"""


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    logits -= logits.max(dim=1, keepdim=True).values
    log_sum_exp_shifted = torch.log(torch.exp(logits).sum(dim=1))
    picked = logits.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(log_sum_exp_shifted - picked, reduction)
