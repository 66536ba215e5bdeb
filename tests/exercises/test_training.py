"""Hidden tests: autograd and optimizers (train_step, param groups, fit, accumulated gradients)."""

import torch
from torch import nn

from grader.testing import (check_close, check_equal, check_tensor, computed_once, fail, graded,
                            seeded_tensor, stand_in)


# ---------------------------------------------------------------- probes (run in the worker)
def train_steps(student, params, batches, lr, loss_kind):
    """train_step(model, SGD(model.parameters(), lr), loss_fn, x, y), once per batch, on a small MLP"""
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(value)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss() if loss_kind == "mse" else nn.CrossEntropyLoss()
    losses = [student.training.train_step(model, optimizer, loss_fn, x, y) for x, y in batches]
    return losses, [p.detach().clone() for p in model.parameters()]


def optimizer_groups(student, base_lr, classifier_lr, kwargs):
    """make_optimizer(model with .features and .classifier, base_lr, classifier_lr, ...)"""
    from collections import OrderedDict
    model = nn.Sequential(OrderedDict(features=nn.Sequential(nn.Linear(4, 6), nn.ReLU()),
                                      classifier=nn.Linear(6, 3)))
    opt = student.training.make_optimizer(model, base_lr, classifier_lr, **kwargs)
    kind = f"{type(opt).__module__}.{type(opt).__qualname__}"
    if not isinstance(opt, torch.optim.SGD):
        return kind, None
    # Parameters by position in model.parameters(): 0, 1 are features', 2, 3 the classifier's.
    index = {id(p): i for i, p in enumerate(model.parameters())}
    groups = [{"params": sorted(index.get(id(p), -1) for p in g["params"]),
               "lr": float(g["lr"]), "momentum": float(g.get("momentum", 0.0))} for g in opt.param_groups]
    return kind, groups


def optimizer_two_steps(student, base_lr, classifier_lr, momentum):
    """make_optimizer(model, base_lr, classifier_lr, momentum), then two step() calls with all grads 1"""
    from collections import OrderedDict
    model = nn.Sequential(OrderedDict(features=nn.Sequential(nn.Linear(4, 6), nn.ReLU()),
                                      classifier=nn.Linear(6, 3)))
    before = [p.detach().clone() for p in model.parameters()]
    opt = student.training.make_optimizer(model, base_lr, classifier_lr, momentum=momentum)
    for _ in range(2):
        for p in model.parameters():
            p.grad = torch.ones_like(p)
        opt.step()
    return [(p.detach() - b) for p, b in zip(model.parameters(), before)]


def steps_on_one_weight(student, w, x, y, lr, calls):
    """train_step(model, SGD(model.parameters(), lr), MSELoss(), x, y), `calls` times, on model = nn.Linear(1, 1,
    bias=False) with weight w"""
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(w)
    sgd = torch.optim.SGD(model.parameters(), lr=lr)
    losses, weights = [], []
    for _ in range(calls):
        losses.append(student.training.train_step(model, sgd, nn.MSELoss(), x, y))
        weights.append(model.weight.item())
    return losses, weights


def fit_with_scripted_steps(student, epochs, lr):
    """fit(model, DataLoader(TensorDataset(X, y), batch_size=2) of 5 samples, nn.MSELoss(), epochs, lr), with a
    scripted stand-in for train_step that trains nothing and returns 1.0, 2.0, 3.0, ... call after call"""
    model = nn.Sequential(nn.Linear(2, 1))
    X = torch.arange(10.0).reshape(5, 2)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, X[:, :1]), batch_size=2)
    loss_fn = nn.MSELoss()
    calls = []
    optimizers = []  # kept alive, so that a new optimizer per epoch never reuses a freed one's id()

    def scripted_step(model_, optimizer, loss_fn_, x, y):
        optimizers.append(optimizer)
        group = optimizer.param_groups[0] if isinstance(optimizer, torch.optim.Optimizer) else {}
        calls.append({"optimizer": id(optimizer), "type": type(optimizer).__name__,
                      "lr": group.get("lr"), "momentum": group.get("momentum"),
                      "params": [id(p) for g in getattr(optimizer, "param_groups", []) for p in g["params"]],
                      "same_model": model_ is model, "same_loss_fn": loss_fn_ is loss_fn,
                      "first_x": float(x[0, 0])})
        return float(len(calls))

    # fit is graded on its own: train_step has its own tests.
    with stand_in(student.training, "train_step", scripted_step):
        history = student.training.fit(model, loader, loss_fn, epochs, lr)
    return history, calls, [id(p) for p in model.parameters()]


