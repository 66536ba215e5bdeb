"""Mistake: train_step returns the loss recomputed after the update, not the one it stepped on

TASK: train_step
"""

import torch
from torch import nn


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn, x, y) -> float:
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        return loss_fn(model(x), y).item()


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
        losses = [train_step(model, optimizer, loss_fn, xb, yb) for xb, yb in loader]
        history.append(sum(losses) / len(losses) if losses else float("nan"))
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
