"""Mistake: accumulated_grad sets requires_grad on the caller's x and accumulates into x.grad

TASK: accumulated_grad
PITFALL: Setting ``requires_grad`` on ``x`` itself changes the caller's tensor
KEEPS: test_accumulated_grad_values, test_accumulated_grad_zero_times
"""


def accumulated_grad(x: torch.Tensor, times: int) -> torch.Tensor:
    x.requires_grad_(True)
    y = (x ** 2).sum()
    for _ in range(times):
        y.backward(retain_graph=True)
    return x.grad.clone() if x.grad is not None else torch.zeros_like(x)
