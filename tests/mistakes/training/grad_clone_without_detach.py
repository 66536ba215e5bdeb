"""Mistake: copies x with clone() but no detach(): for an x that requires grad the graph reaches x itself

TASK: accumulated_grad
PITFALL: make a copy that is a leaf (``detach().clone()``).
KEEPS: test_accumulated_grad_values, test_accumulated_grad_zero_times
"""


def accumulated_grad(x: torch.Tensor, times: int) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    x.retain_grad()
    y = (x ** 2).sum()
    for _ in range(times):
        y.backward(retain_graph=True)
    return x.grad if x.grad is not None else torch.zeros_like(x)
