"""Mistake: make_optimizer never passes momentum on to SGD

TASK: make_optimizer
KEEPS: test_make_optimizer_two_groups
"""


def make_optimizer(model: nn.Module, base_lr: float, classifier_lr: float, momentum: float = 0.0):
    return torch.optim.SGD(
        [
            {"params": model.features.parameters(), "lr": base_lr},
            {"params": model.classifier.parameters(), "lr": classifier_lr},
        ],
        lr=base_lr,
    )
