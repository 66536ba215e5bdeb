"""Mistake: train_step calls zero_grad between backward and step, so step has no gradient to follow

TASK: train_step
"""


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn, x, y) -> float:
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()
