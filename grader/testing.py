"""The API for writing hidden tests.

    from grader.testing import graded, check_tensor, check_close

    @graded("to_numpy", points=2, visible=True)
    def test_to_numpy_values(student):
        t = seeded_tensor(1, 3, 4)
        out = student.to_numpy(t)
        check_array(out, shape=(3, 4), dtype="float32")
        check_close(out, t.numpy())

Checks go from the coarse to the fine (type, then dtype, then shape, then device,
then values) and fail with an AssertionError whose message names the call, what
came back and what was expected, never the test's source. Inputs come from
fixed seeds (`seeded_tensor`, `seeded_array`) so that a hard-coded answer fails.
"""

import functools
import os

import numpy as np
import pytest
import torch
from PIL import Image

from .worker.probe_prelude import stand_in  # noqa: F401 - probes find it in their globals
from .judge.student import last_call, ship  # noqa: F401 - ship is part of the API
from .sandbox.client import Remote, StudentError, StudentNotImplemented


def graded(task, points=1, visible=False, gpu=False):
    """Mark a test: the task it grades, its points, whether students see it, whether it needs CUDA."""
    def apply(fn):
        fn = pytest.mark.task(task)(fn)
        fn = pytest.mark.points(points)(fn)
        fn = pytest.mark.visibility("visible" if visible else "hidden")(fn)
        if gpu:
            fn = pytest.mark.gpu(fn)
        return fn
    return apply


# ---------------------------------------------------------------- inputs
def generator(seed):
    return torch.Generator().manual_seed(seed)


def seeded_tensor(seed, *shape, dtype=torch.float32, low=None, high=None):
    """Standard normal values (or integers in [low, high) for integer dtypes) from `seed`."""
    gen = generator(seed)
    if dtype.is_floating_point:
        return torch.randn(*shape, generator=gen).to(dtype)
    return torch.randint(low if low is not None else 0, high if high is not None else 10,
                         shape, generator=gen, dtype=dtype)


def seeded_array(seed, *shape, dtype="float64", low=0, high=10):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(low, high, size=shape).astype(dtype)


# ---------------------------------------------------------------- computed once per grading process
# A batch grades many submissions in one process (a warm engine.Grader): what the tests compute from
# their own inputs alone (seeds, constants, the course's files) is the same for every submission.
_computed = {}
_images = {}


def computed_once(fn):
    """Keep `fn`'s results for the life of the grading process; each call gets its own copy.

    Only for a reference computation on the test's own inputs (seeded tensors and arrays, numbers,
    strings), never on anything a submission returned: the results are keyed on the arguments'
    values, so a function of the student's values would only fill memory. A call with an argument
    of another kind, or whose result holds a tensor that requires grad, is computed as usual.
    The function must not depend on global state (torch's global RNG, say)."""
    code = fn.__code__
    try:
        # The function's file, name and code (equal again when pytest imports its module anew),
        # with its defaults; a closure's captured values are not in its code: that object only.
        identity = fn if fn.__closure__ else (code.co_filename, fn.__qualname__, code,
                                              value_key(fn.__defaults__), value_key(fn.__kwdefaults__))
    except Uncacheable:
        identity = fn

    @functools.wraps(fn)
    def once(*args, **kwargs):
        try:
            key = (identity, value_key(args), value_key(kwargs))
        except Uncacheable:
            return fn(*args, **kwargs)
        if key not in _computed:
            result = fn(*args, **kwargs)
            try:
                _computed[key] = copied(result)
            except Uncacheable:
                return result
        return copied(_computed[key])
    return once


class Uncacheable(Exception):
    pass


def value_key(value):
    """A hashable key equal for equal values (dtype, shape and bytes for tensors and arrays)."""
    if value is None or isinstance(value, (bool, int, str)):
        return type(value).__name__, value
    if isinstance(value, float):
        return "float", repr(value)  # repr: nan equals nan, and 0.0 is not -0.0
    if type(value) is torch.Tensor:
        if value.requires_grad or value.layout != torch.strided:
            raise Uncacheable
        flat = value.detach().cpu().contiguous().reshape(-1)
        return ("tensor", str(value.dtype), tuple(value.shape), value.is_contiguous(),
                flat.view(torch.uint8).numpy().tobytes())
    if type(value) is np.ndarray:
        if value.dtype.hasobject:
            raise Uncacheable
        return "ndarray", value.dtype.str, value.shape, np.ascontiguousarray(value).tobytes()
    if isinstance(value, Image.Image) and value.mode in ("1", "L", "RGB", "RGBA", "I", "F"):
        return "image", value.mode, value.size, value.tobytes()
    if isinstance(value, (torch.dtype, torch.device)):
        return type(value).__name__, str(value)
    if isinstance(value, (list, tuple)):
        return type(value).__name__, tuple(value_key(v) for v in value)
    if isinstance(value, dict):
        return "dict", tuple((value_key(k), value_key(v)) for k, v in value.items())
    raise Uncacheable


