"""Mistake: the row max without keepdim: an (N,) max broadcasts along the classes, not per row

TASK: cross_entropy
PITFALL: Reduce along dim 1 keeping the dim (``keepdim=True``) so the (N, 1) max broadcasts per row.
"""


def cross_entropy(logits, target, reduction='mean'):
    m = logits.max(dim=1).values.detach()
    shifted = logits - m  # (N, C) - (N,): raises unless N == C, and then shifts column j by row j's max
    log_sum_exp_shifted = torch.log(torch.exp(shifted).sum(dim=1))
    picked = shifted.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(log_sum_exp_shifted - picked, reduction)
