"""Mistake: bce_with_logits calls F.binary_cross_entropy_with_logits (forbidden)

TASK: bce_with_logits
PITFALL: the library's versions of these losses ... are forbidden here
"""

import torch.nn.functional as F


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, target, reduction=reduction)
