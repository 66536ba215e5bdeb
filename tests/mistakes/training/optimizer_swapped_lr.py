"""Mistake: make_optimizer gives the features classifier_lr and the classifier base_lr

TASK: make_optimizer
"""


def make_optimizer(model: nn.Module, base_lr: float, classifier_lr: float, momentum: float = 0.0):
    return torch.optim.SGD(
        [
            {"params": model.features.parameters(), "lr": classifier_lr},
            {"params": model.classifier.parameters(), "lr": base_lr},
        ],
        lr=base_lr,
        momentum=momentum,
    )
