"""Mistake: weight stored as (in, out) and used as x @ weight

TASK: Affine
"""


class Affine(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()  # must come first: it sets up the parameter registry
        bound = 1 / math.sqrt(in_features)
        # nn.Parameter registers the tensor: it shows up in .parameters(), moves
        # with .to(device) and is saved in state_dict. A plain tensor attribute
        # would do none of that, and an optimizer would never update it.
        self.weight = nn.Parameter(torch.empty(in_features, out_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight + self.bias
