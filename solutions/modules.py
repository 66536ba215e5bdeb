"""Reference solution: nn.Module, Parameter, Sequential.

"""

import math
from collections import OrderedDict

import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()  # must come first: it sets up the parameter registry
        bound = 1 / math.sqrt(in_features)
        # nn.Parameter registers the tensor: it shows up in .parameters(), moves
        # with .to(device) and is saved in state_dict. A plain tensor attribute
        # would do none of that, and an optimizer would never update it.
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))

    def forward(self, x):
        return x @ self.weight.T + self.bias


def conv_block(style):
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


def count_parameters(module, trainable_only=True):
    # numel counts the scalars in each parameter tensor; frozen parameters
    # (requires_grad=False) are skipped when only trainable ones are wanted.
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


class MLP(nn.Module):
    def __init__(self, in_features, hidden, out_features):
        super().__init__()
        # Two named parts, so an optimizer can give them different learning rates.
        self.features = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
        self.classifier = nn.Linear(hidden, out_features)

    def forward(self, x):
        return self.classifier(self.features(x))


class SequenceClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        # batch_first: inputs are (B, T, E) rather than the default (T, B, E).
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True)
        self.classifier = nn.Linear(hidden, num_classes)

    def forward(self, tokens):
        embedded = self.embedding(tokens)  # (B, T) int64 -> (B, T, E)
        _, (h_n, _) = self.lstm(embedded)  # h_n: (num_layers, B, hidden)
        # h_n[-1] is the last layer's state after the *last* time step, the one
        # that has read the whole sequence (output[:, 0] has seen one token).
        return self.classifier(h_n[-1])


class TinyCNN(nn.Module):
    def __init__(self, in_channels, num_classes, p=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.ReLU(),
            # Whatever H and W are left, average each channel to 1 x 1: the classifier
            # always sees 16 numbers, so the model takes images of any size.
            nn.AdaptiveAvgPool2d(1),
        )
        # Dropout is a module, so model.eval() turns it off and model.train() back on.
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(p), nn.Linear(16, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def upsample(in_channels, out_channels):
    # Kernel 2 with stride 2: each input pixel paints its own 2 x 2 patch, no overlap,
    # so (H, W) becomes exactly (2H, 2W).
    return nn.ConvTranspose2d(in_channels, out_channels, kernel_size=2, stride=2)


def lstm_cell_unroll(cell, x, state=None):
    batch, steps, _ = x.shape
    if state is None:
        h = x.new_zeros(batch, cell.hidden_size)
        c = x.new_zeros(batch, cell.hidden_size)
    else:
        h, c = state
    outputs = []
    for t in range(steps):
        # Each step reads the previous step's (h, c): that is the memory of the LSTM.
        h, c = cell(x[:, t], (h, c))
        outputs.append(h)
    return torch.stack(outputs, dim=1), (h, c)  # dim=1: (B, T, H), batch first


def parameter_names(module, trainable_only=True):
    # named_parameters() walks the sub-modules in registration order and gives
    # dotted names ("features.0.weight"); buffers (BatchNorm's running_mean) are not
    # parameters, though they are in state_dict().
    return [name for name, p in module.named_parameters() if p.requires_grad or not trainable_only]
