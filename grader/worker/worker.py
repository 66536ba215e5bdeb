"""The untrusted side: imports a submission's modules and runs calls on them.

Runs as its own process, inside the sandbox, started by `grader.sandbox.client`.
It reads requests and answers on the two pipe fds named by --fds, one at a time; everything the
student's code prints goes to fds 1 and 2, which the grader drains separately.
This file imports nothing from the grader package: the sandbox shows it only
this file and codec.py.
"""

import importlib.util
import os
import resource
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))




def load_codec():
    spec = importlib.util.spec_from_file_location("grader_codec", os.path.join(HERE, "codec.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


codec = load_codec()


def set_limits(memory_mib, cpu_s, use_data_limit=True):
    """Per-process limits, set before torch is imported.

    Memory: RLIMIT_DATA (every private writable mapping: the heap, anonymous mmap, so a tensor
    or bytearray past it raises MemoryError), never RLIMIT_AS. Address space counts what is
    merely reserved: the CUDA build of torch maps over 3 GiB of shared-library code to import,
    so an address-space limit of a few GiB refuses an official torch build before any
    submission code runs. Where the grader made a cgroup, the group bounds every process of the
    sandbox together as well; this limit still makes a single allocation fail early and
    catchably. `use_data_limit` is kept for callers; both paths now bound the data segment."""
    def cap(which, value):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
    cap(resource.RLIMIT_DATA, memory_mib << 20)
    cap(resource.RLIMIT_CPU, cpu_s)
    cap(resource.RLIMIT_FSIZE, 16 << 20)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NPROC, 512)


def drop_privileges():
    """Become uid/gid 65534 with no supplementary groups; setuid from 0 to a non-zero uid also
    clears every capability. Refuse to go on (exit) if anything of root is left."""
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    if 0 in (os.getuid(), os.geteuid(), os.getgid(), os.getegid()) or os.getgroups():
        sys.exit("worker: could not drop root")
    try:
        with open("/proc/self/status") as fh:
            caps = [line.split()[1] for line in fh if line.startswith(("CapPrm:", "CapEff:"))]
    except OSError:
        caps = []
    if any(int(c, 16) for c in caps):
        sys.exit("worker: capabilities left after dropping root")


class ReadPipe:
    def __init__(self, fd):
        self.fd = fd

    def read_exact(self, n):
        chunks = []
        while n:
            chunk = os.read(self.fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class ForbiddenMonitor:
    """Records calls into forbidden functions made while student code is on the stack.

    Resolves each dotted name once; matches Python functions by code object,
    builtins by identity, tensor methods by name on a tensor receiver, classes by
    their __init__/forward. The name "torch" means any call into torch.
    """

    def __init__(self, submission):
        self.submission = submission.rstrip("/") + "/"
        self.cache = {}
        import torch
        self.torch_dir = os.path.dirname(torch.__file__) + "/"
        self.tensor_type = torch.Tensor

    def resolve(self, names):
        key = tuple(names)
        if key in self.cache:
            return self.cache[key]
        codes, builtins, methods, any_torch = {}, {}, {}, False
        for name in names:
            if name == "torch":
                any_torch = True
                continue
            obj = resolve_dotted(name)
            if obj is None:
                continue
            if name.startswith("torch.Tensor."):
                methods[name.rsplit(".", 1)[1]] = name
            if isinstance(obj, type):
                for attr in ("__init__", "forward", "__call__"):
                    fn = obj.__dict__.get(attr)
                    code = getattr(fn, "__code__", None)
                    if code is not None:
                        codes[code] = name
                continue
            code = getattr(obj, "__code__", None)
            if code is not None:
                codes[code] = name
            else:
                builtins[id(obj)] = (obj, name)
        result = (codes, builtins, methods, any_torch)
        self.cache[key] = result
        return result

    def student_on_stack(self, frame):
        depth = 0
        while frame is not None and depth < 200:
            if frame.f_code.co_filename.startswith(self.submission):
                return True
            frame = frame.f_back
            depth += 1
        return False

    def make_hook(self, names, hits):
        codes, builtins, methods, any_torch = self.resolve(names)
        torch_dir, tensor_type = self.torch_dir, self.tensor_type
        student_on_stack = self.student_on_stack

        def hook(frame, event, arg):
            name = None
            if event == "call":
                code = frame.f_code
                name = codes.get(code)
                if name is None and any_torch and code.co_filename.startswith(torch_dir):
                    name = "torch"
                if name is not None and student_on_stack(frame.f_back):
                    hits.append(name)
            elif event == "c_call":
                entry = builtins.get(id(arg))
                if entry is not None and entry[0] is arg:
                    name = entry[1]
                elif methods and isinstance(getattr(arg, "__self__", None), tensor_type):
                    name = methods.get(getattr(arg, "__name__", ""))
                if name is None and any_torch:
                    owner = getattr(arg, "__self__", None)
                    module = getattr(arg, "__module__", None) or getattr(type(owner), "__module__", "") or ""
                    if module.startswith("torch") or isinstance(owner, tensor_type):
                        name = "torch"
                if name is not None and student_on_stack(frame):
                    hits.append(name)
        return hook


def resolve_dotted(name):
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


class StudentModules:
    """What a probe receives as `student`: attribute access imports a submission module."""

    def __init__(self, worker):
        self._worker = worker

    def __getattr__(self, name):
        return self._worker.module(name)


class Worker:
    def __init__(self, submission):
        self.submission = submission
        self.handles = {}
        self.next_handle = 1
        self.shipped = {}
        with open(os.path.join(HERE, "probe_prelude.py")) as fh:
            self.prelude = compile(fh.read(), "<probe prelude>", "exec")
        self.monitor = ForbiddenMonitor(submission)
        self.student = StudentModules(self)

    # --- objects that stay here
    def to_handle(self, obj):
        hid = self.next_handle
        self.next_handle += 1
        self.handles[hid] = obj
        return codec.Handle(hid, "", [], "")

    def from_handle(self, handle):
        if handle.id not in self.handles:
            raise KeyError(f"object {handle.id} no longer exists in the worker")
        return self.handles[handle.id]

    def compile_shipped(self, source, name):
        key = (source, name)
        fn = self.shipped.get(key)
        if fn is None:
            namespace = {"__name__": "grader_probe"}
            exec(self.prelude, namespace)
            exec(compile(source, f"<probe {name}>", "exec"), namespace)
            fn = self.shipped[key] = namespace[name]
        return fn

    def module(self, name):
        if name in sys.modules and getattr(sys.modules[name], "__grader_student__", False):
            return sys.modules[name]
        path = os.path.join(self.submission, name + ".py")
        if not os.path.isfile(path):
            raise ModuleNotFoundError(f"the submission has no {name}.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        module.__grader_student__ = True
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module

    # --- requests
    def decode(self, tree, buffers):
        value, _ = codec.decode(tree, buffers, self.from_handle, self.compile_shipped,
                                device_ok=lambda name: True)
        return value

    def run(self, request, buffers):
        op = request["op"]
        args = self.decode(request.get("args", ["list", []]), buffers)
        kwargs = self.decode(request.get("kwargs", ["dict", []]), buffers)
        if op == "import":
            self.module(request["module"])
            return None
        if op == "call":
            if "handle" in request:
                fn = self.handles[request["handle"]]
            else:
                target = request["target"]
                fn = getattr(self.module(target["module"]), target["name"])
            return fn(*args, **kwargs)
        if op == "probe":
            fn = self.compile_shipped(request["source"], request["name"])
            return fn(self.student, *args, **kwargs)
        obj = self.handles[request["handle"]]
        if op == "getattr":
            return getattr(obj, request["name"])
        if op == "len":
            return len(obj)
        if op == "getitem":
            return obj[args[0]]
        if op == "iter":
            return iter(obj)
        if op == "next":
            try:
                return ("item", next(obj))
            except StopIteration:
                return ("stop", None)
        if op == "collect":
            return list(obj)
        raise ValueError(f"unknown request {op!r}")

    def serve(self, read, respond):
        while True:
            try:
                header, buffers = codec.read_frame(read.read_exact)
            except EOFError:
                return
            for hid in header.get("release", ()):
                self.handles.pop(hid, None)
            hits = []
            forbidden = header.get("forbidden") or []
            hook = self.monitor.make_hook(forbidden, hits) if forbidden else None
            tampered = False
            try:
                if hook is not None:
                    threading.setprofile(hook)
                    sys.setprofile(hook)
                try:
                    value = self.run(header, buffers)
                finally:
                    if hook is not None:
                        tampered = sys.getprofile() is not hook
                        sys.setprofile(None)
                        threading.setprofile(None)
                reply = {"ok": True}
                tree, out_buffers = codec.encode(value, self.to_handle)
                reply["value"] = tree
            except BaseException as exc:  # noqa: B902 - SystemExit too: it is the student's
                trim_traceback(exc)
                reply = {"ok": False}
                tree, out_buffers = codec.encode(exc)
                reply["error"] = tree
            reply["forbidden"] = sorted(set(hits))
            reply["tampered"] = tampered
            try:
                frame = codec.pack(reply, out_buffers)
                if len(frame) > codec.MAX_MESSAGE_BYTES:
                    raise codec.CodecError("the result is too large to send back")
            except Exception as exc:  # an unsendable result is the student's error
                reply = {"ok": False, "forbidden": reply["forbidden"], "tampered": tampered}
                tree, out_buffers = codec.encode(RuntimeError(f"the result could not be sent: {exc}"))
                reply["error"] = tree
                frame = codec.pack(reply, out_buffers)
            flush_output()  # what the call printed reaches the grader before its answer
            write_all(respond, frame)


def flush_output():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:  # noqa: B902 - a replaced or closed stream is the student's
            pass


def trim_traceback(exc):
    """Drop the worker's own frames so the student sees where their code failed."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    exc.__traceback__ = tb


def main(argv):
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--submission", required=True)
    parser.add_argument("--memory", type=int, default=2048)
    parser.add_argument("--cpu", type=int, default=300)
    parser.add_argument("--drop-user", action="store_true")
    parser.add_argument("--gpu", action="store_true")
    parser.add_argument("--fds", required=True)
    opts = parser.parse_args(argv)
    request_fd, respond = (int(x) for x in opts.fds.split(","))
    read = ReadPipe(request_fd)
    os.set_inheritable(request_fd, False)
    os.set_inheritable(respond, False)
    set_limits(opts.memory, opts.cpu, use_data_limit=opts.gpu)
    if opts.drop_user and (os.getuid() == 0 or os.geteuid() == 0):
        drop_privileges()  # before any submission code: root's files stay root's
    import numpy  # noqa: F401 - imported before the submission can shadow them
    import PIL.Image  # noqa: F401
    import torch
    torch.set_num_threads(1)
    try:
        skip_dynamo_in_optimizers()
    except Exception:  # noqa: BLE001 - only an optimisation; optimizers work either way
        pass
    submission = os.path.abspath(opts.submission)
    sys.path.insert(0, submission)
    sys.dont_write_bytecode = True
    ready = {
        "op": "ready",
        "pid": os.getpid(),
        "uid": os.getuid(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "cuda_available": bool(torch.cuda.is_available()),
        "gpu_count": int(torch.cuda.device_count()),
    }
    write_all(respond, codec.pack(ready, []))
    Worker(submission).serve(read, respond)


def skip_dynamo_in_optimizers():
    """Let torch.optim run without importing torch._dynamo (over a second of CPU).

    Optimizers reach dynamo in two places, both no-ops unless torch.compile is tracing:
    `_disable_dynamo` wrappers, which import it on first call to wrap the method, and
    `step`'s `_use_grad` wrapper, which calls `torch._dynamo.graph_break()`. We fill the
    first's cache with the plain method and rewrap `step` without the graph breaks.
    Where this torch differs (the code objects do not match), nothing is changed.
    """
    import functools

    import torch
    import torch._compile
    import torch.optim
    import torch.optim.optimizer as optimizer_module

    disable_code = torch._compile._disable_dynamo(lambda: None).__code__
    use_grad_code = optimizer_module._use_grad_for_differentiable(lambda self: None).__code__
    for fn in vars(torch.optim.Optimizer).values():
        if getattr(fn, "__code__", None) is disable_code and hasattr(fn, "__wrapped__"):
            fn.__wrapped__.__dynamo_disable = fn.__wrapped__

    def without_graph_breaks(func):
        def _use_grad(*args, **kwargs):
            prev_grad = torch.is_grad_enabled()
            try:
                torch.set_grad_enabled(args[0].defaults["differentiable"])
                return func(*args, **kwargs)
            finally:
                torch.set_grad_enabled(prev_grad)
        functools.update_wrapper(_use_grad, func)
        return _use_grad

    for name in dir(torch.optim):
        cls = getattr(torch.optim, name)
        step = vars(cls).get("step") if isinstance(cls, type) else None
        if getattr(step, "__code__", None) is use_grad_code and hasattr(step, "__wrapped__"):
            cls.step = without_graph_breaks(step.__wrapped__)


if __name__ == "__main__":
    main(sys.argv[1:])
