"""Mistake: accumulated_grad returns x.grad even when no backward ran (None for times == 0)

TASK: accumulated_grad
KEEPS: test_accumulated_grad_values, test_accumulated_grad_leaves_x_untouched
"""


def accumulated_grad(x: torch.Tensor, times: int) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    y = (x ** 2).sum()
    for _ in range(times):
        y.backward(retain_graph=True)
    return x.grad
