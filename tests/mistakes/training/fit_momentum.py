"""Mistake: fit trains with SGD momentum=0.9 instead of plain SGD

TASK: fit
"""


def fit(model: nn.Module, loader, loss_fn, epochs: int, lr: float) -> list[float]:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = []
    for _ in range(epochs):
        losses = [train_step(model, optimizer, loss_fn, xb, yb) for xb, yb in loader]
        history.append(sum(losses) / len(losses))
    return history
