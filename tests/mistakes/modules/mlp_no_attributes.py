"""Mistake: MLP as one nn.Sequential attribute, without features/classifier

TASK: MLP
PITFALL: Keep the attribute names
"""


class MLP(nn.Module):
    def __init__(self, in_features: int, hidden: int, out_features: int):
        super().__init__()
        # Two named parts, so an optimizer can give them different learning rates.
        self.net = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
