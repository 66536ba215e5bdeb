"""How the worker process is confined: bubblewrap, or the best fallback that works.

Levels, strongest first:
- ``bubblewrap``: own PID, network, IPC, UTS and mount namespaces; the
  submission read-only at /submission, a private /tmp and /dev/shm (memory-backed,
  so each is sized: TMPFS_BYTES), everything else read-only, the Python
  installation read-only, of /etc only what the loader and libc read (ETC_NEEDED,
  and a passwd/group naming root and nobody), nothing of the project, the hidden
  tests, the solutions or the report. Killing bwrap kills every process inside.
  Who the worker is on the host: started by root, bwrap makes no user namespace
  (in one, the sandbox's uid 65534 would be the host's uid 0) and keeps only
  CAP_SETUID/CAP_SETGID, which the worker spends at once dropping to uid/gid 65534,
  before any submission code; started by anyone else, a user namespace maps the
  sandbox's 65534 to that (unprivileged) user. A submission folder uid 65534 cannot
  read (pytest's and mkdtemp's folders are 0700) is staged into a readable copy
  first (`stage_submission`); it still appears at /submission.
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
import tempfile
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
NOBODY = 65534
# What of /etc the worker reads (the dynamic loader, libc's locale and time zone, the
# alternatives some libraries are linked through). The rest of /etc stays out: shadow, sudoers,
# ssh keys, machine-id, and configuration files that may hold tokens (pip.conf, gitconfig).
ETC_NEEDED = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime",
              "locale.alias", "nsswitch.conf")
# Stand-ins, so that getpwuid() and the like answer without the host's lists of users.
ETC_STAND_INS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "etc")
STAGE_MAX_BYTES = 512 << 20  # a submission folder larger than this is refused, not copied
STAGE_MAX_FILES = 20000


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


def as_root():
    return os.geteuid() == 0


def namespace_args():
    """bwrap's namespaces and capabilities. As root: no user namespace (inside one, bwrap maps
    the sandbox's uid to the real one, 0) and only the capabilities the worker needs to drop to
    65534 (bwrap run by root keeps them all otherwise); no_new_privs is set either way, so
    nothing executed later gains privileges back."""
    if as_root():
        return ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--cap-drop", "ALL",
                "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return ["--unshare-all", "--uid", str(NOBODY), "--gid", str(NOBODY)]


def open_folders(path, bound):
    """bwrap arguments making the folders above `path` (those no bind provides) mode 0755:
    bwrap run by root makes them 0700, which uid 65534 could not pass (/root/.pyenv/...)."""
    args, parent = [], os.path.dirname(path)
    while parent not in ("/", "") and not any(under(parent, b) for b in bound):
        args = ["--perms", "0755", "--dir", parent] + args
        parent = os.path.dirname(parent)
    return args


def launch_env():
    """The whole environment of the sandbox's first process (bwrap, or the worker itself at the
    weaker levels): never the grader's, which may hold tokens, and /proc/1/environ in the
    sandbox would show it."""
    return sandbox_env()


def bubblewrap_argv(submission, worker_args, hidden, tmpfs_bytes=TMPFS_BYTES):
    """The bwrap command. `hidden` lists trusted paths to mask if a bind would show them.

    The only writable places are /tmp and /dev/shm, each a tmpfs of `tmpfs_bytes` (where this
    bwrap can size one); the root, /dev and the masks are remounted read-only at the end.
    `submission` None: the worker template's sandbox (see `grader.sandbox.template`), with an
    empty /submission for each forked worker to mount its own over, and CAP_SYS_ADMIN, which
    the template's forks spend making each worker's namespaces before the worker drops it, and
    CAP_SETPCAP, with which the worker empties its capability bounding set first (as a fresh
    worker's holds nothing bwrap did not add)."""
    template = submission is None
    size = ["--size", str(tmpfs_bytes)] if bubblewrap_sizes_tmpfs() else []
    argv = [shutil.which("bwrap") or "bwrap", *namespace_args(), "--die-with-parent",
            "--new-session", "--hostname", "sandbox"]
    if template:
        argv += ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"]
    elif as_root():
        worker_args = [*worker_args, "--drop-user"]
    bound = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
            bound.append(top)
    argv += ["--perms", "0755", "--dir", "/etc"]
    for name in ETC_NEEDED:
        path = os.path.join("/etc", name)
        if os.path.exists(path):
            argv += ["--ro-bind", path, path]
    for name in sorted(os.listdir(ETC_STAND_INS)) if os.path.isdir(ETC_STAND_INS) else ():
        argv += ["--ro-bind", os.path.join(ETC_STAND_INS, name), os.path.join("/etc", name)]
    # Sticky and world-writable: the worker writes here as uid 65534 whoever owns the mount.
    argv += ["--dev", "/dev", "--perms", "1777", *size, "--tmpfs", "/dev/shm", "--proc", "/proc",
             "--perms", "1777", *size, "--tmpfs", "/tmp"]
    for root in python_roots():
        if not any(under(root, b) for b in bound):
            argv += [*open_folders(root, bound), "--ro-bind", root, root]
            bound.append(root)
    devices, folders = nvidia_paths()
    if devices:  # the CUDA driver reads PCI and NUMA facts from /sys
        argv += ["--ro-bind", "/sys", "/sys"]
    for dev in devices:
        argv += ["--dev-bind", dev, dev]
    for folder in folders:
        if not any(under(folder, b) for b in bound):
            argv += [*open_folders(folder, bound), "--ro-bind", folder, folder]
            bound.append(folder)
    # Later mounts hide earlier ones: mask trusted paths that a bind exposes.
    read_only = ["/dev", "/"]  # bwrap's own tmpfs for / and /dev would take files unbounded
    for path in hidden:
        if os.path.exists(path) and any(under(path, b) for b in bound):
            argv += ["--tmpfs", os.path.realpath(path)]
            read_only.append(os.path.realpath(path))
    if template:
        argv += ["--dir", SANDBOX_SUBMISSION]
    else:
        argv += ["--ro-bind", submission, SANDBOX_SUBMISSION]
    for path in hidden if not template else ():
        if os.path.exists(path) and under(path, submission) and os.path.realpath(path) != os.path.realpath(submission):
            rel = os.path.relpath(os.path.realpath(path), os.path.realpath(submission))
            argv += ["--tmpfs", os.path.join(SANDBOX_SUBMISSION, rel)]
            read_only.append(os.path.join(SANDBOX_SUBMISSION, rel))
    argv += open_folders(WORKER_DIR + "/worker.py", bound)
    for name in ("worker.py", "codec.py", "probe_prelude.py") + (("template.py",) if template else ()):
        argv += ["--ro-bind", os.path.join(WORKER_SOURCE_DIR, name), f"{WORKER_DIR}/{name}"]
    for path in read_only:  # after every mount that needs a folder made in them
        argv += ["--remount-ro", path]
    argv += ["--chdir", SANDBOX_SUBMISSION, "--clearenv"]
    for key, value in sandbox_env().items():
        argv += ["--setenv", key, value]
    argv += ["--", sys.executable, "-I", "-B", f"{WORKER_DIR}/worker.py",
             *(() if template else ("--submission", SANDBOX_SUBMISSION)), *worker_args]
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
    probe = [bwrap, *namespace_args(), "--die-with-parent",
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, timeout=20, env=launch_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed to start: {exc}"
    if result.returncode != 0:
        return False, "bwrap was refused: " + result.stderr.decode(errors="replace").strip()[:200]
    return True, ""


def plan(level, submission, worker_args, hidden, staged=None):
    """The command for `level`, or None (with the reason) where that level cannot work here.

    `staged`: a readable copy of the submission (see `stage_submission`), bound at /submission
    in its place; the worker's messages name /submission either way."""
    submission = os.path.realpath(submission)
    if level == "bubblewrap":
        ok, why = bubblewrap_works()
        if not ok:
            return None, why
        argv = bubblewrap_argv(staged or submission, worker_args, hidden)
        return Plan(level, argv, SANDBOX_SUBMISSION), ""
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


def needs_staging(submission):
    """Whether uid 65534, which a worker started by root runs as, cannot read the submission
    folder as bwrap shows it: the folder and what it holds (the folders above it are bwrap's)."""
    if not as_root():
        return False
    for folder, dirs, files in os.walk(submission):
        for path, need in [(folder, stat.S_IROTH | stat.S_IXOTH)] + [
                (os.path.join(folder, f), stat.S_IROTH) for f in files]:
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & need != need:
                return True
    return False


def submission_entries(submission, hidden=(), max_files=STAGE_MAX_FILES, max_bytes=STAGE_MAX_BYTES):
    """(source path, path relative to the submission, lstat) of the submission's folders, regular
    files and links, top down; links are not followed, anything else and the trusted `hidden`
    paths are left out. Raises ValueError past `max_files` entries or `max_bytes` of files."""
    submission = os.path.realpath(submission)
    hidden = [os.path.realpath(p) for p in hidden]
    hidden = [p for p in hidden if p != submission and under(p, submission)]  # masked inside
    total = count = 0
    for folder, dirs, files in os.walk(submission):  # links to folders are not descended
        rel_folder = os.path.relpath(folder, submission)
        descend = []
        for name in dirs + files:
            source = os.path.join(folder, name)
            if any(under(source, h) for h in hidden):
                continue
            count += 1
            if count > max_files:
                raise ValueError(f"the submission folder holds more than {max_files} files")
            st = os.lstat(source)
            if stat.S_ISDIR(st.st_mode):
                descend.append(name)
            elif stat.S_ISREG(st.st_mode):
                total += st.st_size
                if total > max_bytes:
                    raise ValueError(f"the submission folder holds more than {max_bytes >> 20} MiB")
            elif not stat.S_ISLNK(st.st_mode):
                continue
            yield source, os.path.normpath(os.path.join(rel_folder, name)), st
        dirs[:] = descend


def stage_submission(submission, hidden=()):
    """A copy of `submission` that uid 65534 can read, in a new folder (the caller removes it).

    Copies folders, regular files and links (as links, never followed: the copy runs with the
    grader's rights); skips anything else, and the trusted `hidden` paths. Raises ValueError for
    a folder over STAGE_MAX_BYTES or STAGE_MAX_FILES."""
    target = tempfile.mkdtemp(prefix="grader-submission-")
    os.chmod(target, 0o755)
    try:
        for source, rel, st in submission_entries(submission, hidden):
            dest = os.path.join(target, rel)
            if stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(source), dest)
            elif stat.S_ISDIR(st.st_mode):
                os.mkdir(dest)
                os.chmod(dest, 0o755)
            else:
                fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(fd, "rb") as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
                os.chmod(dest, 0o755 if st.st_mode & stat.S_IXUSR else 0o644)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target
