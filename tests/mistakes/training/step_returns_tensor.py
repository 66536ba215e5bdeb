"""Mistake: train_step returns the loss tensor instead of loss.item()

TASK: train_step
PITFALL: Return ``loss.item()``, not the tensor
KEEPS: test_train_step_twice_does_not_accumulate
"""


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn, x, y) -> float:
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss
