"""The untrusted side: imports a submission's modules and runs calls on them.

Runs as its own process, inside the sandbox, started by `grader.sandbox.client`.
It reads requests and answers on the two pipe fds named by --fds, one at a time; everything the
student's code prints goes to fds 1 and 2, which the grader drains separately.
This file imports nothing from the grader package: the sandbox shows it only
this file and codec.py.
"""

import gc
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
    check_no_capabilities()


def check_no_capabilities():
    try:
        with open("/proc/self/status") as fh:
            caps = [line.split()[1] for line in fh if line.startswith(("CapPrm:", "CapEff:"))]
    except OSError:
        caps = []
    if any(int(c, 16) for c in caps):
        sys.exit("worker: capabilities left after dropping root")


def make_reader(fd, read=os.read, join=b"".join):
    """read_exact(n) on the request pipe."""

    def read_exact(n):
        chunks = []
        while n:
            chunk = read(fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return join(chunks)
    return read_exact


def write_all(fd, data, write=os.write):  # os.write as it was before any submission
    view = memoryview(data)
    while view:
        n = write(fd, view)
        view = view[n:]


def make_monitor(submission):
    """The call monitor: records calls into forbidden functions made while student code is on
    the stack.

    Resolves each dotted name once; matches Python functions by code object,
    builtins by identity, tensor methods by name on a tensor receiver, classes by
    their __init__/forward. The name "torch" means any call into torch.
    Returns make_hook(names, hits): a profile function appending to `hits`.
    """
    import torch
    submission = submission.rstrip("/") + "/"
    cache = {}
    resolve_name = resolve_dotted  # the module's globals can be replaced
    torch_dir = os.path.dirname(torch.__file__) + "/"
    tensor_type = torch.Tensor

    def resolve(names):
        key = tuple(names)
        if key in cache:
            return cache[key]
        codes, builtins, methods, any_torch = {}, {}, {}, False
        for name in names:
            if name == "torch":
                any_torch = True
                continue
            obj = resolve_name(name)
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
        result = cache[key] = (codes, builtins, methods, any_torch)
        return result

    def student_on_stack(frame):
        depth = 0
        while frame is not None and depth < 200:
            if frame.f_code.co_filename.startswith(submission):
                return True
            frame = frame.f_back
            depth += 1
        return False

    def make_hook(names, hits):
        codes, builtins, methods, any_torch = resolve(names)

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
    return make_hook


def resolve_dotted(name, import_module=importlib.import_module):
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


# ---------------------------------------------------------------- the audit hook
# Audit events that lead from a submission's code into the worker's own objects. Everything
# else returns after one set lookup: the hook sees every audited event of the process.
# (object.__setattr__ is raised for a class's special attributes and a function's __code__ and
# defaults only: ordinary class attribute writes are caught by build_worker's undo_patches.)
WATCHED_EVENTS = frozenset({
    "sys._getframe", "sys._getframemodulename", "sys._current_frames", "sys._current_exceptions",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "sys.settrace", "sys.setprofile", "sys.addaudithook", "sys.monitoring.register_callback",
    "object.__getattr__", "object.__setattr__", "object.__delattr__",
    "compile", "code.__new__",
})
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
ROUTES = {
    "sys._getframe": "sys._getframe (a walk up the call stack)",
    "sys._getframemodulename": "sys._getframemodulename (a walk up the call stack)",
    "sys._current_frames": "sys._current_frames (the stacks of every thread)",
    "sys._current_exceptions": "sys._current_exceptions (the stacks of every thread)",
    "gc.get_objects": "gc.get_objects (a walk over every object of the process)",
    "gc.get_referrers": "gc.get_referrers (a walk over the objects of the process)",
    "gc.get_referents": "gc.get_referents (a walk over the objects of the process)",
    "sys.settrace": "sys.settrace (a tracer over the grader's code)",
    "sys.setprofile": "sys.setprofile (switching off the grader's call monitor)",
    "sys.addaudithook": "sys.addaudithook (a hook over the grader's events)",
    "sys.monitoring.register_callback": "sys.monitoring (a tracer over the grader's code)",
}


def install_audit_hook(submission, refused, profile_hooks):
    """Refuse, when a submission's own code does it, every route into the worker's objects.

    `refused` collects a description of each refusal (the worker reports them with its next
    answer); `profile_hooks` holds the profile functions the worker itself installs, which
    threads the submission starts may take on. Code is the submission's when its file is not
    Python's or the worker's own: library code that a submission calls (namedtuple, logging,
    typing, torch) keeps working. sys.addaudithook: a hook cannot be removed.
    """
    import inspect
    import sysconfig
    import threading
    import traceback
    import types

    getframe = sys._getframe
    get_ident = threading.get_ident
    modules = sys.modules
    function_type = types.FunctionType
    paths = sysconfig.get_paths()
    prefixes = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(k)}
    prefixes |= {os.path.dirname(os.path.dirname(m.__file__)) for m in
                 (modules.get("torch"), modules.get("numpy"), modules.get("PIL")) if m is not None}
    prefixes.add(HERE)
    trusted_names = tuple(p.rstrip("/") + "/" for p in prefixes if p) + ("<frozen ", "<probe")
    # Library functions that hand the frames they take to their caller.
    inspect_file, threading_file = inspect.__file__, threading.__file__
    frame_givers = {traceback.walk_stack.__code__, traceback.walk_tb.__code__}
    logging = modules.get("logging")  # torch imports it; logging.currentframe() is sys._getframe(1)
    if logging is not None and hasattr(getattr(logging, "currentframe", None), "__code__"):
        frame_givers.add(logging.currentframe.__code__)
    owner = {}
    busy = set()

    def is_student_file(name):
        answer = owner.get(name)
        if answer is None:
            answer = owner[name] = not (isinstance(name, str) and name.startswith(trusted_names))
        return answer

    def caller(skip_givers):
        frame = getframe(4)  # caller <- from_student <- judge <- hook <- the code that raised the event
        while skip_givers and frame is not None and (
                frame.f_code in frame_givers or frame.f_code.co_filename == inspect_file):
            frame = frame.f_back
        return frame

    def from_student(skip_givers=False):
        frame = caller(skip_givers)
        return frame is not None and is_student_file(frame.f_code.co_filename)

    def student_type(cls):
        module = modules.get(getattr(cls, "__module__", None) or "")
        return getattr(module, "__grader_student__", False) is True

    def judge(event, args):
        if event in ("object.__setattr__", "object.__delattr__"):
            obj, name = args[0], args[1]
            if isinstance(obj, type):
                if not from_student() or student_type(obj):
                    return None
                return f"setting {getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}.{name}"
            if isinstance(obj, function_type) and from_student() \
                    and not is_student_file(obj.__code__.co_filename):
                return f"setting {name} of the function {getattr(obj, '__qualname__', '?')}"
            return None
        if event == "object.__getattr__":
            return f"{args[1]} (a frame of the grader)" if from_student(skip_givers=True) else None
        if event in ("compile", "code.__new__"):
            filename = args[1]
            if isinstance(filename, bytes):
                filename = filename.decode("utf-8", "replace")
            if from_student() and not is_student_file(filename):
                return f"{event} under the name of the grader's or Python's own file {filename!r}"
            return None
        if from_student(skip_givers=True):
            return ROUTES.get(event, event)
        if event in ("sys.settrace", "sys.setprofile") and getframe(2).f_code.co_filename == threading_file:
            # A thread starting: it takes on what threading.settrace/setprofile were given.
            if event == "sys.settrace" and threading._trace_hook is not None:
                return ROUTES[event] + " through threading.settrace"
            if event == "sys.setprofile" and threading._profile_hook not in profile_hooks:
                return ROUTES[event] + " through threading.setprofile"
        return None

    def hook(event, args):
        if event not in WATCHED_EVENTS:
            return
        if event == "object.__getattr__" and args[1] not in FRAME_ATTRIBUTES:
            return
        ident = get_ident()
        if ident in busy:  # the hook's own frame reads raise events too
            return
        busy.add(ident)
        try:
            route = judge(event, args)
        finally:
            busy.discard(ident)
        if route is not None:
            if len(refused) < 64:  # a loop of refusals is still one verdict
                refused.append(route)
            raise RuntimeError(f"tampering with the grader: {route} is not allowed in a submission")

    sys.addaudithook(hook)


