"""Mistake: MLP.features is a Linear without the ReLU

TASK: MLP
"""


class MLP(nn.Module):
    def __init__(self, in_features: int, hidden: int, out_features: int):
        super().__init__()
        # Two named parts, so an optimizer can give them different learning rates.
        self.features = nn.Sequential(nn.Linear(in_features, hidden))
        self.classifier = nn.Linear(hidden, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))
