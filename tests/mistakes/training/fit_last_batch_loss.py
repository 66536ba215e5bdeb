"""Mistake: fit records the last batch's loss of each epoch instead of the epoch's average

TASK: fit
KEEPS: test_fit_plain_sgd_parameters
"""


def fit(model: nn.Module, loader, loss_fn, epochs: int, lr: float) -> list[float]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        for xb, yb in loader:
            loss = train_step(model, optimizer, loss_fn, xb, yb)
        history.append(loss)
    return history
