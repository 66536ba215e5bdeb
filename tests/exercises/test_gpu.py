"""Hidden tests: devices and DataParallel (the tests marked gpu=True are skipped without CUDA)."""

import torch
import torch.nn as nn

from grader.testing import (check_array, check_close, check_equal, check_tensor, fail, graded,
                            on_cuda_stand_in, seeded_tensor, stand_in)


# ---------------------------------------------------------------- probes (run in the worker)
def pick_with_cuda_faked(student, gpus, *args, **kwargs):
    """pick_device(...), with torch.cuda.is_available() and device_count() made to report a number of GPUs"""
    saved = torch.cuda.is_available, torch.cuda.device_count
    torch.cuda.is_available = lambda: gpus > 0
    torch.cuda.device_count = lambda: gpus
    try:
        return student.gpu.pick_device(*args, **kwargs)
    finally:
        torch.cuda.is_available, torch.cuda.device_count = saved


def parallelize_with_gpus_faked(student, gpus):
    """parallelize(nn.Sequential(Linear(5, 8), ReLU, Linear(8, 3))), with torch.cuda made to report a number
    of GPUs, the meta device standing in for cuda and a recording stand-in for nn.DataParallel"""
    class DataParallelStandIn(nn.Module):
        def __init__(self, module, device_ids=None, output_device=None, dim=0):
            super().__init__()
            self.module = module

        def forward(self, *args, **kwargs):
            return self.module(*args, **kwargs)

    def faked_pick_device(prefer_gpu=True):
        # What pick_device() gives here, fixed by the test: meta (for cuda) when GPUs are faked, else cpu.
        return torch.device("meta" if gpus else "cpu")

    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    saved = (torch.cuda.is_available, torch.cuda.device_count, torch.nn.DataParallel,
             torch.nn.parallel.DataParallel)
    torch.cuda.is_available = lambda: gpus > 0
    torch.cuda.device_count = lambda: gpus
    torch.nn.DataParallel = torch.nn.parallel.DataParallel = DataParallelStandIn
    try:
        # parallelize is graded on its own: the device pick_device() must give stands in for the submission's.
        with stand_in(student.gpu, "pick_device", faked_pick_device):
            out = student.gpu.parallelize(model)
    finally:
        (torch.cuda.is_available, torch.cuda.device_count, torch.nn.DataParallel,
         torch.nn.parallel.DataParallel) = saved
    wrapped = isinstance(out, DataParallelStandIn)
    inner = out.module if wrapped else out
    return {
        "is_module": isinstance(out, nn.Module),
        "type": type(out).__name__,
        "wrapped": wrapped,
        "inner_is_model": inner is model,
        "devices": sorted({p.device.type for p in inner.parameters()}) if isinstance(inner, nn.Module) else None,
    }


def move_with_module(student, x, y):
    """move_to({"model": <an nn.Sequential>, "batch": [x, {"y": y, "id": "b-3"}], "step": (7, x)}, meta)"""
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    inner = {"y": y, "id": "b-3"}
    batch = [x, inner]
    step = (7, x)
    obj = {"model": model, "batch": batch, "step": step}
    out = student.gpu.move_to(obj, torch.device("meta"))
    moved = out.get("model") if isinstance(out, dict) else None
    facts = {
        "out_is_dict": isinstance(out, dict),
        "keys": sorted(out) if isinstance(out, dict) else None,
        "model_is_module": isinstance(moved, nn.Module),
        "model_devices": sorted({p.device.type for p in moved.parameters()}) if isinstance(moved, nn.Module) else None,
        # The caller's containers and tensors must be as they were (modules move in place: allowed).
        "input_kept": (obj["batch"] is batch and len(batch) == 2 and batch[0] is x and batch[1] is inner
                       and inner.get("y") is y and inner.get("id") == "b-3" and obj["step"] is step
                       and x.device.type == "cpu" and y.device.type == "cpu"),
    }
    rest = {k: v for k, v in out.items() if k != "model"} if isinstance(out, dict) else None
    return facts, rest


