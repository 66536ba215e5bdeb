"""Mistake: train_step never clears the gradients: the second call follows the sum of both batches' gradients

TASK: train_step
PITFALL: Forget ``zero_grad`` and every step uses the sum of all gradients so far
KEEPS: test_train_step_one_step
"""


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn, x, y) -> float:
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
