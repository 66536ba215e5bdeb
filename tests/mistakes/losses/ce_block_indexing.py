"""Mistake: picks the target logits with logits[:, target], an (N, N) block instead of one per row

TASK: cross_entropy
PITFALL: Pick ``x_i[target_i]`` one per row (``gather``, or an arange for the rows); ``logits[:, target]`` is an (N, N) block.
"""


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    m = logits.max(dim=1, keepdim=True).values.detach()
    shifted = logits - m
    log_sum_exp_shifted = torch.log(torch.exp(shifted).sum(dim=1))
    picked = shifted[:, target]
    return _reduce(log_sum_exp_shifted - picked, reduction)
