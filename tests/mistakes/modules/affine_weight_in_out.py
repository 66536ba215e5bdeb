"""Mistake: weight stored as (in, out) and used as x @ weight

TASK: Affine
"""

import math
from collections import OrderedDict

import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()  # must come first: it sets up the parameter registry
        bound = 1 / math.sqrt(in_features)
        # nn.Parameter registers the tensor: it shows up in .parameters(), moves
        # with .to(device) and is saved in state_dict. A plain tensor attribute
        # would do none of that, and an optimizer would never update it.
        self.weight = nn.Parameter(torch.empty(in_features, out_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight + self.bias


def conv_block(style: str) -> nn.Sequential:
    if style == "add_module":
        block = nn.Sequential()
        block.add_module("conv", nn.Conv2d(3, 3, 3))
        block.add_module("batchnorm", nn.BatchNorm2d(3))
        block.add_module("activation_layer", nn.ReLU())
        return block
    if style == "args":
        # Positional children are named "0", "1", "2".
        return nn.Sequential(nn.Conv2d(3, 3, 3), nn.BatchNorm2d(3), nn.ReLU())
    if style == "ordered_dict":
        return nn.Sequential(
            OrderedDict(
                [
                    ("conv1", nn.Conv2d(3, 3, 3)),
                    ("bn1", nn.BatchNorm2d(3)),
                    ("relu1", nn.ReLU()),
                ]
            )
        )
    raise ValueError(f"unknown style {style!r}: expected 'add_module', 'args' or 'ordered_dict'")


def count_parameters(module: nn.Module, trainable_only: bool = True) -> int:
    # numel counts the scalars in each parameter tensor; frozen parameters
    # (requires_grad=False) are skipped when only trainable ones are wanted.
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


class MLP(nn.Module):
    def __init__(self, in_features: int, hidden: int, out_features: int):
        super().__init__()
        # Two named parts, so an optimizer can give them different learning rates.
        self.features = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
        self.classifier = nn.Linear(hidden, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class SequenceClassifier(nn.Module):
    def __init__(self, vocab_size: int, embed_dim: int, hidden: int, num_classes: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        # batch_first: inputs are (B, T, E) rather than the default (T, B, E).
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True)
        self.classifier = nn.Linear(hidden, num_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding(tokens)  # (B, T) int64 -> (B, T, E)
        _, (h_n, _) = self.lstm(embedded)  # h_n: (num_layers, B, hidden)
        # h_n[-1] is the last layer's state after the *last* time step, the one
        # that has read the whole sequence (output[:, 0] has seen one token).
        return self.classifier(h_n[-1])
