"""Exercise 10: autograd and optimizers.

``loss.backward()`` *adds* each parameter's gradient into its ``.grad``;
``optimizer.step()`` moves the parameters along those gradients;
``optimizer.zero_grad()`` clears them. One training step is those calls in
the right order. Optimizers can also give groups of parameters different
settings (param groups).

Picture: assets_picture/training_step.png
"""

import torch
from torch import nn


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn, x, y) -> float:
    """Run one optimization step and return the loss (a Python float) before the update.

    In order: clear the gradients, forward, compute the loss, backward, update.

    Example:
        >>> model = nn.Linear(3, 1)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> loss = train_step(model, opt, nn.MSELoss(), torch.randn(8, 3), torch.randn(8, 1))
        >>> type(loss)
        <class 'float'>

    Pitfalls:
        Forget ``zero_grad`` and every step uses the sum of all gradients so
        far: the second of two calls must follow only its own batch's
        gradient. Return ``loss.item()``, not the tensor (which
        keeps the whole graph alive).
    """
    raise NotImplementedError("train_step is not implemented yet")


def make_optimizer(model: nn.Module, base_lr: float, classifier_lr: float, momentum: float = 0.0):
    """Return ``torch.optim.SGD`` with two param groups for an ``MLP`` (see the modules exercise).

    ``model.features`` trains at ``base_lr`` and ``model.classifier`` at
    ``classifier_lr``; both use ``momentum``.

    Example:
        >>> opt = make_optimizer(model, base_lr=1e-3, classifier_lr=1e-2)
        >>> [group["lr"] for group in opt.param_groups]
        [0.001, 0.01]

    Pitfalls:
        Pass a list of dicts ``{"params": ..., "lr": ...}``; keyword arguments
        after the list are the defaults for every group. Each parameter must be
        in exactly one group (passing ``model.parameters()`` and then the
        classifier again raises).
    """
    raise NotImplementedError("make_optimizer is not implemented yet")


def fit(model: nn.Module, loader, loss_fn, epochs: int, lr: float) -> list[float]:
    """Train ``model`` for ``epochs`` epochs with plain SGD (no momentum) at ``lr``.

    Go over the loader's batches in order, one ``train_step`` per batch, and
    return, for each epoch, the average of that epoch's batch losses.

    Example:
        >>> history = fit(model, loader, nn.MSELoss(), epochs=5, lr=0.1)
        >>> len(history)
        5

    Pitfall:
        Make the optimizer once, before the loop: it belongs to the whole run
        (optimizers with state, like momentum, would lose it if re-created).
    """
    raise NotImplementedError("fit is not implemented yet")


def accumulated_grad(x: torch.Tensor, times: int) -> torch.Tensor:
    """Backpropagate ``(x ** 2).sum()`` ``times`` times through one graph; return the gradient.

    Work on a fresh leaf copy of ``x`` (``x`` itself is untouched); build the
    graph once; call ``backward`` on it ``times`` times. Gradients accumulate,
    so the result is ``times * 2 * x``.

    Example:
        >>> accumulated_grad(torch.tensor([1.0, -2.0]), 3)
        tensor([  6., -12.])

    Pitfalls:
        The second ``backward`` through the same graph raises "Trying to
        backward through the graph a second time": backward frees the graph's
        saved values unless you pass ``retain_graph=True``. Setting
        ``requires_grad`` on ``x`` itself changes the caller's tensor: make a
        copy that is a leaf (``detach().clone()``).
    """
    raise NotImplementedError("accumulated_grad is not implemented yet")
