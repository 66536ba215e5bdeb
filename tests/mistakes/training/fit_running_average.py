"""Mistake: fit averages the batch losses of all epochs so far instead of each epoch's own

TASK: fit
KEEPS: test_fit_plain_sgd_parameters
"""


def fit(model: nn.Module, loader, loss_fn, epochs: int, lr: float) -> list[float]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history, losses = [], []
    for _ in range(epochs):
        losses += [train_step(model, optimizer, loss_fn, xb, yb) for xb, yb in loader]
        history.append(sum(losses) / len(losses))
    return history
