"""Mistake: cross_entropy calls F.cross_entropy (forbidden)

TASK: cross_entropy
PITFALL: the library's versions of these losses ... are forbidden here
"""

import torch.nn.functional as F


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    return F.cross_entropy(logits, target, reduction=reduction)