def cuda_to_numpy_keeps_grad(student, t):
    """cuda_to_numpy(t) on a leaf tensor that requires grad, then on t * 2 (a non-leaf)"""
    t = t.clone().requires_grad_(True)
    first = student.gpu.cuda_to_numpy(t)
    second = student.gpu.cuda_to_numpy(t * 2)
    return first, second, t.requires_grad, t.is_leaf


def parallelize_on_cpu_model(student, x, device):
    """parallelize(nn.Sequential(Linear(5, 8), ReLU, Linear(8, 3))), then a forward pass"""
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def fixed_pick_device(prefer_gpu=True):
        return torch.device(device)  # the grader's answer, fixed by the test

    # parallelize is graded on its own: a fixed answer stands in for the submission's pick_device.
    with stand_in(student.gpu, "pick_device", fixed_pick_device):
        out = student.gpu.parallelize(model)
    is_module = isinstance(out, nn.Module)
    facts = {
        "same_object": out is model,
        "is_data_parallel": isinstance(out, nn.DataParallel),
        "is_module": is_module,
        "devices": sorted({p.device.type for p in out.parameters()}) if is_module else None,
        "state_keys": sorted(out.state_dict()) if is_module else None,
        "model_keys": sorted(model.state_dict()),
    }
    got = None
    if is_module:
        with torch.no_grad():
            got = out(x.to(next(out.parameters()).device)).cpu()
    return out, facts, before, got


def model_and_batch_to_cuda(student, x, y):
    """move_to(model, cuda) and move_to({"x": x, "y": [y, "tag"]}, cuda), then a forward pass"""
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    device = torch.device("cuda")
    moved_model = student.gpu.move_to(model, device)
    batch = student.gpu.move_to({"x": x, "y": [y, "tag"]}, device)
    facts = {
        "model_devices": sorted({p.device.type for p in moved_model.parameters()}),
        "x_device": batch["x"].device.type,
        "y_device": batch["y"][0].device.type,
        "tag": batch["y"][1],
        "y_list": isinstance(batch["y"], list),
    }
    with torch.no_grad():
        got = moved_model(batch["x"]).cpu()
    return facts, before, got, batch["y"][0].cpu()


def cuda_tensor_to_numpy(student, t):
    """cuda_to_numpy(t) on a CUDA tensor that requires grad, then on t * 3 (a CUDA non-leaf)"""
    t = t.cuda().requires_grad_(True)
    return student.gpu.cuda_to_numpy(t), student.gpu.cuda_to_numpy(t * 3), t.requires_grad


def parallelize_on_gpu(student, x, device):
    """parallelize(nn.Sequential(Linear(6, 16), ReLU, Linear(16, 4))), then a forward pass on a batch of 8"""
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 4))
    before = {k: v.detach().clone().cpu() for k, v in model.state_dict().items()}

    def fixed_pick_device(prefer_gpu=True):
        return torch.device(device)  # the grader's answer, fixed by the test

    # parallelize is graded on its own: a fixed answer stands in for the submission's pick_device.
    with stand_in(student.gpu, "pick_device", fixed_pick_device):
        out = student.gpu.parallelize(model)
    devices = sorted({p.device.type for p in out.parameters()})
    with torch.no_grad():
        got = out(x.to("cuda")).cpu()
    return {"is_data_parallel": isinstance(out, nn.DataParallel), "devices": devices,
            "worker_gpu_count": torch.cuda.device_count()}, before, got