def build_worker(submission, codec):
    """The worker's state and its request loop, all in closures: nothing of it is reachable as
    a module global or a class attribute that a submission could patch. Installs the audit
    hook; call it after torch is imported and before any submission code runs."""
    import builtins
    import contextlib
    import math
    import types
    from operator import is_

    import numpy
    import torch
    import torch.nn
    import torch.nn.functional
    from PIL import Image

    handles = {}
    next_handle = [1]
    compiled = {}
    refused = []  # tampering refused by the audit hook since the last answer
    profile_hooks = {None}
    # What probes see: the modules and the real functions they observe with, captured now,
    # before the submission can patch torch or builtins.
    base = {"__name__": "grader_probe", "math": math, "numpy": numpy, "np": numpy, "torch": torch,
            "nn": torch.nn, "F": torch.nn.functional, "Image": Image, "contextlib": contextlib}
    real = {"Tensor": torch.Tensor, "detach": torch._C.TensorBase.detach,
            "as_subclass": torch._C.TensorBase.as_subclass,
            "untyped_storage": torch._C.TensorBase.untyped_storage,
            "storage_data_ptr": torch._C.StorageBase.data_ptr,
            "no_torch_function": torch._C.DisableTorchFunctionSubclass,
            "get_rng_state": torch.get_rng_state, "set_rng_state": torch.set_rng_state}
    real_builtins = dict(vars(builtins))
    # Probes see torch, numpy, nn, F and math as they are now: each probe gets fresh modules
    # that look names up in a read-only copy taken here, so a submission that replaces
    # torch.equal (say) changes its own torch only, and nothing reachable from a probe's
    # globals can change what the next probe sees.
    def module_view(module):
        name, names = module.__name__, types.MappingProxyType(dict(vars(module)))
        lazy = names.get("__getattr__")  # torch's and numpy's own, for submodules loaded later

        def lookup(attr):
            try:
                return names[attr]
            except KeyError:
                if lazy is not None:
                    return lazy(attr)
                raise AttributeError(f"module {name!r} has no attribute {attr!r}") from None
        return name, lookup

    views = [(key, module_view(base[key])) for key in ("torch", "np", "nn", "F", "math")]
    # A dict is unchanged when it holds the same keys and values, the very same objects in the
    # same order: compared by identity, in C (no __eq__ of the submission's runs).
    def fingerprint(mapping):
        return len(mapping), tuple(mapping), tuple(mapping.values())

    def unchanged(mapping, prints):
        size, keys, values = prints
        return len(mapping) == size and all(map(is_, keys, mapping)) and all(map(is_, values, mapping.values()))

    with open(os.path.join(HERE, "probe_prelude.py")) as fh:
        prelude = compile(fh.read(), "<probe prelude>", "exec")
    make_hook = make_monitor(submission)
    # Python audits no ordinary write to a class attribute: the classes a probe or the codec
    # observes with are compared with their state of now after each request, every change
    # undone and reported. So are builtins the submission replaced or deleted.
    # The codec's own helpers are watched the same way: the answer is packed with them.
    import json
    import json.encoder
    import struct
    watched = [(obj, dict(vars(obj)), fingerprint(vars(obj)))
               for obj in (torch.Tensor, torch.nn.Parameter, torch.nn.Module, Image.Image,
                           json, json.encoder, json.JSONEncoder, struct, codec)]
    watched_modules = {name: sys.modules[name] for name in ("torch", "numpy", "PIL.Image", "json", "json.encoder",
                                                         "struct") if name in sys.modules}
    live_builtins = vars(builtins)
    builtin_prints = fingerprint(real_builtins)
    missing = object()
    namespace_type, module_type = types.SimpleNamespace, types.ModuleType
    encode, decode, pack, read_frame = codec.encode, codec.decode, codec.pack, codec.read_frame
    handle_type, codec_error, max_bytes = codec.Handle, codec.CodecError, codec.MAX_MESSAGE_BYTES
    setprofile, getprofile, thread_setprofile = sys.setprofile, sys.getprofile, threading.setprofile
    spec_from_file, module_from_spec = importlib.util.spec_from_file_location, importlib.util.module_from_spec
    isfile, join = os.path.isfile, os.path.join
    modules = sys.modules
    flush, trim, write = flush_output, trim_traceback, write_all  # the module's globals can be replaced

    def undo_patches():
        for obj, saved, prints in watched:
            current = vars(obj)
            if unchanged(current, prints):
                continue
            changed = [k for k, v in saved.items() if current.get(k, missing) is not v]
            changed += [k for k in current if k not in saved]
            if changed:
                for name in changed:
                    try:
                        if name in saved:
                            setattr(obj, name, saved[name])
                        else:
                            delattr(obj, name)
                    except (AttributeError, TypeError):  # reported all the same
                        pass
                what = obj.__name__ if isinstance(obj, module_type) else f"{obj.__module__}.{obj.__qualname__}"
                refused.append(f"patching {what} ({', '.join(sorted(changed)[:4])})")
        for name, module in watched_modules.items():
            if modules.get(name) is not module:
                modules[name] = module
                refused.append(f"replacing sys.modules[{name!r}]")
        if unchanged(live_builtins, builtin_prints):
            return
        changed = [k for k, v in real_builtins.items() if live_builtins.get(k, missing) is not v]
        if changed:
            live_builtins.update({k: real_builtins[k] for k in changed})
            refused.append(f"replacing builtins ({', '.join(sorted(changed)[:4])})")

    def to_handle(obj):
        hid = next_handle[0]
        next_handle[0] += 1
        handles[hid] = obj
        return handle_type(hid, "", [], "")

    def from_handle(handle):
        if handle.id not in handles:
            raise KeyError(f"object {handle.id} no longer exists in the worker")
        return handles[handle.id]

    def shipped(source, name):
        # Compiled once; run each time in a fresh namespace, so that nothing a submission
        # does to one probe's globals reaches the next.
        code = compiled.get((source, name))
        if code is None:
            code = compiled[(source, name)] = compile(source, f"<probe {name}>", "exec")
        namespace = dict(base)
        for key, (module_name, lookup) in views:
            view = namespace[key] = module_type(module_name)
            view.__getattr__ = lookup
        namespace["numpy"] = namespace["np"]
        namespace["__builtins__"] = dict(real_builtins)
        namespace["_real"] = namespace_type(**real)
        exec(prelude, namespace)
        exec(code, namespace)
        return namespace[name]

    def module(name):
        found = modules.get(name)
        if found is not None and getattr(found, "__grader_student__", False) is True:
            return found
        path = join(submission, name + ".py")
        if not isfile(path):
            raise ModuleNotFoundError(f"the submission has no {name}.py")
        spec = spec_from_file(name, path)
        mod = module_from_spec(spec)
        mod.__grader_student__ = True
        modules[name] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            modules.pop(name, None)
            raise
        return mod

    class StudentModules:
        """What a probe receives as `student`: attribute access imports a submission module."""
        __slots__ = ()

        def __getattr__(self, name):
            return module(name)

    student = StudentModules()

    def value_of(tree, buffers):
        value, _ = decode(tree, buffers, from_handle, shipped, device_ok=lambda name: True)
        return value

    def run(request, buffers):
        op = request["op"]
        args = value_of(request.get("args", ["list", []]), buffers)
        kwargs = value_of(request.get("kwargs", ["dict", []]), buffers)
        if op == "import":
            module(request["module"])
            return None
        if op == "call":
            if "handle" in request:
                fn = handles[request["handle"]]
            else:
                target = request["target"]
                fn = getattr(module(target["module"]), target["name"])
            return fn(*args, **kwargs)
        if op == "probe":
            return shipped(request["source"], request["name"])(student, *args, **kwargs)
        obj = handles[request["handle"]]
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

    def serve(read_exact, respond):
        while True:
            try:
                header, buffers = read_frame(read_exact)
            except EOFError:
                return
            for hid in header.get("release", ()):
                handles.pop(hid, None)
            hits = []
            forbidden = header.get("forbidden") or []
            hook = make_hook(forbidden, hits) if forbidden else None
            tampered = False
            try:
                if hook is not None:
                    profile_hooks.add(hook)
                    thread_setprofile(hook)
                    setprofile(hook)
                try:
                    value = run(header, buffers)
                finally:
                    if hook is not None:
                        tampered = getprofile() is not hook
                        setprofile(None)
                        thread_setprofile(None)
                        profile_hooks.discard(hook)
                    undo_patches()  # before the answer is encoded with these classes
                reply = {"ok": True}
                tree, out_buffers = encode(value, to_handle)
                reply["value"] = tree
            except BaseException as exc:  # noqa: B902 - SystemExit too: it is the student's
                trim(exc)
                reply = {"ok": False}
                tree, out_buffers = encode(exc)
                reply["error"] = tree
            undo_patches()  # again: encoding ran the submission's __repr__ and __str__
            reply["forbidden"] = sorted(set(hits))
            reply["tampered"] = tampered
            reply["nonce"] = header.get("nonce")
            # What the audit hook refused since the last answer: this call's doing (or a
            # thread's the submission left running).
            reply["tampering"] = sorted(set(refused))[:8]
            refused.clear()
            try:
                frame = pack(reply, out_buffers)
                if len(frame) > max_bytes:
                    raise codec_error("the result is too large to send back")
            except Exception as exc:  # an unsendable result is the student's error
                reply = {"ok": False, "forbidden": reply["forbidden"], "tampered": tampered,
                         "tampering": reply["tampering"], "nonce": header.get("nonce")}
                tree, out_buffers = encode(RuntimeError(f"the result could not be sent: {exc}"))
                reply["error"] = tree
                frame = pack(reply, out_buffers)
            flush()  # what the call printed reaches the grader before its answer
            write(respond, frame)

    install_audit_hook(submission, refused, profile_hooks)
    return serve


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
    parser.add_argument("--template", type=int, metavar="CONTROL_FD",
                        help="be the worker template, served on this socket (see template.py)")
    parser.add_argument("--submission")
    parser.add_argument("--memory", type=int, default=2048)
    parser.add_argument("--cpu", type=int, default=300)
    parser.add_argument("--drop-user", action="store_true")
    parser.add_argument("--gpu", action="store_true")
    parser.add_argument("--fds")
    opts = parser.parse_args(argv)
    if opts.template is not None:
        return template_main(opts.template)
    codec = load_codec()  # a local: nothing of the codec is reachable from the worker's globals
    request_fd, respond = (int(x) for x in opts.fds.split(","))
    read = make_reader(request_fd)
    os.set_inheritable(request_fd, False)
    os.set_inheritable(respond, False)
    set_limits(opts.memory, opts.cpu, use_data_limit=opts.gpu)
    if opts.drop_user and (os.getuid() == 0 or os.geteuid() == 0):
        drop_privileges()  # before any submission code: root's files stay root's
    # torch's import allocates without making garbage: the collector's passes over it would
    # find nothing (0.1 s). It runs again, as usual, before any submission code does.
    gc.disable()
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
    ready = ready_facts()
    serve = build_worker(submission, codec)  # installs the audit hook: no submission code ran yet
    gc.freeze()  # what the worker built lives as long as it does: no collection scans it again
    gc.enable()
    write_all(respond, codec.pack(ready, []))
    serve(read, respond)


