"""Mistake: fit records the last batch's loss of each epoch instead of the epoch's average

TASK: fit
"""

import torch
from torch import nn


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn, x, y) -> float:
    # Gradients accumulate in .grad across backward() calls: clear them first,
    # or this step would follow the sum of every gradient so far.
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    # The loss was computed before step(); .item() gives a plain float that
    # does not keep the graph alive.
    return loss.item()


def make_optimizer(model: nn.Module, base_lr: float, classifier_lr: float, momentum: float = 0.0):
    # Each param group may override the defaults given after the list; the
    # two groups together must cover every parameter exactly once.
    return torch.optim.SGD(
        [
            {"params": model.features.parameters(), "lr": base_lr},
            {"params": model.classifier.parameters(), "lr": classifier_lr},
        ],
        lr=base_lr,
        momentum=momentum,
    )


def fit(model: nn.Module, loader, loss_fn, epochs: int, lr: float) -> list[float]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        for xb, yb in loader:
            loss = train_step(model, optimizer, loss_fn, xb, yb)
        history.append(loss)
    return history


def accumulated_grad(x: torch.Tensor, times: int) -> torch.Tensor:
    # A fresh leaf: detach cuts any history, clone avoids sharing x's memory,
    # and x's own requires_grad/.grad stay as they were.
    x = x.detach().clone().requires_grad_(True)
    y = (x ** 2).sum()
    for _ in range(times):
        # backward frees the graph's saved tensors unless told to keep them;
        # a second backward through a freed graph raises.
        y.backward(retain_graph=True)
    # Each backward adds 2x to x.grad; with times == 0 nothing ran at all.
    return x.grad if x.grad is not None else torch.zeros_like(x)
