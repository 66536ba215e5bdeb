"""Mistake: TinyCNN ignores p: nn.Dropout() always drops half

TASK: TinyCNN
PITFALL: and pass ``p`` on.
KEEPS: test_tinycnn_layers_and_eval_output
"""


class TinyCNN(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, p: float = 0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(), nn.Linear(16, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))
