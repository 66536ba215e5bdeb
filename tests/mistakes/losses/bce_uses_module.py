"""Mistake: bce_with_logits calls the library's nn.BCEWithLogitsLoss (forbidden)

TASK: bce_with_logits
PITFALL: the library's versions of these losses ... are forbidden here
"""

from torch import nn


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    return nn.BCEWithLogitsLoss(reduction=reduction)(logits, target)
