"""Mistake: a new optimizer every epoch

TASK: fit
PITFALL: Make the optimizer once, before the loop: it belongs to the whole run
KEEPS: test_fit_history, test_fit_averages_each_epoch
"""


def fit(model, loader, loss_fn, epochs, lr):
    history = []
    for _ in range(epochs):
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        losses = [train_step(model, optimizer, loss_fn, xb, yb) for xb, yb in loader]
        history.append(sum(losses) / len(losses))
    return history
