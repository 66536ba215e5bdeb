"""Mistake: make_optimizer puts every parameter in one group at base_lr

TASK: make_optimizer
PITFALL: Pass a list of dicts ``{"params": ..., "lr": ...}``
"""


def make_optimizer(model: nn.Module, base_lr: float, classifier_lr: float, momentum: float = 0.0):
    return torch.optim.SGD(model.parameters(), lr=base_lr, momentum=momentum)