def reference_train_step(model, lr, loss_fn, x, y):
    """One plain SGD step written out, so that the grading process never builds a torch.optim
    optimizer (the first one imports torch._dynamo: over a second)."""
    model.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    return loss.item()


def fit_recorded(student, params, X, y, batch_size, epochs, lr):
    """fit(model, DataLoader(TensorDataset(X, y), batch_size), nn.MSELoss(), epochs, lr) on a small MLP, with a
    recording stand-in for train_step: it sets every gradient to 1, calls optimizer.step() and returns the sum
    of the model's parameters before that step plus the sum of x"""
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(value)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=batch_size)
    loss_fn = nn.MSELoss()
    calls = []
    optimizers = []  # kept alive, so that a new optimizer per epoch never reuses a freed one's id()

    def recording_step(model_, optimizer, loss_fn_, x, y_):
        # Trains nothing itself: the optimizer fit made moves the parameters, with gradients fixed here.
        optimizers.append(optimizer)
        loss = float(sum(p.detach().double().sum() for p in model.parameters())) + float(x.double().sum())
        calls.append({"x": x.detach().clone(), "y": y_.detach().clone(), "optimizer": id(optimizer),
                      "same_model": model_ is model, "same_loss_fn": loss_fn_ is loss_fn})
        for p in model.parameters():
            p.grad = torch.ones_like(p)
        optimizer.step()
        return loss

    # fit is graded on its own: train_step has its own tests.
    with stand_in(student.training, "train_step", recording_step):
        history = student.training.fit(model, loader, loss_fn, epochs, lr)
    return history, calls, [p.detach().clone() for p in model.parameters()]


def accumulate_on(student, x, times, requires_grad):
    """accumulated_grad(x, times), then a look at x"""
    x = x.clone().requires_grad_(requires_grad)
    before = x.detach().clone()
    out = student.training.accumulated_grad(x, times)
    return out, {"requires_grad": x.requires_grad, "grad": x.grad, "is_leaf": x.is_leaf,
                 "unchanged": bool(torch.equal(x.detach(), before))}


# ---------------------------------------------------------------- reference values (trusted side)
def mlp_params(seed):
    shapes = [(5, 4), (5,), (3, 5), (3,)]
    return [seeded_tensor(seed + i, *shape) * 0.5 for i, shape in enumerate(shapes)]


def mlp_with(params):
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(value)
    return model


@computed_once
def reference_steps(params, batches, lr, loss_kind):
    model = mlp_with(params)
    loss_fn = nn.MSELoss() if loss_kind == "mse" else nn.CrossEntropyLoss()
    losses = [reference_train_step(model, lr, loss_fn, x, y) for x, y in batches]
    return losses, [p.detach() for p in model.parameters()]


@computed_once
def reference_fit(params, X, batch_size, epochs, lr):
    """What fit gives with the recording train_step of fit_recorded: plain SGD, every gradient 1, each loss the
    sum of the parameters before the step plus the sum of the batch's x; one history entry per epoch."""
    params = [p.clone() for p in params]
    history = []
    for _ in range(epochs):
        losses = []
        for i in range(0, len(X), batch_size):
            losses.append(float(sum(p.double().sum() for p in params)) + float(X[i:i + batch_size].double().sum()))
            params = [p - lr * torch.ones_like(p) for p in params]
        history.append(sum(losses) / len(losses))
    return history, params


def batch(seed, n, loss_kind):
    x = seeded_tensor(seed, n, 4)
    if loss_kind == "mse":
        return x, seeded_tensor(seed + 50, n, 3)
    return x, seeded_tensor(seed + 50, n, dtype=torch.int64, high=3)


PARAM_NAMES = ["the first Linear's weight", "the first Linear's bias",
               "the second Linear's weight", "the second Linear's bias"]


def check_params(got, expected, what):
    for name, g, e in zip(PARAM_NAMES, got, expected):
        check_tensor(g, shape=e.shape, dtype=torch.float32, what=f"{what}: {name}")
        check_close(g, e, rtol=1e-4, atol=1e-6, what=f"{what}: {name}")


