"""Reference solution: losses written by hand, stable for large logits.

"""

import numpy as np
import torch

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"unknown reduction {reduction!r}: expected one of {_REDUCTIONS}")


def bce_with_logits(logits, target, reduction='mean'):
    # Naively: -(y*log(sigmoid(x)) + (1-y)*log(1-sigmoid(x))). At x = 100,
    # 1 - sigmoid(x) rounds to 0 and log(0) = -inf. Rewritten so that exp only
    # ever sees a non-positive number:
    #   loss = max(x, 0) - x*y + log(1 + exp(-|x|))
    # log1p keeps precision when exp(-|x|) is tiny.
    loss = logits.clamp(min=0) - logits * target + torch.log1p(torch.exp(-logits.abs()))
    return _reduce(loss, reduction)


def cross_entropy(logits, target, reduction='mean'):
    # loss_i = logsumexp(x_i) - x_i[target_i]. exp(1000) overflows to inf, so
    # use the max trick: logsumexp(x) = m + log(sum(exp(x - m))) with m = max(x).
    # After the shift the largest exponent is exp(0) = 1: no overflow, and the
    # sum is at least 1: no log(0). Shifting does not change the value, so no
    # gradient needs to flow through m.
    m = logits.max(dim=1, keepdim=True).values.detach()
    shifted = logits - m
    log_sum_exp_shifted = torch.log(torch.exp(shifted).sum(dim=1))
    # Pick each row's target entry: row i, column target[i] (a[:, target]
    # would take a whole block). Both terms are shifted by the same m, which
    # cancels; keeping them shifted avoids subtracting two large numbers.
    picked = shifted.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(log_sum_exp_shifted - picked, reduction)


def softmax_np(x, axis=-1):
    x = np.asarray(x)
    # keepdims keeps the reduced axis as size 1, so the max (and the sum)
    # broadcast back along the right axis whatever `axis` is.
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def cross_entropy_np(logits, target, reduction='mean'):
    logits = np.asarray(logits)
    shifted = logits - logits.max(axis=1, keepdims=True)  # the same max trick
    log_sum_exp_shifted = np.log(np.exp(shifted).sum(axis=1))
    loss = log_sum_exp_shifted - shifted[np.arange(len(shifted)), target]
    if reduction == "none":
        return loss
    # np.asarray: a 0-d array (like torch's 0-d tensor), not a numpy scalar.
    if reduction == "mean":
        return np.asarray(loss.mean())
    if reduction == "sum":
        return np.asarray(loss.sum())
    raise ValueError(f"unknown reduction {reduction!r}: expected 'none', 'mean' or 'sum'")
