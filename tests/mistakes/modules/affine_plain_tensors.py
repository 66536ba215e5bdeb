"""Mistake: weight and bias kept as plain tensors (requires_grad) instead of nn.Parameter

TASK: Affine
PITFALL: A plain tensor attribute (even one with requires_grad=True) is not registered ... Wrap it in ``nn.Parameter``.
"""


class Affine(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()  # must come first: it sets up the parameter registry
        bound = 1 / math.sqrt(in_features)
        # nn.Parameter registers the tensor: it shows up in .parameters(), moves
        # with .to(device) and is saved in state_dict. A plain tensor attribute
        # would do none of that, and an optimizer would never update it.
        self.weight = torch.empty(out_features, in_features).uniform_(-bound, bound).requires_grad_()
        self.bias = torch.empty(out_features).uniform_(-bound, bound).requires_grad_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight.T + self.bias
