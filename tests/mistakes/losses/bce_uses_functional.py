"""Mistake: bce_with_logits calls F.binary_cross_entropy_with_logits (forbidden)

TASK: bce_with_logits
"""

import numpy as np
import torch
import torch.nn.functional as F

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"unknown reduction {reduction!r}: expected one of {_REDUCTIONS}")


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, target, reduction=reduction)


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
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


def softmax_np(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x)
    # keepdims keeps the reduced axis as size 1, so the max (and the sum)
    # broadcast back along the right axis whatever `axis` is.
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def cross_entropy_np(logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
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
