"""Mistake: backward without retain_graph=True: the second backward through the freed graph raises

TASK: accumulated_grad
PITFALL: The second ``backward`` through the same graph raises ... unless you pass ``retain_graph=True``.
"""


def accumulated_grad(x: torch.Tensor, times: int) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    y = (x ** 2).sum()
    for _ in range(times):
        y.backward()
    return x.grad if x.grad is not None else torch.zeros_like(x)
