"""Mistake: TinyCNN drops out with F.dropout(x, p) (training=True by default): still random in eval()

TASK: TinyCNN
PITFALL: Use the ``nn.Dropout`` module (which ``eval()`` switches off), not ``F.dropout(x, p)`` with its default ``training=True``
"""


class TinyCNN(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, p: float = 0.5):
        super().__init__()
        self.p = p
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(p), nn.Linear(16, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = self.classifier[0](self.features(x))
        return self.classifier[2](torch.nn.functional.dropout(flat, self.p))
