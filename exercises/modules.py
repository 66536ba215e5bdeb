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
    ``(out_features,)``, both ``nn.Parameter``. Initialize the weight with small
    random values, e.g. uniform in ``[-1/sqrt(in), 1/sqrt(in)]`` as nn.Linear does
    (equal weights would make every output unit compute the same thing); the
    bias likewise, or zeros.

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


class TinyCNN(nn.Module):
    """A small image classifier that accepts images of any size (at least 2 x 2).

    ``TinyCNN(in_channels, num_classes, p=0.5)`` has two attributes:

    - ``features = nn.Sequential(Conv2d(in_channels, 8, 3, padding=1), ReLU(),
      MaxPool2d(2), Conv2d(8, 16, 3, padding=1), ReLU(), AdaptiveAvgPool2d(1))``
    - ``classifier = nn.Sequential(Flatten(), Dropout(p), Linear(16, num_classes))``

    ``forward`` applies them in turn: ``(B, in_channels, H, W)`` gives
    ``(B, num_classes)``. In ``eval()`` mode the output is deterministic; in
    ``train()`` mode dropout zeroes features at random.

    Example:
        >>> model = TinyCNN(3, 10).eval()
        >>> model(torch.randn(4, 3, 32, 32)).shape, model(torch.randn(4, 3, 57, 20)).shape
        (torch.Size([4, 10]), torch.Size([4, 10]))

    Picture: assets_picture/modules_tinycnn_shapes.png

    Pitfalls:
        Without the adaptive pool, ``Flatten`` gives ``16 * H/2 * W/2`` numbers and
        the Linear layer fits one image size only. Use the ``nn.Dropout`` module
        (which ``eval()`` switches off), not ``F.dropout(x, p)`` with its default
        ``training=True``, and pass ``p`` on.
    """

    def __init__(self, in_channels: int, num_classes: int, p: float = 0.5):
        raise NotImplementedError("TinyCNN.__init__ is not implemented yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("TinyCNN.forward is not implemented yet")


def upsample(in_channels: int, out_channels: int) -> nn.ConvTranspose2d:
    """Return a layer that doubles the height and width: ``(B, in, H, W) -> (B, out, 2H, 2W)``.

    Use ``nn.ConvTranspose2d`` with ``kernel_size=2`` and ``stride=2`` (no
    padding): each input pixel paints its own 2 x 2 patch of the output.

    Example:
        >>> upsample(16, 8)(torch.randn(1, 16, 5, 7)).shape
        torch.Size([1, 8, 10, 14])

    Pitfall:
        A transposed convolution's output side is ``(H - 1) * stride + kernel_size``
        (without padding): kernel 3 and stride 1 give ``H + 2``, not ``2H``.
        The arguments are ``(in_channels, out_channels, ...)``, as for Conv2d.
    """
    raise NotImplementedError("upsample is not implemented yet")


def lstm_cell_unroll(cell: nn.LSTMCell, x: torch.Tensor, state=None):
    """Run an ``nn.LSTMCell`` over a sequence, one time step after another.

    ``x`` is ``(B, T, F)``; ``state`` is ``(h, c)``, each ``(B, H)``, or ``None``
    for zeros. Step ``t`` computes ``h, c = cell(x[:, t], (h, c))`` from the
    previous step's ``(h, c)``. Return ``(outputs, (h, c))``: ``outputs`` is
    ``(B, T, H)`` with each step's ``h``, and ``(h, c)`` is the last state. The
    result equals a one-layer ``nn.LSTM(F, H, batch_first=True)`` holding the
    same weights, and gradients flow back to the cell's parameters.

    Example:
        >>> cell = nn.LSTMCell(3, 5)
        >>> outputs, (h, c) = lstm_cell_unroll(cell, torch.randn(2, 7, 3))
        >>> outputs.shape, h.shape, c.shape
        (torch.Size([2, 7, 5]), torch.Size([2, 5]), torch.Size([2, 5]))

    Picture: assets_picture/modules_lstm_cell_unroll.png

    Pitfalls:
        ``cell(x[:, t])`` without the state starts every step from zeros: the
        model then forgets everything between steps. Carry *both* h and c.
        ``torch.stack(outputs)`` stacks along dim 0, giving (T, B, H): stack
        along dim 1. Don't ``detach`` the state between steps: gradients must
        reach the early steps.
    """
    raise NotImplementedError("lstm_cell_unroll is not implemented yet")


def parameter_names(module: nn.Module, trainable_only: bool = True) -> list:
    """Return the names of ``module``'s parameters, as ``named_parameters()`` gives them.

    Keep their order (the order in which the sub-modules were registered). With
    ``trainable_only`` (the default) keep only those with ``requires_grad``.

    Example:
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
        >>> _ = model[0].weight.requires_grad_(False)
        >>> parameter_names(model)
        ['0.bias', '1.weight', '1.bias']

    Pitfalls:
        ``state_dict()`` keys are not the parameters: they include buffers such
        as BatchNorm's ``running_mean``. Don't sort the names: the order is the
        model's. Frozen parameters are still listed by ``named_parameters()``.
    """
    raise NotImplementedError("parameter_names is not implemented yet")
