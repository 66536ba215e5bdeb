"""Mistake: cross_entropy uses the tensor method logits.log_softmax (forbidden)

TASK: cross_entropy
PITFALL: the library's versions of these losses ... in functional, tensor-method or module form) are forbidden here
"""


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    log_probs = logits.log_softmax(dim=1)
    picked = log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(-picked, reduction)
