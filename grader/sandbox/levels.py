"""How the worker process is confined: bubblewrap, or the best fallback that works.

Levels, strongest first:
- ``bubblewrap``: own user, PID, network, IPC, UTS and mount namespaces; the
  submission read-only at /submission, a private /tmp and /dev/shm (memory-backed,
  so each is sized: TMPFS_BYTES), everything else read-only, the Python
  installation read-only, nothing of the project, the hidden tests, the solutions
  or the report. Killing bwrap kills every process inside.
- ``unprivileged-user``: no namespaces; the worker drops to uid/gid 65534
  (needs root, and a Python installation that user can read).
- ``process``: a separate process in its own session with resource limits.

All levels get the rlimits set by the worker itself, and the grader reaps any
process the worker leaves behind (see `grader.sandbox.reaper`).
"""

import functools
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass

LEVELS = ("bubblewrap", "unprivileged-user", "process")
WORKER_DIR = "/opt/grader-worker"
SANDBOX_SUBMISSION = "/submission"
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER_SOURCE_DIR = os.path.join(PACKAGE_DIR, "worker")  # the files the sandbox shows
PROJECT_DIR = os.path.dirname(PACKAGE_DIR)
# /tmp and /dev/shm in the sandbox live in memory: each holds at most this much, so files
# cannot take the machine's memory even where no cgroup counts them (a write past it: ENOSPC).
TMPFS_BYTES = 64 << 20


@dataclass
class Plan:
    level: str
    argv: list
    submission_path: str  # the submission's path as the worker sees it


def nvidia_paths():
    """Device files and driver folders a CUDA worker needs to see."""
    devices = sorted(
        os.path.join("/dev", name) for name in os.listdir("/dev")
        if name.startswith("nvidia")
    ) if os.path.isdir("/dev") else []
    folders = [p for p in ("/usr/local/nvidia", "/usr/local/cuda", "/run/nvidia-persistenced")
               if os.path.isdir(p)]
    return devices, folders


def python_roots():
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
             os.path.realpath(sys.exec_prefix)}
    # Package folders this interpreter reaches outside its prefixes (a .pth file naming another
    # environment's site-packages, as a venv made from inside a venv needs): the worker's
    # interpreter reads the same .pth files, so it must see them too. Only site-packages
    # folders: a project or a course on sys.path is never shown this way.
    roots |= {os.path.realpath(p) for p in sys.path
              if os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages") and os.path.isdir(p)}
    return sorted(roots)


def under(path, root):
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


def bubblewrap_argv(submission, worker_args, hidden, tmpfs_bytes=TMPFS_BYTES):
    """The bwrap command. `hidden` lists trusted paths to mask if a bind would show them.

    The only writable places are /tmp and /dev/shm, each a tmpfs of `tmpfs_bytes` (where this
    bwrap can size one); the root, /dev and the masks are remounted read-only at the end."""
    size = ["--size", str(tmpfs_bytes)] if bubblewrap_sizes_tmpfs() else []
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--uid", "65534", "--gid", "65534", "--hostname", "sandbox"]
    bound = []
    for top in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
            bound.append(top)
    argv += ["--dev", "/dev", *size, "--tmpfs", "/dev/shm", "--proc", "/proc", *size, "--tmpfs", "/tmp"]
    for root in python_roots():
        if not any(under(root, b) for b in bound):
            argv += ["--ro-bind", root, root]
            bound.append(root)
    devices, folders = nvidia_paths()
    if devices:  # the CUDA driver reads PCI and NUMA facts from /sys
        argv += ["--ro-bind", "/sys", "/sys"]
    for dev in devices:
        argv += ["--dev-bind", dev, dev]
    for folder in folders:
        if not any(under(folder, b) for b in bound):
            argv += ["--ro-bind", folder, folder]
            bound.append(folder)
    # Later mounts hide earlier ones: mask trusted paths that a bind exposes.
    read_only = ["/dev", "/"]  # bwrap's own tmpfs for / and /dev would take files unbounded
    for path in hidden:
        if os.path.exists(path) and any(under(path, b) for b in bound):
            argv += ["--tmpfs", os.path.realpath(path)]
            read_only.append(os.path.realpath(path))
    argv += ["--ro-bind", submission, SANDBOX_SUBMISSION]
    for path in hidden:
        if os.path.exists(path) and under(path, submission) and os.path.realpath(path) != os.path.realpath(submission):
            rel = os.path.relpath(os.path.realpath(path), os.path.realpath(submission))
            argv += ["--tmpfs", os.path.join(SANDBOX_SUBMISSION, rel)]
            read_only.append(os.path.join(SANDBOX_SUBMISSION, rel))
    for name in ("worker.py", "codec.py", "probe_prelude.py"):
        argv += ["--ro-bind", os.path.join(WORKER_SOURCE_DIR, name), f"{WORKER_DIR}/{name}"]
    for path in read_only:  # after every mount that needs a folder made in them
        argv += ["--remount-ro", path]
    argv += ["--chdir", SANDBOX_SUBMISSION, "--clearenv"]
    for key, value in sandbox_env().items():
        argv += ["--setenv", key, value]
    argv += ["--", sys.executable, "-I", "-B", f"{WORKER_DIR}/worker.py",
             "--submission", SANDBOX_SUBMISSION, *worker_args]
    return argv


def sandbox_env():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    for key in ("LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES",
                "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def readable_by_others(path):
    """Whether uid 65534 can reach `path`: every folder above it must be o+x."""
    path = os.path.realpath(path)
    while True:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return False
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


@functools.lru_cache(maxsize=None)
def bubblewrap_sizes_tmpfs():
    """Whether this bwrap has `--size` (0.7 and later); older ones mount tmpfs unsized."""
    try:
        result = subprocess.run(["bwrap", "--help"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"--size" in result.stdout + result.stderr


@functools.lru_cache(maxsize=None)
def bubblewrap_works():
    """Whether bwrap can make its namespaces here (asked once per process)."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False, "bwrap is not installed"
    probe = ["bwrap", "--unshare-all", "--die-with-parent", "--uid", "65534", "--gid", "65534",
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed to start: {exc}"
    if result.returncode != 0:
        return False, "bwrap was refused: " + result.stderr.decode(errors="replace").strip()[:200]
    return True, ""


def plan(level, submission, worker_args, hidden):
    """The command for `level`, or None (with the reason) where that level cannot work here."""
    submission = os.path.realpath(submission)
    if level == "bubblewrap":
        ok, why = bubblewrap_works()
        if not ok:
            return None, why
        return Plan(level, bubblewrap_argv(submission, worker_args, hidden), SANDBOX_SUBMISSION), ""
    base = [sys.executable, "-I", "-B", os.path.join(WORKER_SOURCE_DIR, "worker.py"),
            "--submission", submission, *worker_args]
    if level == "unprivileged-user":
        if os.getuid() != 0:
            return None, "not running as root, so there is no user to drop to"
        unreadable = [p for p in python_roots() + [submission] if not readable_by_others(p)]
        if unreadable:
            return None, f"uid 65534 cannot read {unreadable[0]}"
        return Plan(level, base + ["--drop-user"], submission), ""
    if level == "process":
        return Plan(level, base, submission), ""
    raise ValueError(f"unknown sandbox level {level!r}")