def copied(value):
    """A copy no caller can change the kept result through."""
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return value
    if type(value) is torch.Tensor:
        if value.requires_grad:
            raise Uncacheable
        return value.clone()
    if type(value) is np.ndarray:
        if value.dtype.hasobject:
            raise Uncacheable
        return value.copy()
    if isinstance(value, Image.Image):
        return value.copy()
    if type(value) in (list, tuple):
        return type(value)(copied(v) for v in value)
    if type(value) is dict:
        return {k: copied(v) for k, v in value.items()}
    raise Uncacheable


def load_image(path):
    """The image at `path` (a file of the course), decoded once per grading process; a copy each call."""
    path = os.path.realpath(path)
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _images:
        with Image.open(path) as img:
            img.load()
            _images[key] = img.copy()
    return _images[key].copy()


# ---------------------------------------------------------------- probes shared by several test files
def on_cuda_stand_in(student, module, task, t, requires_grad):
    """the task on a tensor that answers like a CUDA tensor (.numpy() refuses it until .cpu())"""
    class CudaStandIn(torch.Tensor):
        """A CPU tensor that answers like a CUDA one, so that graders without a GPU check .cpu()."""
        @property
        def device(self):
            return torch.device("cuda", 0)

        @property
        def is_cuda(self):
            return True

        def numpy(self, *args, **kwargs):
            raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy "
                            "the tensor to host memory first.")

        def __array__(self, *args, **kwargs):
            return self.numpy()

        def cpu(self, *args, **kwargs):
            return torch.Tensor.cpu(self, *args, **kwargs).as_subclass(torch.Tensor)

        def to(self, *args, **kwargs):
            out = torch.Tensor.to(self, *args, **kwargs)
            target = kwargs.get("device", args[0] if args else None)
            if isinstance(target, (str, torch.device)) and torch.device(target).type == "cpu":
                return out.as_subclass(torch.Tensor)
            return out

    t = t.clone().requires_grad_(requires_grad).as_subclass(CudaStandIn)
    return getattr(getattr(student, module), task)(t)


# ---------------------------------------------------------------- checks
def what_of(what):
    return what or last_call.get()


def kind_of(value):
    if isinstance(value, torch.Tensor):
        return f"a tensor ({str(value.dtype).replace('torch.', '')}, shape {tuple(value.shape)})"
    if isinstance(value, np.ndarray):
        return f"an ndarray ({value.dtype}, shape {value.shape})"
    if isinstance(value, Remote):
        return f"an object of type {value.remote_type}"
    return f"{type(value).__name__} {short_repr(value)}"


def short_repr(value, limit=120):
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def fail(message):
    raise AssertionError(message)


def dtype_name(dtype):
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    return np.dtype(dtype).name


def check_tensor(value, shape=None, dtype=None, device=None, what=None):
    """A torch.Tensor with the given dtype, shape and device type ('cpu', 'cuda', 'meta')."""
    what = what_of(what)
    if not isinstance(value, torch.Tensor):
        fail(f"{what} returned {kind_of(value)}, expected a torch.Tensor")
    if dtype is not None and value.dtype != dtype:
        fail(f"{what} returned a tensor of dtype {dtype_name(value.dtype)}, expected {dtype_name(dtype)}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{what} returned shape {tuple(value.shape)}, expected {tuple(shape)}")
    if device is not None and value.device.type != torch.device(device).type:
        fail(f"{what} returned a tensor on {value.device}, expected one on {device}")
    return value


def check_array(value, shape=None, dtype=None, what=None):
    """A numpy.ndarray with the given dtype (a name like 'float32' or a numpy dtype) and shape.
    dtype may be a kind: 'float' (any float) or 'int' (any signed integer)."""
    what = what_of(what)
    if not isinstance(value, np.ndarray):
        fail(f"{what} returned {kind_of(value)}, expected a numpy.ndarray")
    if dtype == "float":
        if value.dtype.kind != "f":
            fail(f"{what} returned dtype {value.dtype}, expected a floating-point dtype")
    elif dtype == "int":
        if value.dtype.kind != "i":
            fail(f"{what} returned dtype {value.dtype}, expected a signed integer dtype")
    elif dtype is not None and value.dtype != np.dtype(dtype):
        fail(f"{what} returned dtype {value.dtype}, expected {np.dtype(dtype).name}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{what} returned shape {tuple(value.shape)}, expected {tuple(shape)}")
    return value