def best_device():
    """What pick_device() must give here, decided on the trusted side."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def forward_with(layers, state, x):
    """model(x) on the CPU, for the model the probe built, from its parameters before the call."""
    model = nn.Sequential(*layers)
    model.load_state_dict({k: v.cpu() for k, v in state.items()})
    with torch.no_grad():
        return model(x)


# ---------------------------------------------------------------- pick_device
def check_device(value, expected_type, what):
    if not isinstance(value, torch.device):
        fail(f"{what} returned {type(value).__name__} {value!r}, expected a torch.device "
             f"(torch.device({expected_type!r}), not a string)")
    if value.type != expected_type:
        fail(f"{what} returned {value!r}, expected device(type={expected_type!r})")


def check_faked(student, gpus, expected_type, *args, **kwargs):
    """pick_device(*args, **kwargs) with torch.cuda faked to report `gpus` GPUs."""
    call = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    where = "torch.cuda.is_available() answering False" if gpus == 0 else f"{gpus} GPU(s) visible"
    check_device(student.probe(pick_with_cuda_faked, gpus, *args, **kwargs), expected_type,
                 f"pick_device({call}), with {where},")


# Each test holds a case where the answer is cuda and one where it is cpu: a constant device earns nothing.
@graded("pick_device", points=1, visible=True)
def test_pick_device_not_preferred(student):
    check_device(student.pick_device(prefer_gpu=False), "cpu", "pick_device(prefer_gpu=False)")
    check_device(student.pick_device(False), "cpu", "pick_device(False)")
    check_faked(student, 1, "cpu", prefer_gpu=False)
    check_faked(student, 1, "cuda", prefer_gpu=True)


@graded("pick_device", points=2, visible=True)
def test_pick_device_follows_availability(student):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    why = "CUDA is available here" if expected == "cuda" else "this machine has no CUDA"
    check_device(student.pick_device(True), expected, f"pick_device(True), where {why},")
    check_device(student.pick_device(), expected, f"pick_device(), where {why},")
    check_faked(student, 0, "cpu", True)
    check_faked(student, 1, "cuda", True)
    check_faked(student, 2, "cuda")


@graded("pick_device", points=2)
def test_pick_device_not_preferred_with_cuda(student):
    check_faked(student, 1, "cpu", prefer_gpu=False)
    check_faked(student, 2, "cpu", False)
    check_faked(student, 2, "cuda", True)


@graded("pick_device", points=1)
def test_pick_device_preferred_with_cuda(student):
    # The default is prefer_gpu=True.
    check_faked(student, 1, "cuda")
    check_faked(student, 0, "cpu")


# ---------------------------------------------------------------- move_to
def check_moved(got, original, device, path):
    """`got` mirrors `original`: same container types and keys, tensors on `device`, the rest equal."""
    if isinstance(original, torch.Tensor):
        check_tensor(got, shape=original.shape, dtype=original.dtype, device=device,
                     what=f"move_to(...){path}")
        if device != "meta":
            check_close(got, original, what=f"move_to(...){path}")
        return
    if isinstance(original, (dict, list, tuple)):
        if type(got) is not type(original):
            fail(f"move_to(...){path} is {type(got).__name__} {got!r:.80}, expected a "
                 f"{type(original).__name__}: keep each container's type")
        if isinstance(original, dict):
            if sorted(got) != sorted(original):
                fail(f"move_to(...){path} has keys {sorted(got)}, expected {sorted(original)}")
            for key in original:
                check_moved(got[key], original[key], device, f"{path}[{key!r}]")
        else:
            if len(got) != len(original):
                fail(f"move_to(...){path} has {len(got)} items, expected {len(original)}")
            for i, (g, o) in enumerate(zip(got, original)):
                check_moved(g, o, device, f"{path}[{i}]")
        return
    if type(got) is not type(original) or got != original:
        fail(f"move_to(...){path} is {got!r}, expected {original!r} unchanged (only tensors and "
             "modules move)")


@graded("move_to", points=2, visible=True)
def test_move_to_flat_containers(student):
    x, y = seeded_tensor(1, 3, 4), seeded_tensor(2, 3, dtype=torch.int64)
    cases = [x, {"x": x, "y": y, "n": 3}, [x, y, "label"], (y, x)]
    for obj in cases:
        check_moved(student.move_to(obj, torch.device("meta")), obj, "meta", "")
    obj = {"x": x, "names": ["a", "b"]}
    check_moved(student.move_to(obj, torch.device("cpu")), obj, "cpu", "")


@graded("move_to", points=3, visible=True)
def test_move_to_nested_containers(student):
    a, b = seeded_tensor(3, 2, 5), seeded_tensor(4, 4, dtype=torch.int64)
    c, d = seeded_tensor(5, 1, 3, dtype=torch.float64), seeded_tensor(6, 6)
    obj = {
        "inputs": {"a": a, "pair": (b, [c, {"deep": d, "flag": True}])},
        "meta": [a, "id-7", (None, 2.5, [b])],
        "count": 4,
    }
    check_moved(student.move_to(obj, torch.device("meta")), obj, "meta", "")
    lst = [[a, (b,)], ((c,), [[d]])]
    check_moved(student.move_to(lst, torch.device("meta")), lst, "meta", "")


@graded("move_to", points=2)
def test_move_to_module_and_input_kept(student):
    x, y = seeded_tensor(7, 2, 3), seeded_tensor(8, 2, dtype=torch.int64)
    facts, rest = student.probe(move_with_module, x, y)
    what = 'move_to({"model": nn.Sequential(...), "batch": [x, {"y": y, "id": "b-3"}], "step": (7, x)}, meta)'
    if not facts["out_is_dict"]:
        fail(f"{what} did not return a dict")
    if facts["keys"] != ["batch", "model", "step"]:
        fail(f"{what} returned a dict with keys {facts['keys']}, expected ['batch', 'model', 'step']")
    if not facts["model_is_module"]:
        fail(f"{what}: out['model'] is no longer an nn.Module; move modules with module.to(device)")
    if facts["model_devices"] != ["meta"]:
        fail(f"{what}: out['model'] has parameters on {facts['model_devices']}, expected all on meta")
    check_moved(rest, {"batch": [x, {"y": y, "id": "b-3"}], "step": (7, x)}, "meta", "")
    if not facts["input_kept"]:
        fail(f"{what} changed the caller's containers or tensors; build new containers (tensor.to "
             "returns a new tensor) and leave the input as it was")


# ---------------------------------------------------------------- cuda_to_numpy
@graded("cuda_to_numpy", points=2, visible=True)
def test_cuda_to_numpy_cpu_tensors(student):
    for t in (seeded_tensor(10, 3, 4).requires_grad_(True), seeded_tensor(11, 5, dtype=torch.float64),
              seeded_tensor(12, 2, 3, dtype=torch.int64)):
        out = student.cuda_to_numpy(t)
        check_array(out, shape=tuple(t.shape), dtype=t.detach().numpy().dtype)
        check_close(out, t.detach().numpy())


@graded("cuda_to_numpy", points=1)
def test_cuda_to_numpy_grad_tensors(student):
    t = seeded_tensor(13, 4, 2)
    first, second, still_requires_grad, still_leaf = student.probe(cuda_to_numpy_keeps_grad, t)
    check_array(first, shape=(4, 2), dtype="float32", what="cuda_to_numpy(t) for t requiring grad")
    check_close(first, t.numpy(), what="cuda_to_numpy(t) for t requiring grad")
    check_array(second, shape=(4, 2), dtype="float32", what="cuda_to_numpy(t * 2)")
    check_close(second, t.numpy() * 2, what="cuda_to_numpy(t * 2)")
    if not still_requires_grad:
        fail("cuda_to_numpy changed its input (requires_grad turned off); use .detach(), which "
             "leaves the tensor as it was")
    if not still_leaf:
        fail("cuda_to_numpy changed its input: it is no longer a leaf tensor (an operation was recorded "
             "on it in place); use .detach(), which leaves the tensor as it was")


@graded("cuda_to_numpy", points=1, visible=True)
def test_cuda_to_numpy_cuda_stand_in(student):
    # Checked without a GPU: a tensor that answers like a CUDA one until .cpu() brings it back.
    # Without grad: a missing .detach() loses its own test, not this one.
    for seed, shape, dtype in ((14, (3, 2), torch.float32), (15, (4,), torch.float64)):
        t = seeded_tensor(seed, *shape, dtype=dtype)
        out = student.probe(on_cuda_stand_in, "gpu", "cuda_to_numpy", t, False)
        what = f"cuda_to_numpy(t) for a CUDA t {tuple(shape)} (a stand-in)"
        check_array(out, shape=shape, dtype=t.numpy().dtype, what=what)
        check_close(out, t.numpy(), what=what)


# ---------------------------------------------------------------- parallelize
@graded("parallelize", points=1, visible=True)
def test_parallelize_with_gpus_faked(student):
    # No GPU needed: torch.cuda reports 0, 1 or 2 GPUs; nn.DataParallel is a recording stand-in.
    for gpus in (0, 1, 2):
        check_parallelize_faked(student, gpus)


@graded("parallelize", points=2)
def test_parallelize_model_works(student):
    x = seeded_tensor(20, 4, 5)
    out, facts, before, got = student.probe(parallelize_on_cpu_model, x, best_device())
    expected = forward_with([nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)], before, x)
    if not facts["is_module"]:
        fail(f"parallelize(model) returned {out!r}, expected an nn.Module")
    want_device = "cuda" if torch.cuda.is_available() else "cpu"
    if facts["devices"] != [want_device]:
        fail(f"after parallelize(model) the model's parameters are on {facts['devices']}, expected "
             f"{want_device} (the best device: pick_device())")
    check_tensor(got, shape=(4, 3), dtype=torch.float32, what="parallelize(model)(x)")
    check_close(got, expected, rtol=1e-4, atol=1e-5, what="parallelize(model)(x)")
    # The same logic with one GPU faked and the meta device standing in for cuda.
    facts = student.probe(parallelize_with_gpus_faked, 1)
    what = "parallelize(model), with 1 GPU faked (pick_device() giving the meta device)"
    if not facts["is_module"]:
        fail(f"{what} returned a {facts['type']}, expected an nn.Module")
    if facts["devices"] != ["meta"]:
        fail(f"{what} left the model's parameters on {facts['devices']}; move the model to pick_device() "
             "(model.to(device)) whatever the number of GPUs")


def check_parallelize_faked(student, gpus):
    facts = student.probe(parallelize_with_gpus_faked, gpus)
    what = f"parallelize(model), with {gpus} GPU(s) faked (pick_device() giving {'meta' if gpus else 'cpu'})"
    if not facts["is_module"]:
        fail(f"{what} returned a {facts['type']}, expected an nn.Module")
    if facts["wrapped"] != (gpus > 1):
        fail(f"{what} " + ("did not wrap the model in nn.DataParallel; wrap it when "
                           "torch.cuda.device_count() > 1" if gpus > 1 else
                           "wrapped the model in nn.DataParallel; wrap only when torch.cuda.device_count() > 1"))
    if not facts["inner_is_model"]:
        fail(f"{what} returned {'a DataParallel around ' if facts['wrapped'] else ''}a module that is not the "
             "model itself; move the model with model.to(device), which returns it")
    want = ["meta"] if gpus else ["cpu"]
    if facts["devices"] != want:
        fail(f"{what} left the model's parameters on {facts['devices']}, expected {want}: move the model "
             "to pick_device() before wrapping")


@graded("parallelize", points=2)
def test_parallelize_wraps_only_with_several_gpus(student):
    x = seeded_tensor(21, 2, 5)
    out, facts, _, _ = student.probe(parallelize_on_cpu_model, x, best_device())
    gpus = torch.cuda.device_count()
    if gpus > 1:
        if not out.remote_isinstance("torch.nn.DataParallel"):
            fail(f"parallelize(model) returned a {out.remote_type} with {gpus} GPUs visible, expected "
                 "nn.DataParallel(model)")
        return
    if out.remote_isinstance("torch.nn.DataParallel") or facts["is_data_parallel"]:
        fail(f"parallelize(model) returned nn.DataParallel with {gpus} GPU(s) visible; wrap only when "
             "torch.cuda.device_count() > 1 (else it only adds overhead and 'module.' to every "
             "state_dict key), and return the model itself")
    if not facts["same_object"]:
        fail(f"parallelize(model) returned a {out.remote_type} that is not the model itself; with "
             f"{gpus} GPU(s) return the model (moved with model.to(device), which returns it)")
    check_equal(facts["state_keys"], facts["model_keys"], what="the state_dict keys of parallelize(model)")
    for faked in (0, 1, 2, 3):
        check_parallelize_faked(student, faked)


# ---------------------------------------------------------------- on a GPU
@graded("move_to", points=2, gpu=True)
def test_move_to_cuda_model_and_batch(student):
    x, y = seeded_tensor(30, 5, 4), seeded_tensor(31, 5, dtype=torch.int64)
    facts, before, got, y_back = student.probe(model_and_batch_to_cuda, x, y)
    expected = forward_with([nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)], before, x)
    if facts["model_devices"] != ["cuda"]:
        fail(f"move_to(model, cuda) left parameters on {facts['model_devices']}, expected all on cuda")
    for key, where in (("x_device", "batch['x']"), ("y_device", "batch['y'][0]")):
        if facts[key] != "cuda":
            fail(f"move_to(batch, cuda) left {where} on {facts[key]}, expected cuda")
    if not facts["y_list"] or facts["tag"] != "tag":
        fail("move_to({'x': x, 'y': [y, 'tag']}, cuda) did not keep the list [y, 'tag'] as it was")
    check_close(y_back, y, what="move_to(batch, cuda)['y'][0]")
    check_tensor(got, shape=(5, 2), dtype=torch.float32, what="the moved model on the moved batch")
    check_close(got, expected, rtol=1e-4, atol=1e-5, what="the moved model on the moved batch")


@graded("cuda_to_numpy", points=2, gpu=True)
def test_cuda_to_numpy_cuda_tensor(student):
    t = seeded_tensor(32, 3, 5)
    first, second, still_requires_grad = student.probe(cuda_tensor_to_numpy, t)
    check_array(first, shape=(3, 5), dtype="float32", what="cuda_to_numpy(t) for a CUDA t requiring grad")
    check_close(first, t.numpy(), what="cuda_to_numpy(t) for a CUDA t requiring grad")
    check_array(second, shape=(3, 5), dtype="float32", what="cuda_to_numpy(t * 3) for a CUDA t")
    check_close(second, t.numpy() * 3, rtol=1e-5, atol=1e-5, what="cuda_to_numpy(t * 3) for a CUDA t")
    if not still_requires_grad:
        fail("cuda_to_numpy turned off requires_grad on its input; use .detach()")


@graded("parallelize", points=2, gpu=True)
def test_parallelize_on_gpu_matches_single_device(student):
    x = seeded_tensor(33, 8, 6)
    facts, before, got = student.probe(parallelize_on_gpu, x, "cuda")
    expected = forward_with([nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 4)], before, x)
    if facts["devices"] != ["cuda"]:
        fail(f"after parallelize(model) the model's parameters are on {facts['devices']}, expected cuda")
    gpus = torch.cuda.device_count()
    if facts["is_data_parallel"] != (gpus > 1):
        fail(f"parallelize(model) with {gpus} GPU(s) visible "
             + ("did not wrap the model in nn.DataParallel" if gpus > 1 else
                "wrapped the model in nn.DataParallel; wrap only with more than one GPU"))
    check_tensor(got, shape=(8, 4), dtype=torch.float32, what="parallelize(model)(x)")
    check_close(got, expected, rtol=1e-3, atol=1e-4, what="parallelize(model)(x) against model(x) on the CPU")

