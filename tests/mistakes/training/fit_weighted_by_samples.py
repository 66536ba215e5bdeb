"""Mistake: fit averages the batch losses weighted by batch size, not the plain average of the batch losses

TASK: fit
KEEPS: test_fit_history, test_fit_plain_sgd_parameters
"""


def fit(model: nn.Module, loader, loss_fn, epochs: int, lr: float) -> list[float]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            total += train_step(model, optimizer, loss_fn, xb, yb) * len(xb)
            count += len(xb)
        history.append(total / count)
    return history
