"""Mistake: TinyCNN without the adaptive pool: Flatten -> Linear(16 * 8 * 8) fits 16 x 16 images only

TASK: TinyCNN
PITFALL: Without the adaptive pool ... the Linear layer fits one image size only.
"""


class TinyCNN(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, p: float = 0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(p), nn.Linear(16 * 8 * 8, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))
