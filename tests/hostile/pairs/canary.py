"""The second student of every pair: the reference tensor_numpy plus this check, at import and
in every to_numpy call. Graded alone it scores full marks; graded right after a student who
left something behind, it must score the same: anything it sees of the first raises."""
import builtins as _builtins
import os as _os
import socket as _socket
import sys as _sys
import threading as _threading

import numpy as _np
import torch as _torch

LEAK_PORT = 47123


def _leaks():
    found = []
    if any(hasattr(m, "LEAKED") for m in (_builtins, _torch, _np, _os)):
        found.append("module globals")
    if "leaked_module" in _sys.modules or getattr(_sys.modules.get("json"), "LEAKED", False):
        found.append("sys.modules")
    if getattr(_np.sum, "leaked", False) or getattr(_torch.sum, "leaked", False):
        found.append("a patched library")
    if _torch.initial_seed() == 1234:
        found.append("the torch seed")
    if _torch.get_default_dtype() != _torch.float32:
        found.append("the default dtype")
    if _torch.get_num_threads() != 1:
        found.append("torch's thread count")
    if not _torch.is_grad_enabled():
        found.append("grad mode")
    if "LEAKED" in _os.environ:
        found.append("an environment variable")
    for folder in ("/tmp", "/dev/shm"):
        if any("leak" in name for name in _os.listdir(folder)):
            found.append(f"a file in {folder}")
    if any(t.name.startswith("leak") for t in _threading.enumerate()):
        found.append("a thread")
    for pid in (p for p in _os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if b"leak-marker" in fh.read():
                    found.append("a process")
        except OSError:
            pass
    for fd in _os.listdir("/proc/self/fd"):
        try:
            if "leak" in _os.readlink(f"/proc/self/fd/{fd}"):
                found.append("an open descriptor")
        except OSError:
            pass
    try:
        with open("/proc/sysvipc/shm") as fh:
            if any(line.split()[0] == "1280655" for line in fh.read().splitlines()[1:]):
                found.append("a SysV shared memory segment")
    except OSError:
        pass
    for family, address in ((_socket.AF_UNIX, "\0grader-leak"), (_socket.AF_INET, ("127.0.0.1", LEAK_PORT))):
        sock = _socket.socket(family, _socket.SOCK_STREAM)
        sock.settimeout(0.2)
        try:
            sock.connect(address)
            found.append("a listening socket")
        except OSError:
            pass
        finally:
            sock.close()
    return found


def _check():
    found = _leaks()
    if found:
        raise RuntimeError("left behind by another student: " + ", ".join(sorted(set(found))))


_check()
_honest_to_numpy = to_numpy  # noqa: F821 - the reference's, above this part


def to_numpy(t):
    _check()
    return _honest_to_numpy(t)
