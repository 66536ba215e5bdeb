"""Reference solution: autograd and optim.

"""

import torch
from torch import nn  # noqa: F401 - mistake fixtures appended to this file use it


def train_step(model, optimizer, loss_fn, x, y):
    # Gradients accumulate in .grad across backward() calls: clear them first,
    # or this step would follow the sum of every gradient so far.
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    # The loss was computed before step(); .item() gives a plain float that
    # does not keep the graph alive.
    return loss.item()


def make_optimizer(model, base_lr, classifier_lr, momentum=0.0):
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


def fit(model, loader, loss_fn, epochs, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        losses = [train_step(model, optimizer, loss_fn, xb, yb) for xb, yb in loader]
        history.append(sum(losses) / len(losses) if losses else float("nan"))
    return history


def accumulated_grad(x, times):
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