# ---------------------------------------------------------------- train_step
@graded("train_step", points=1, visible=True)
def test_train_step_one_weight(student):
    x, y = torch.tensor([[3.0]]), torch.tensor([[0.0]])
    losses, weights = student.probe(steps_on_one_weight, 2.0, x, y, 0.01, 2)
    what = "train_step(model, SGD(lr=0.01), MSELoss(), x=[[3.0]], y=[[0.0]]) on nn.Linear(1, 1, bias=False) with weight 2"
    for k, loss in enumerate(losses):
        if not isinstance(loss, float):
            fail(f"call {k + 1} of {what} returned {type(loss).__name__} {loss!r:.80}, expected a Python float: "
                 "return loss.item()")
    # By hand: the prediction 2 * 3 = 6, the loss (6 - 0)^2 = 36, the gradient 2 * 6 * 3 = 36, the weight
    # 2 - 0.01 * 36 = 1.64; then the prediction 4.92, the loss 24.2064, the gradient 29.52 (this batch's
    # only), the weight 1.64 - 0.2952 = 1.3448.
    check_close(losses[0], 36.0, rtol=1e-5, atol=1e-6,
                what=f"the loss returned by {what} (the loss before the update)")
    check_close(weights[0], 1.64, rtol=1e-5, atol=1e-6,
                what=f"the weight after {what} (one SGD step: 2 - 0.01 * 36)")
    check_close(losses[1], 24.2064, rtol=1e-5, atol=1e-6,
                what=f"the loss returned by a second call of {what} (the weight is 1.64 now)")
    check_close(weights[1], 1.3448, rtol=1e-5, atol=1e-6,
                what=f"the weight after a second call of {what} (1.64 - 0.01 * 29.52: the second step follows "
                     "its own gradient only, so clear the old one first)")


@graded("train_step", points=2)
def test_train_step_one_step(student):
    for seed, loss_kind, lr in [(1, "mse", 0.1), (2, "ce", 0.5)]:
        params, batches = mlp_params(seed), [batch(seed + 10, 6, loss_kind)]
        losses, after = student.probe(train_steps, params, batches, lr, loss_kind)
        want_losses, want_after = reference_steps(params, batches, lr, loss_kind)
        loss = losses[0]
        if not isinstance(loss, float):
            fail(f"train_step(model, optimizer, {'MSELoss' if loss_kind == 'mse' else 'CrossEntropyLoss'}, x, y) "
                 f"returned {type(loss).__name__} {loss!r}, expected a Python float: return loss.item()")
        check_close(loss, want_losses[0], rtol=1e-5, atol=1e-6,
                    what="train_step's returned loss (the loss before the update)")
        check_params(after, want_after, "after one train_step (one SGD step at lr), the model's parameters")


@graded("train_step", points=3)
def test_train_step_twice_does_not_accumulate(student):
    for seed, loss_kind, lr in [(3, "mse", 0.2), (4, "ce", 0.3)]:
        params = mlp_params(seed)
        batches = [batch(seed + 10, 5, loss_kind), batch(seed + 20, 7, loss_kind)]
        losses, after = student.probe(train_steps, params, batches, lr, loss_kind)
        want_losses, want_after = reference_steps(params, batches, lr, loss_kind)
        if not isinstance(losses, list) or len(losses) != 2:
            fail(f"two train_step calls gave {losses!r}, expected two losses")
        check_close(float(losses[0]), want_losses[0], rtol=1e-5, atol=1e-6,
                    what="the first train_step's returned loss (the loss before its update)")
        check_close(float(losses[1]), want_losses[1], rtol=1e-5, atol=1e-6,
                    what="the second train_step's returned loss (computed after the first update, before "
                         "its own)")
        check_params(after, want_after,
                     "after two train_step calls (the second must follow only its own batch's gradient: "
                     "clear the old gradients first), the model's parameters")


# ---------------------------------------------------------------- make_optimizer
def check_groups(student, base_lr, classifier_lr, expected_momentum, **kwargs):
    kind, groups = student.probe(optimizer_groups, base_lr, classifier_lr, kwargs)
    args = ", ".join([f"base_lr={base_lr}", f"classifier_lr={classifier_lr}"] +
                     [f"{k}={v}" for k, v in kwargs.items()])
    what = f"make_optimizer(model, {args})"
    if groups is None:
        fail(f"{what} returned a {kind}, expected a torch.optim.SGD")
    if len(groups) != 2:
        fail(f"{what} returned an SGD with {len(groups)} param group(s), expected 2: one for "
             "model.features, one for model.classifier")
    by_params = {tuple(g["params"]): g for g in groups}
    for params, name, lr in [((0, 1), "model.features", base_lr), ((2, 3), "model.classifier", classifier_lr)]:
        group = by_params.get(params)
        if group is None:
            fail(f"{what}: no param group holds exactly the parameters of {name} (the groups hold "
                 f"parameters {[g['params'] for g in groups]}, counted in model.parameters() order: "
                 "0 and 1 are model.features', 2 and 3 model.classifier's)")
        check_close(group["lr"], lr, rtol=1e-9, atol=0, what=f"{what}: the learning rate of the {name} group")
        check_close(group["momentum"], expected_momentum, rtol=1e-9, atol=0,
                    what=f"{what}: the momentum of the {name} group")