def ready_facts():
    """The worker's greeting: sent once torch is imported, before any submission code runs."""
    import torch
    return {
        "op": "ready",
        "pid": os.getpid(),
        "uid": os.getuid(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "cuda_available": bool(torch.cuda.is_available()),
        "gpu_count": int(torch.cuda.device_count()),
    }


def template_main(control_fd):
    """The worker template (see template.py): everything a worker imports and builds before
    the submission, done once; then one fork per submission. No submission code runs here, and
    CUDA is never initialised here (a forked child could not use it): the grader uses the
    template only without a GPU."""
    codec = load_codec()
    spec = importlib.util.spec_from_file_location("grader_template", os.path.join(HERE, "template.py"))
    template = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(template)
    os.set_inheritable(control_fd, False)
    import numpy  # noqa: F401
    import PIL.Image  # noqa: F401
    import torch
    torch.set_num_threads(1)
    try:
        skip_dynamo_in_optimizers()
    except Exception:  # noqa: BLE001 - only an optimisation
        pass
    sys.path.insert(0, template.SUBMISSION)
    sys.dont_write_bytecode = True
    serve = build_worker(template.SUBMISSION, codec)

    def worker_parts(opts):
        return {"set_limits": set_limits, "drop_privileges": drop_privileges,
                "check_no_capabilities": check_no_capabilities, "write_all": write_all,
                "make_reader": make_reader, "serve": serve}
    # Objects of now move to a generation the collector never scans: a forked worker's
    # collections would otherwise write to every page of the template's objects and copy them.
    import gc
    gc.collect()
    gc.freeze()
    # A fork is safe only from a process with one thread (torch's pools start on first use).
    greeting = {"op": "ready", "pid": os.getpid(), "threads": len(os.listdir("/proc/self/task"))}
    write_all(control_fd, codec.pack(greeting, []))
    template.serve_template(control_fd, codec, worker_parts, ready_facts)


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
