"""Exercise 8: nn.Module, nn.Parameter and nn.Sequential.

A module owns parameters and sub-modules; assigning them as attributes in
``__init__`` registers them, so ``parameters()``, ``state_dict()``,
``.to(device)`` and optimizers find them. ``nn.Sequential`` chains modules,
and can be built in three styles that differ in the children's names.

Picture: assets_picture/modules_sequential_styles.png
"""

import math
from collections import OrderedDict

import torch
from torch import nn


class Affine(nn.Module):
    """``y = x @ weight.T + bias``, written by hand.

    ``Affine(in_features, out_features)`` has exactly two parameters: ``weight``
    of shape ``(out_features, in_features)`` and ``bias`` of shape
    ``(out_features,)``, both ``nn.Parameter``. Initialize them with small
    random values, e.g. uniform in ``[-1/sqrt(in), 1/sqrt(in)]`` as nn.Linear does.

    Example:
        >>> layer = Affine(4, 2)
        >>> [name for name, _ in layer.named_parameters()]
        ['weight', 'bias']
        >>> layer(torch.randn(8, 4)).shape
        torch.Size([8, 2])

    Pitfalls:
        Call ``super().__init__()`` first. A plain tensor attribute (even one
        with requires_grad=True) is not registered: ``parameters()`` misses it,
        so the optimizer never updates it and ``.to(device)`` leaves it behind.
        Wrap it in ``nn.Parameter``.
    """

    def __init__(self, in_features: int, out_features: int):
        raise NotImplementedError("Affine.__init__ is not implemented yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Affine.forward is not implemented yet")


def conv_block(style: str) -> nn.Sequential:
    """Return ``Conv2d(3, 3, 3) -> BatchNorm2d(3) -> ReLU`` as an ``nn.Sequential``.

    Built in one of three styles, which differ in the children's names:

    - ``"add_module"``: start empty and call ``add_module`` with the names
      ``conv``, ``batchnorm``, ``activation_layer``;
    - ``"args"``: pass the modules as arguments; the children are named
      ``0``, ``1``, ``2``;
    - ``"ordered_dict"``: pass an ``OrderedDict`` with the names ``conv1``,
      ``bn1``, ``relu1``.

    Any other style raises ``ValueError``.

    Example:
        >>> [name for name, _ in conv_block("ordered_dict").named_children()]
        ['conv1', 'bn1', 'relu1']

    Pitfall:
        Names matter: they are the keys of ``state_dict``, so a checkpoint saved
        from one style does not load into another.
    """
    raise NotImplementedError("conv_block is not implemented yet")


def count_parameters(module: nn.Module, trainable_only: bool = True) -> int:
    """Return the number of scalar parameters in ``module``.

    With ``trainable_only`` (the default) count only parameters with
    ``requires_grad=True``; otherwise count all of them.

    Example:
        >>> count_parameters(nn.Linear(3, 2))
        8

    Pitfall:
        ``len(list(module.parameters()))`` counts tensors, not numbers: use
        ``numel()``. Frozen layers (``requires_grad=False``) are still in
        ``parameters()``: filter them when ``trainable_only`` is True.
    """
    raise NotImplementedError("count_parameters is not implemented yet")


class MLP(nn.Module):
    """``MLP(in_features, hidden, out_features)``: Linear -> ReLU -> Linear.

    It has two attributes: ``features = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())``
    and ``classifier = nn.Linear(hidden, out_features)``; ``forward`` applies
    them in turn. Input ``(B, in_features)``, output ``(B, out_features)``.

    Example:
        >>> MLP(4, 16, 3)(torch.randn(8, 4)).shape
        torch.Size([8, 3])

    Pitfall:
        Keep the attribute names: the training exercise gives ``features`` and
        ``classifier`` different learning rates by name.
    """

    def __init__(self, in_features: int, hidden: int, out_features: int):
        raise NotImplementedError("MLP.__init__ is not implemented yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("MLP.forward is not implemented yet")


class SequenceClassifier(nn.Module):
    """Embedding -> LSTM -> Linear on the last hidden state.

    ``SequenceClassifier(vocab_size, embed_dim, hidden, num_classes)``: input
    int64 token ids ``(B, T)``, output ``(B, num_classes)``. Suggested
    attributes: ``embedding = nn.Embedding(vocab_size, embed_dim)``,
    ``lstm = nn.LSTM(embed_dim, hidden, batch_first=True)``,
    ``classifier = nn.Linear(hidden, num_classes)``.

    Example:
        >>> model = SequenceClassifier(100, 8, 16, 3)
        >>> model(torch.randint(0, 100, (4, 10))).shape
        torch.Size([4, 3])

    Pitfalls:
        An LSTM returns ``output, (h_n, c_n)``. ``output`` is (B, T, hidden):
        ``output[:, 0]`` is the state after the *first* token only. Classify
        from ``h_n[-1]`` (the last layer's state after the last step), shape
        (B, hidden). Without ``batch_first=True`` the LSTM reads (T, B, E)
        and would mix up batch and time.
    """

    def __init__(self, vocab_size: int, embed_dim: int, hidden: int, num_classes: int):
        raise NotImplementedError("SequenceClassifier.__init__ is not implemented yet")

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("SequenceClassifier.forward is not implemented yet")