@graded("make_optimizer", points=2, visible=True)
def test_make_optimizer_two_groups(student):
    check_groups(student, 0.01, 0.1, 0.0)
    check_groups(student, 0.2, 0.003, 0.0)


@graded("make_optimizer", points=2, visible=True)
def test_make_optimizer_momentum(student):
    check_groups(student, 0.003, 0.05, 0.9, momentum=0.9)
    check_groups(student, 0.07, 0.02, 0.5, momentum=0.5)


@graded("make_optimizer", points=1)
def test_make_optimizer_steps(student):
    base_lr, classifier_lr, momentum = 0.01, 0.1, 0.5
    deltas = student.probe(optimizer_two_steps, base_lr, classifier_lr, momentum)
    # Two SGD steps with gradient 1: lr * 1, then lr * (momentum * 1 + 1).
    for name, delta, lr in zip(["features' weight", "features' bias", "classifier's weight",
                                "classifier's bias"], deltas, [base_lr, base_lr, classifier_lr, classifier_lr]):
        check_close(delta, torch.full(delta.shape, -lr * (2 + momentum)), rtol=1e-4, atol=1e-7,
                    what=f"two step() calls (all gradients 1) of make_optimizer(model, {base_lr}, "
                         f"{classifier_lr}, momentum={momentum}): the change of {name}")


# ---------------------------------------------------------------- fit
def run_fit(student, seed, n, batch_size, epochs, lr):
    params = mlp_params(seed)
    X, y = seeded_tensor(seed + 10, n, 4), seeded_tensor(seed + 20, n, 3)
    history, calls, after = student.probe(fit_recorded, params, X, y, batch_size, epochs, lr)
    want_history, want_after = reference_fit(params, X, batch_size, epochs, lr)
    what = (f"fit(model, loader of {n} samples in batches of {batch_size}, MSELoss(), epochs={epochs}, lr={lr}), "
            "with train_step standing in (every gradient 1, then optimizer.step(); the loss it returns is the sum "
            "of the parameters before the step plus the sum of x)")
    if not isinstance(history, list):
        fail(f"{what} returned {type(history).__name__}, expected a list with one float per epoch")
    check_equal(len(history), epochs, what=f"the length of the history returned by {what}")
    for i, value in enumerate(history):
        if not isinstance(value, float):
            fail(f"{what} returned {type(value).__name__} {value!r} for epoch {i}, expected a Python float")
    return what, history, want_history, after, want_after, calls, (X, y)


def check_batches(calls, X, y, batch_size, epochs, what):
    """train_step got each batch of the loader, in order, every epoch, with the model and loss_fn fit was given."""
    starts = list(range(0, len(X), batch_size)) * epochs
    check_equal(len(calls), len(starts), what=f"the number of train_step calls in {what}")
    for k, (call, i) in enumerate(zip(calls, starts)):
        check_close(call["x"], X[i:i + batch_size], rtol=0, atol=0,
                    what=f"x of train_step call {k + 1} in {what} (the loader's batches, in order)")
        check_close(call["y"], y[i:i + batch_size], rtol=0, atol=0, what=f"y of train_step call {k + 1} in {what}")
    if len({c["optimizer"] for c in calls}) != 1:
        fail(f"{what} gave train_step {len({c['optimizer'] for c in calls})} different optimizers; make one "
             "for the whole run")
    if not all(c["same_model"] and c["same_loss_fn"] for c in calls):
        fail(f"{what} did not hand train_step the model and the loss_fn it was given")


