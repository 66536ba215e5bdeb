"""Mistake: cross_entropy reaches F.log_softmax through getattr(F, "log_" + "softmax") (forbidden)

TASK: cross_entropy
PITFALL: the library's versions of these losses ... are forbidden here
"""

import torch.nn.functional as F


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    log_probs = getattr(F, "log_" + "softmax")(logits, dim=1)
    picked = log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(-picked, reduction)
