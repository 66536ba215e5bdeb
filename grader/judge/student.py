"""What a hidden test holds as `student`: the submission's module, seen through the worker.

    out = student.to_numpy(t)                 # calls tensor_numpy.to_numpy in the worker
    mlp = student.module("modules").MLP(4, 8, 2)   # another module; returns a Remote
    shares = student.probe(shares_memory, a)  # runs a shipped function in the worker
    step = student.ship(add_one)              # a function to pass as an argument

Each call is described in plain words ("to_numpy(tensor float32 (3, 4))") for the
messages of `grader.testing`'s checks.
"""

import contextvars
import inspect
import itertools
import linecache
import textwrap
import types

from ..worker.codec import Shipped

last_call = contextvars.ContextVar("last_call", default="the call")


def summarize(value, depth=0):
    """A short description of an argument, for messages."""
    try:
        import numpy as np
        import torch
    except ImportError:  # pragma: no cover
        return type(value).__name__
    if isinstance(value, torch.Tensor):
        extra = ", requires_grad" if value.requires_grad else ""
        dev = f", {value.device}" if value.device.type != "cpu" else ""
        return f"tensor {str(value.dtype).replace('torch.', '')} {tuple(value.shape)}{extra}{dev}"
    if isinstance(value, np.ndarray):
        return f"array {value.dtype} {value.shape}"
    # Containers are described, never repr'd: a tensor's repr prints its values (and costs
    # 0.1 ms); a long list's is made whole before it is cut.
    if isinstance(value, (list, tuple)):
        if depth >= 2:
            return "[...]" if isinstance(value, list) else "(...)"
        inner = ", ".join(summarize(v, depth + 1) for v in itertools.islice(value, 4))
        more = ", ..." if len(value) > 4 else ""
        return f"[{inner}{more}]" if isinstance(value, list) else f"({inner}{more})"
    if isinstance(value, dict):
        if depth >= 2:
            return "{...}"
        inner = ", ".join(f"{summarize(k, 2)}: {summarize(v, depth + 1)}" for k, v in itertools.islice(value.items(), 4))
        more = ", ..." if len(value) > 4 else ""
        return f"{{{inner}{more}}}"
    if isinstance(value, Shipped):
        return value.name
    if type(value).__name__ == "Remote":
        return repr(value._describe())
    if type(value).__module__.startswith("PIL"):
        return f"{getattr(value, 'mode', '?')} image {getattr(value, 'size', '')}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def describe_call(name, args, kwargs):
    parts = [summarize(a) for a in args] + [f"{k}={summarize(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


_shipped = {}


def last_code_line(code):
    """The last line of the file holding code of `code` or of a function nested in it."""
    last = max((end for _, end, _, _ in code.co_positions() if end is not None), default=code.co_firstlineno)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            last = max(last, last_code_line(const))
    return last


def more_follows(lines, first, last):
    """Whether a line indented deeper than line `first` follows line `last`: the function goes
    on with lines that compile to nothing (a `pass`, an `else: pass`, a comment)."""
    indent = len(lines[first - 1]) - len(lines[first - 1].lstrip())
    for line in lines[last:]:
        if line.strip():
            return len(line) - len(line.lstrip()) > indent
    return False


def source_text(fn):
    """`fn`'s source, dedented, as inspect.getsource gives it, without tokenizing its file (which
    costs a grading 15 ms over the course's probes): the lines from its def (or first decorator)
    to the last one holding code. Where more of the function may follow, inspect decides."""
    fn = inspect.unwrap(fn)
    code = getattr(fn, "__code__", None)
    if code is not None:
        lines = linecache.getlines(code.co_filename)
        first, last = code.co_firstlineno, last_code_line(code)
        if lines and 0 < first <= last <= len(lines) and not more_follows(lines, first, last):
            return textwrap.dedent("".join(lines[first - 1:last]))
    return textwrap.dedent(inspect.getsource(fn))


def ship(fn):
    """A module-level function of a test file, sent to the worker as source text."""
    if isinstance(fn, Shipped):
        return fn
    # Once per function, not once per call (a warm grader grades many submissions with the
    # same probes).
    key = (fn, getattr(fn, "__code__", None))
    if key not in _shipped:
        _shipped[key] = Shipped(source_text(fn), fn.__name__)
    return _shipped[key]


class StudentFunction:
    def __init__(self, client, module, name):
        self.client, self.module, self.name = client, module, name

    def __call__(self, *args, **kwargs):
        what = describe_call(self.name, args, kwargs)
        last_call.set(what)
        return self.client.request("call", what, target={"module": self.module, "name": self.name},
                                   args=args, kwargs=kwargs)


class StudentModules:
    """The `student` fixture: attribute access names a function or class of this test's module."""

    def __init__(self, client, plugin, module):
        self._client = client
        self._plugin = plugin
        self._module = module

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return StudentFunction(self._client, self._module, name)

    def module(self, name):
        """Another module of the submission (imported, and checked, like this test's own)."""
        self._plugin.ensure_module(name)
        return StudentModules(self._client, self._plugin, name)

    def probe(self, fn, *args, **kwargs):
        """Run `fn(student, *args, **kwargs)` in the worker, where `student.<module>` is the
        imported submission module; for facts only the worker can observe."""
        shipped = ship(fn)
        # A probe's docstring says, for messages, what it calls ("to_numpy(t), t requiring grad").
        doc = (getattr(fn, "__doc__", None) or "").strip().splitlines()
        what = doc[0].rstrip(".") if doc else describe_call(shipped.name, args, kwargs)
        last_call.set(what)
        return self._client.request("probe", what, source=shipped.source, name=shipped.name,
                                    args=args, kwargs=kwargs)

    @staticmethod
    def ship(fn):
        return ship(fn)

    def facts(self, value):
        """What the worker measured about a returned tensor or array (type, stride, is_leaf...)."""
        return self._client.facts.get(value, {})

    @property
    def cuda_in_worker(self):
        return bool(self._client.info.get("cuda_available"))
