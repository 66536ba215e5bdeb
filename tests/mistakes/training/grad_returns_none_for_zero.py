"""Mistake: accumulated_grad returns x.grad even when no backward ran (None for times == 0)

TASK: accumulated_grad
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
        losses = [train_step(model, optimizer, loss_fn, xb, yb) for xb, yb in loader]
        history.append(sum(losses) / len(losses) if losses else float("nan"))
    return history


def accumulated_grad(x: torch.Tensor, times: int) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    y = (x ** 2).sum()
    for _ in range(times):
        y.backward(retain_graph=True)
    return x.grad