@graded("fit", points=1, visible=True)
def test_fit_history_and_optimizer(student):
    history, calls, params = student.probe(fit_with_scripted_steps, 2, 0.05)
    what = ("fit(model, loader of 5 samples in batches of 2, MSELoss(), epochs=2, lr=0.05) with train_step "
            "standing in, returning the losses 1.0, 2.0, 3.0 (epoch 1) and 4.0, 5.0, 6.0 (epoch 2)")
    if not isinstance(history, list):
        fail(f"{what} returned {type(history).__name__}, expected a list with one float per epoch")
    check_equal(len(calls), 6, what=f"the number of train_step calls in {what} (3 batches an epoch, 2 epochs)")
    check_equal([c["first_x"] for c in calls], [0.0, 4.0, 8.0, 0.0, 4.0, 8.0],
                what=f"x[0, 0] of the batches train_step got in {what} (each batch of the loader, every epoch)")
    first = calls[0]
    if first["type"] != "SGD":
        fail(f"{what} gave train_step a {first['type']}, expected a torch.optim.SGD")
    check_close(first["lr"], 0.05, rtol=1e-9, atol=0, what=f"the learning rate of the optimizer of {what}")
    check_close(first["momentum"], 0.0, rtol=0, atol=0, what=f"the momentum of the optimizer of {what} (plain SGD)")
    if sorted(first["params"]) != sorted(params):
        fail(f"{what}: the optimizer does not hold exactly the model's parameters (model.parameters())")
    if len({c["optimizer"] for c in calls}) != 1:
        fail(f"{what} gave train_step {len({c['optimizer'] for c in calls})} different optimizers; make one "
             "for the whole run")
    if not all(c["same_model"] and c["same_loss_fn"] for c in calls):
        fail(f"{what} did not hand train_step the model and the loss_fn it was given")
    for i, value in enumerate(history):
        if not isinstance(value, float):
            fail(f"{what} returned {type(value).__name__} {value!r:.80} for epoch {i}, expected a Python float")
    check_close(history, [2.0, 5.0], rtol=1e-9, atol=0,
                what=f"{what} (the history: each epoch's own plain average of its batch losses, "
                     "(1 + 2 + 3) / 3 and (4 + 5 + 6) / 3)")


@graded("fit", points=2)
def test_fit_history(student):
    what, history, want, _, _, _, _ = run_fit(student, 30, 12, 4, 2, 0.1)
    check_close(history, want, rtol=1e-4, atol=1e-6,
                what=f"{what}: the history (the average of each epoch's batch losses)")


@graded("fit", points=2)
def test_fit_averages_each_epoch(student):
    what, history, want, _, _, _, _ = run_fit(student, 31, 10, 4, 3, 0.05)
    check_close(history, want, rtol=1e-4, atol=1e-6,
                what=f"{what}: the history (per epoch, the plain average of its 3 batch losses, the short "
                     "last batch counting as one)")


@graded("fit", points=2)
def test_fit_plain_sgd_parameters(student):
    what, _, _, after, want_after, calls, (X, y) = run_fit(student, 32, 9, 3, 3, 0.2)
    check_batches(calls, X, y, 3, 3, what)
    check_params(after, want_after, f"after {what} (plain SGD, no momentum, one optimizer for the whole "
                                    "run, batches in order), the model's parameters")


# ---------------------------------------------------------------- accumulated_grad
@graded("accumulated_grad", points=2, visible=True)
def test_accumulated_grad_values(student):
    for seed, shape, times in [(40, (3,), 1), (41, (2, 3), 3), (42, (4,), 2)]:
        x = seeded_tensor(seed, *shape)
        out = student.accumulated_grad(x, times)
        check_tensor(out, shape=shape, dtype=torch.float32)
        check_close(out, times * 2 * x)


@graded("accumulated_grad", points=2, visible=True)
def test_accumulated_grad_leaves_x_untouched(student):
    for seed, shape, times, requires_grad in [(43, (5,), 3, False), (44, (2, 2), 4, True)]:
        x = seeded_tensor(seed, *shape)
        out, facts = student.probe(accumulate_on, x, times, requires_grad)
        what = f"accumulated_grad(x, {times}) with x.requires_grad={requires_grad}"
        check_tensor(out, shape=shape, dtype=torch.float32, what=what)
        check_close(out, times * 2 * x, what=what)
        if not facts["unchanged"]:
            fail(f"{what} changed the values of x; work on a copy")
        if facts["requires_grad"] != requires_grad:
            fail(f"{what} changed x.requires_grad to {facts['requires_grad']}; x itself must stay as it "
                 "was: work on a fresh leaf copy (x.detach().clone().requires_grad_(True))")
        if facts["grad"] is not None:
            fail(f"{what} left a gradient in x.grad: the graph reached x itself. Cut it with "
                 "x.detach().clone() before requires_grad_(True)")
        if not facts["is_leaf"]:
            fail(f"{what} turned x into a non-leaf tensor; leave x as it was")


@graded("accumulated_grad", points=1)
def test_accumulated_grad_zero_times(student):
    x = seeded_tensor(45, 3, 2)
    out = student.accumulated_grad(x, 0)
    check_tensor(out, shape=(3, 2), dtype=torch.float32)
    check_close(out, torch.zeros(3, 2))
    # Zeros are right for times=0 only in a function that accumulates otherwise.
    out = student.accumulated_grad(x, 5)
    check_tensor(out, shape=(3, 2), dtype=torch.float32)
    check_close(out, 5 * 2 * x)
