"""Mistake: log(sum(exp(x))) without the max trick: exp(1000.) overflows to inf

TASK: cross_entropy
PITFALL: ``exp(1000.)`` is inf, and inf/inf is nan. The max trick
KEEPS: test_cross_entropy_values, test_cross_entropy_reductions, test_cross_entropy_unknown_reduction, test_cross_entropy_keeps_input_non_square
"""


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    log_sum_exp = torch.log(torch.exp(logits).sum(dim=1))
    picked = logits.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(log_sum_exp - picked, reduction)
