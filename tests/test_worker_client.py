"""The worker and its client: calls, handles, probes, the run-time forbidden-call monitor."""

import os
import sys
import textwrap
import threading

import numpy as np
import pytest
import torch

from grader.sandbox import cgroup
from grader.worker.codec import Shipped
from grader.sandbox.client import (OutputBuffer, Remote, StudentCrash, StudentError, StudentForbidden,
                                  StudentNotImplemented, StudentTimeout, WorkerClient)

SOURCE = textwrap.dedent('''
    import threading
    import torch
    import torch.nn.functional as F
    from torch.nn.functional import cross_entropy as ce

    class Box:
        def __init__(self, items):
            self.items = list(items)
            self.label = "box"
        def __len__(self):
            return len(self.items)
        def __getitem__(self, i):
            return self.items[i]
        def __iter__(self):
            return iter(self.items)
        def total(self, other=None):
            return sum(self.items) + (sum(other.items) if other is not None else 0)

    def make_box(*items):
        return Box(items)

    def double(x):
        return x * 2

    def stub():
        raise NotImplementedError("stub is not implemented yet")

    def fails():
        return [1, 2][5]

    def spin():
        while True:
            pass

    def die():
        import os
        os._exit(1)

    def manual_ce(x, t):
        m = x.max(1, keepdim=True).values
        return (m.squeeze(1) + torch.log(torch.exp(x - m).sum(1)) - x[torch.arange(len(t)), t]).mean()

    def alias_ce(x, t):
        return ce(x, t)

    def method_ce(x, t):
        return -x.log_softmax(1)[torch.arange(len(t)), t].mean()

    def module_ce(x, t):
        return torch.nn.CrossEntropyLoss()(x, t)

    def getattr_ce(x, t):
        return getattr(F, "log_" + "softmax")(x, 1)[0, 0]

    def thread_ce(x, t):
        out = []
        th = threading.Thread(target=lambda: out.append(F.cross_entropy(x, t)))
        th.start(); th.join()
        return out[0]

    def untrace(x, t):
        import sys
        sys.setprofile(None)
        return F.cross_entropy(x, t)

    def numpy_softmax(x):
        import numpy as np
        e = np.exp(x - x.max())
        return e / e.sum()

    def torch_softmax(x):
        return torch.from_numpy(x).exp().numpy()

    def honest_libraries():
        # Library code that looks at frames or classes for its caller keeps working.
        import collections, dataclasses, enum, functools, logging, traceback, typing, warnings
        Point = collections.namedtuple("Point", "x y")
        Pair = typing.NamedTuple("Pair", [("a", int), ("b", int)])
        Data = dataclasses.make_dataclass("Data", [("v", int)])
        Color = enum.Enum("Color", "RED GREEN")
        logging.getLogger("honest").warning("a warning through logging")
        warnings.warn("a warning")
        try:
            {}["missing"]
        except KeyError:
            text = traceback.format_exc()
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(4.0)), batch_size=2)
        return (Point(1, 2).y, Pair(3, 4).b, Data(5).v, Color.GREEN.value, "KeyError" in text,
                [b[0].tolist() for b in loader], functools.reduce(lambda a, b: a + b, [1, 2, 3]))

    def tamper(route):
        import gc, inspect, sys, types
        if route == "gc":
            return len(gc.get_objects())
        if route == "referrers":
            return len(gc.get_referrers(route))
        if route == "getframe":
            return sys._getframe(1).f_code.co_name
        if route == "logging_frame":
            import logging
            return logging.currentframe().f_back.f_code.co_name
        if route == "inspect":
            return [f.function for f in inspect.stack()]
        if route == "tb_frame":
            try:
                1 / 0
            except ZeroDivisionError as exc:
                return exc.__traceback__.tb_frame.f_back.f_code.co_name
        if route == "current_frames":
            return len(sys._current_frames())
        if route == "settrace":
            sys.settrace(lambda *a: None)
        if route == "audithook":
            sys.addaudithook(lambda *a: None)
        if route == "code":
            torch.nn.functional.relu.__code__ = (lambda *a, **k: 0).__code__
        if route == "compile":
            exec(compile("x = 1", torch.__file__, "exec"), {})
        if route == "tensor_method":
            torch.Tensor.data_ptr = lambda self: 0
        if route == "builtins":
            import builtins
            builtins.isinstance = lambda *a: True
        if route == "json":
            import json
            json.dumps = lambda *a, **k: "{}"  # the codec packs every answer with it
        if route == "forged_reply":
            import importlib.util, os
            spec = importlib.util.spec_from_file_location("codec_copy", "/opt/grader-worker/codec.py")
            copy = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(copy)
            frame = copy.pack({"ok": True, "value": ["int", "42"], "forbidden": [], "tampered": False}, [])
            for fd in range(3, 32):
                try:
                    os.fstat(fd)
                    os.write(fd, frame)
                except OSError:
                    pass
        if route == "caught":
            try:
                gc.get_objects()
            except RuntimeError:
                pass
        return "done"

    def patch_equal():
        torch.equal = lambda *args: True  # the submission's own torch: allowed, and unseen by probes
        return torch.equal(torch.zeros(1), torch.ones(1))

    def writable_places():
        import os
        sizes = {p: os.statvfs(p).f_blocks * os.statvfs(p).f_frsize for p in ("/tmp", "/dev/shm")}
        return sizes, [p for p in ("/", "/opt", "/dev", "/tmp", "/dev/shm", "/submission")
                       if os.access(p, os.W_OK)]
''')
CE_BANNED = ["torch.nn.functional.cross_entropy", "torch.nn.functional.log_softmax",
             "torch.Tensor.log_softmax", "torch.nn.CrossEntropyLoss", "torch._C._nn.cross_entropy_loss"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sub")
    (folder / "mod.py").write_text(SOURCE)
    c = WorkerClient(str(folder), timeout=2.0, memory_mib=1024)
    yield c
    c.close()


def call(client, name, *args, forbidden=()):
    return client.request("call", name, target={"module": "mod", "name": name}, args=args,
                          forbidden=forbidden)


def test_values_come_back_as_data(client):
    out = call(client, "double", torch.arange(3.0))
    assert isinstance(out, torch.Tensor) and torch.equal(out, torch.tensor([0.0, 2.0, 4.0]))
    assert client.level == "bubblewrap"


def test_handles_support_attributes_calls_len_indexing_iteration(client):
    box = call(client, "make_box", 3, 4, 5)
    assert isinstance(box, Remote) and box.remote_type == "mod.Box"
    assert box.label == "box" and len(box) == 3 and box[1] == 4 and box[-1] == 5
    assert list(box) == [3, 4, 5] and box.collect() == [3, 4, 5]
    other = call(client, "make_box", 10)
    assert box.total(other) == 22  # a handle passed back as an argument


def test_shipped_functions_run_in_the_worker(client):
    source = textwrap.dedent('''
        def probe(student, x):
            return student.mod.double(x) + 1
    ''')
    out = client.request("probe", "probe", source=source, name="probe", args=[torch.ones(2)])
    assert out.tolist() == [3.0, 3.0]
    add_one = Shipped("def add_one(v):\n    return v + 1\n", "add_one")
    box = call(client, "make_box", 1, 2)
    # a shipped function passed as an argument is compiled in the worker and called there
    mapped = client.request("probe", "apply", source="def apply(student, f, b):\n    return [f(v) for v in b]\n",
                            name="apply", args=[add_one, box])
    assert mapped == [2, 3]


def test_student_exceptions_map_to_statuses(client):
    with pytest.raises(StudentNotImplemented):
        call(client, "stub")
    with pytest.raises(StudentError) as info:
        call(client, "fails")
    assert info.value.is_a("IndexError") and info.value.is_a("LookupError")
    assert "IndexError" in str(info.value) and "return [1, 2][5]" in str(info.value)


def test_timeout_and_crash_restart_the_worker_and_invalidate_handles(client):
    box = call(client, "make_box", 1)
    with pytest.raises(StudentTimeout):
        call(client, "spin")
    with pytest.raises(StudentCrash):
        len(box)  # its worker is gone
    with pytest.raises(StudentCrash) as info:
        call(client, "die")
    assert "exited with status 1" in str(info.value)
    assert call(client, "double", 2) == 4


@pytest.mark.parametrize("name", ["alias_ce", "method_ce", "module_ce", "getattr_ce", "thread_ce"])
def test_the_monitor_catches_every_route_to_a_forbidden_call(client, name):
    x, t = torch.randn(4, 3), torch.tensor([0, 2, 1, 0])
    with pytest.raises(StudentForbidden):
        call(client, name, x, t, forbidden=CE_BANNED)
    call(client, name, x, t)  # allowed when the task forbids nothing


def test_the_monitor_passes_honest_code_and_detects_tampering(client):
    x, t = torch.randn(4, 3), torch.tensor([0, 2, 1, 0])
    expected = torch.nn.functional.cross_entropy(x, t)
    assert torch.allclose(call(client, "manual_ce", x, t, forbidden=CE_BANNED), expected)
    with pytest.raises(StudentForbidden, match="call monitor"):
        call(client, "untrace", x, t, forbidden=CE_BANNED)


def test_numpy_only_rule(client):
    x = np.array([1.0, 2.0, 3.0])
    out = call(client, "numpy_softmax", x, forbidden=["torch"])
    assert np.allclose(out, np.exp(x) / np.exp(x).sum())
    with pytest.raises(StudentForbidden, match="NumPy only"):
        call(client, "torch_softmax", x, forbidden=["torch"])


def test_memory_backed_folders_are_sized_and_nothing_else_is_writable(client):
    sizes, writable = call(client, "writable_places")
    assert sizes == {"/tmp": 64 << 20, "/dev/shm": 64 << 20}
    assert writable == ["/tmp", "/dev/shm"]


def test_the_limits_in_force_are_named(client, tmp_path, monkeypatch):
    call(client, "double", 1)
    if os.geteuid() == 0 and cgroup.hierarchies():
        assert (client.memory_limit, client.cpu_limit) == ("cgroup", "cgroup")
    (tmp_path / "mod.py").write_text(SOURCE)
    monkeypatch.setenv("GRADER_CGROUPS", "off")
    without = WorkerClient(str(tmp_path), timeout=2.0, memory_mib=1024)
    try:
        assert call(without, "double", 2) == 4
        assert (without.process_limit, without.memory_limit, without.cpu_limit) \
            == ("rlimit", "per-process", "per-process")
        assert without.group is None
    finally:
        without.close()


def test_honest_library_code_is_not_tampering(client):
    assert call(client, "honest_libraries") == (2, 4, 5, 2, True, [[0.0, 1.0], [2.0, 3.0]], 6)


@pytest.mark.parametrize("route", ["gc", "referrers", "getframe", "inspect", "tb_frame", "current_frames",
                                   "settrace", "audithook", "code", "compile", "tensor_method", "builtins",
                                   "json", "forged_reply", "logging_frame", "caught"])
def test_every_route_into_the_worker_is_tampering(client, route):
    with pytest.raises(StudentForbidden, match="^tampering with the grader") as info:
        call(client, "tamper", route)
    assert info.value.status == "forbidden"
    # Refused or undone: the worker, torch and the builtins still work for the next call.
    out = call(client, "double", torch.arange(3.0))
    assert torch.equal(out, torch.tensor([0.0, 2.0, 4.0])) and call(client, "honest_libraries")[0] == 2


def test_probes_see_torch_as_it_was_before_the_submission(client):
    source = "def probe(student, a, b):\n    return student.mod.patch_equal(), torch.equal(a, b), _real.get_rng_state is not None\n"
    assert client.request("probe", "probe", source=source, name="probe",
                          args=[torch.zeros(2), torch.ones(2)]) == (True, False, True)


def test_output_in_the_pipe_is_all_taken_even_while_the_draining_thread_reads():
    """What a call printed is in the pipe when its answer comes; take() must return all of it.
    The draining thread once read a chunk, then waited for the interpreter's lock before keeping
    it: take() then missed that chunk (the next failing test got it). Busy threads and a short
    switch interval make that wait likely (the old buffer lost about 3 % of these)."""
    switch = sys.getswitchinterval()
    stop = []

    def busy():
        while not stop:
            pass
    busy_thread = threading.Thread(target=busy, daemon=True)
    read_end, write_end = os.pipe()
    buffer = OutputBuffer(read_end)
    sys.setswitchinterval(1e-5)
    busy_thread.start()
    try:
        taken = []
        for i in range(3000):
            os.write(write_end, f"line {i}\n".encode())
            taken.append(buffer.take())
    finally:
        stop.append(True)
        sys.setswitchinterval(switch)
        os.close(write_end)
    busy_thread.join()
    lost = [i for i, text in enumerate(taken) if text != f"line {i}\n"]
    assert not lost, f"{len(lost)} of 3000 takes missed what was in the pipe, e.g. {lost[:5]}"
    buffer.thread.join(5)
    assert buffer.fd is None  # the thread saw the pipe's end and closed it
