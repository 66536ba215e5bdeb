"""Mistake: make_optimizer sets momentum only in the classifier's group

TASK: make_optimizer
PITFALL: keyword arguments after the list are the defaults for every group.
KEEPS: test_make_optimizer_two_groups
"""


def make_optimizer(model: nn.Module, base_lr: float, classifier_lr: float, momentum: float = 0.0):
    return torch.optim.SGD(
        [
            {"params": model.features.parameters(), "lr": base_lr},
            {"params": model.classifier.parameters(), "lr": classifier_lr, "momentum": momentum},
        ],
        lr=base_lr,
    )
