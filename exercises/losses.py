"""Exercise 9: loss functions written by hand, stable for large logits.

``exp`` overflows float32 above about 88 and rounds to 0 below about -103,
so the textbook formulas break on confident logits: ``log(0) = -inf`` and
``inf / inf = nan``. The cure is algebra that keeps every exponent <= 0: the
max trick for softmax and cross-entropy, and its cousin for binary
cross-entropy.

These tasks are lessons in *how*: the library's versions of these losses
(binary cross-entropy, cross_entropy, nll_loss, softmax, log_softmax,
logsumexp, in functional, tensor-method or module form) are forbidden here,
and using one scores 0 for that task. ``softmax_np`` and ``cross_entropy_np``
must not use torch at all.

Picture: assets_picture/losses_max_trick.png
"""

import numpy as np
import torch


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Binary cross-entropy on raw scores (logits), computed stably.

    Per element, with ``p = sigmoid(x)``: ``-(y * log(p) + (1 - y) * log(1 - p))``.
    ``reduction`` is ``"none"`` (same shape as the input), ``"mean"`` or
    ``"sum"``; anything else raises ``ValueError``. Must be finite and correct
    for logits of +-100.

    Example:
        >>> bce_with_logits(torch.tensor([100.0, -100.0]), torch.tensor([1.0, 0.0]), "none")
        tensor([0., 0.])
        >>> bce_with_logits(torch.tensor([100.0]), torch.tensor([0.0]))
        tensor(100.)

    Pitfalls:
        At x = 100, ``sigmoid(x)`` is exactly 1.0 in float32, so ``log(1 - p)``
        is ``log(0) = -inf``; at x = -100, ``exp(-x)`` overflows. Work the
        formula into ``max(x, 0) - x * y + log(1 + exp(-|x|))`` (check it for
        x >= 0 and x < 0), where exp only sees numbers <= 0, and use
        ``torch.log1p`` for ``log(1 + small)``.
    """
    raise NotImplementedError("bce_with_logits is not implemented yet")


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Softmax cross-entropy for ``logits (N, C)`` and int64 class indices ``target (N,)``.

    Per row: ``loss_i = log(sum_j exp(x_ij)) - x_i[target_i]``; then reduce
    with ``"none"``, ``"mean"`` or ``"sum"`` (else ``ValueError``). Must be
    correct for logits around 1e3, and gradients must flow to ``logits``.

    Example:
        >>> logits = torch.tensor([[1000.0, 0.0], [0.0, 1000.0]])
        >>> cross_entropy(logits, torch.tensor([0, 0]), "none")
        tensor([   0., 1000.])

    Pitfalls:
        ``exp(1000.)`` is inf, and inf/inf is nan. The max trick: with
        ``m = max_j x_ij``, ``log(sum_j exp(x_ij)) = m + log(sum_j exp(x_ij - m))``;
        after the shift the biggest term is exp(0) = 1, so nothing overflows
        and the sum is never 0. Reduce along dim 1 keeping the dim
        (``keepdim=True``) so the (N, 1) max broadcasts per row. Pick
        ``x_i[target_i]`` one per row (``gather``, or an arange for the rows);
        ``logits[:, target]`` is an (N, N) block.
    """
    raise NotImplementedError("cross_entropy is not implemented yet")


def softmax_np(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax of ``x`` along ``axis`` in NumPy (no torch), stable for large inputs.

    ``softmax(x)_i = exp(x_i) / sum_j exp(x_j)``; the result has the shape of
    ``x`` and sums to 1 along ``axis``.

    Example:
        >>> softmax_np(np.array([[1000.0, 1000.0], [0.0, 0.0]]))
        array([[0.5, 0.5],
               [0.5, 0.5]])

    Pitfalls:
        Subtract the max along ``axis`` first (softmax does not change when
        every input shifts by the same amount). Use ``keepdims=True`` so the
        max and the sum broadcast back along the right axis for any ``axis``.
    """
    raise NotImplementedError("softmax_np is not implemented yet")


def cross_entropy_np(logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    """NumPy-only (no torch) version of :func:`cross_entropy`; same results.

    ``logits`` is ``(N, C)``, ``target`` integer ``(N,)``; ``reduction`` is
    ``"none"`` (shape ``(N,)``), ``"mean"`` or ``"sum"``, else ``ValueError``.

    Example:
        >>> cross_entropy_np(np.array([[1000.0, 0.0]]), np.array([1]), "none")
        array([1000.])

    Pitfalls:
        The same max trick as above. ``np.log(softmax_np(...))`` is not enough:
        a probability that underflows to 0 gives ``log(0) = -inf``. Work with
        ``x - m - log(sum(exp(x - m)))`` directly.
    """
    raise NotImplementedError("cross_entropy_np is not implemented yet")