def as_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().to(torch.float64 if value.is_floating_point() else value.dtype).numpy()
    return np.asarray(value)


def plain(*numbers):
    """Numbers as a person writes them (0.2669, not np.float64(0.266924113035202)); more digits
    where fewer would make different numbers look the same."""
    for digits in (4, 8, 17):
        texts = [plain_one(n, digits) for n in numbers]
        if len(set(texts)) == len(set(map(repr, numbers))) or digits == 17:
            return texts if len(texts) > 1 else texts[0]


def plain_one(number, digits):
    if isinstance(number, (bool, np.bool_)):
        return str(bool(number))
    if isinstance(number, (int, np.integer)):
        return str(int(number))
    if isinstance(number, (float, np.floating)):
        return f"{float(number):.{digits}g}"
    if isinstance(number, (complex, np.complexfloating)):
        return f"{complex(number):.{digits}g}"
    return repr(number)


def looks_like(value, mistakes):
    """' This looks like <description>.' for the first known mistake whose answer equals `value`."""
    got = as_numpy(value)
    for description, wrong in mistakes:
        wrong = as_numpy(wrong)
        if wrong.shape == got.shape and np.allclose(got.astype(np.float64), wrong.astype(np.float64),
                                                    rtol=1e-5, atol=1e-6, equal_nan=True):
            return f" This looks like {description}."
    return ""


def check_close(value, expected, what=None, rtol=1e-5, atol=1e-6, mistakes=()):
    """Values equal within a tolerance (shapes must match exactly; NaN equals NaN only where expected).

    `mistakes` lists (description, wrong answer) pairs: an answer equal to one of them is named
    in the message ("This looks like a re-view (view/reshape), not a transpose.")."""
    what = what_of(what)
    got, want = as_numpy(value), as_numpy(expected)
    if got.shape != want.shape:
        fail(f"{what} returned shape {got.shape}, expected {want.shape}")
    if got.dtype.kind in "biu" and want.dtype.kind in "biu":
        bad = got != want
    else:
        got_f, want_f = got.astype(np.complex128 if got.dtype.kind == "c" else np.float64), \
            want.astype(np.complex128 if want.dtype.kind == "c" else np.float64)
        if (got_f == want_f).all():  # equal values are close (NaN, never equal, goes on below):
            return                   # one pass instead of isclose's dozen, 2 ms on an image
        with np.errstate(invalid="ignore"):
            bad = ~np.isclose(got_f, want_f, rtol=rtol, atol=atol, equal_nan=True)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        count = int(bad.sum())
        where = f" at index {index}" if index else ""
        shown_got, shown_want = plain(got[index], want[index])
        fail(f"{what} returned wrong values: {count} of {bad.size} differ; "
             f"first{where}: got {shown_got}, expected {shown_want}." + looks_like(got, mistakes))


def check_equal(value, expected, what=None):
    """Plain values (ints, strings, lists, tuples) equal, with their types."""
    what = what_of(what)
    if type(value) is not type(expected) and not (
            isinstance(value, (int, np.integer)) and isinstance(expected, int)
            and not isinstance(value, bool)):
        fail(f"{what} returned {kind_of(value)}, expected {type(expected).__name__} {short_repr(expected)}")
    if value != expected:
        fail(f"{what} returned {short_repr(value)}, expected {short_repr(expected)}")


def check_unchanged(before, after, name="its input", what=None):
    """An input is not modified in place (compare a copy taken before the call)."""
    what = what_of(what)
    if not np.array_equal(as_numpy(before), as_numpy(after)):
        fail(f"{what} modified {name} in place; it must leave its input unchanged")


def expect_raises(exception, call, what=None):
    """`call()` must raise `exception` (a builtin name like 'IndexError', or a dotted name)."""
    try:
        result = call()
    except StudentNotImplemented:
        raise  # a stub is not_implemented, not a wrong exception
    except StudentError as exc:
        if exc.is_a(exception):
            return exc
        fail(f"{what_of(what)} raised {exc.remote.type_name.replace('builtins.', '') if exc.remote else exc}, "
             f"expected {exception}")
    fail(f"{what_of(what)} returned {kind_of(result)}, expected it to raise {exception}")
