"""The worker template: torch imported once, one confined worker forked per submission.

Runs inside the sandbox (`worker.py --template`), started by `grader.sandbox.template`. It
imports numpy, PIL, torch and the worker's own code, builds the worker's request loop and then
runs no submission code at all: it waits on its control socket. For each submission the grader
sends the three pipe ends the new worker talks through (SCM_RIGHTS) and the submission's files,
and the template forks:

    template ── stage (mount, IPC and PID namespaces of its own: a fresh /tmp, /dev/shm and
                │      /submission holding the files; waits until the grader has moved it
                │      into the submission's cgroup)
                └─ init (pid 1 of the new PID namespace: a new /proc; reaps orphans)
                     └─ worker (pid 2: rlimits, an empty capability bounding set, drops to
                                uid 65534 or clears its capabilities, serves the grader's calls)

When the worker ends, init ends and the kernel kills whatever else the submission started in
the namespace; the template reports the stage's exit status and only then takes the next
request, so that no process of one student is alive when the next one's worker is forked.
Nothing here is a module global the worker's code depends on: this file is loaded like the
codec, outside sys.modules.
"""

import ctypes
import os
import random
import socket
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_REC, MS_PRIVATE = 32, 16384, 1 << 18
TMPFS_BYTES = 64 << 20  # as bwrap's --size for a fresh worker's /tmp and /dev/shm
SUBMISSION = "/submission"


class Kernel:
    """The few system calls Python 3.11's os module lacks, through libc."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)

    def check(self, result, what):
        if result != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{what}: {os.strerror(err)}")

    def unshare(self, flags):
        self.check(self.libc.unshare(flags), "unshare")

    def mount(self, source, target, fstype, flags, data=None):
        self.check(self.libc.mount(source and source.encode(), target.encode(),
                                   fstype and fstype.encode(), ctypes.c_ulong(flags),
                                   data and data.encode()), f"mount {target}")

    def empty_bounding_set(self):
        """Drop every capability from the bounding set (needs CAP_SETPCAP, which the template's
        sandbox adds), so that nothing executed later could gain one back."""
        pr_capbset_read, pr_capbset_drop = 23, 24
        cap = 0
        while self.libc.prctl(pr_capbset_read, cap, 0, 0, 0) >= 0:  # -1 (EINVAL) past the last
            self.check(self.libc.prctl(pr_capbset_drop, cap, 0, 0, 0), f"dropping capability {cap}")
            cap += 1
        if cap == 0:
            raise OSError("the capability bounding set could not be read")

    def drop_capabilities(self):
        """Clear every capability (a user namespace's: setuid to the same uid keeps them)."""
        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

        class Data(ctypes.Structure):
            _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                        ("inheritable", ctypes.c_uint32)]
        pr_cap_ambient, clear_all = 47, 4
        self.libc.prctl(pr_cap_ambient, clear_all, 0, 0, 0)
        header, data = Header(0x20080522, 0), (Data * 2)()
        self.check(self.libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")


def serve_template(control_fd, codec, worker_parts, ready_facts):
    """Answer fork requests until the grader closes the control socket.

    `worker_parts(opts)` returns what the worker process needs after the fork (see
    `worker.template_main`); `ready_facts()` the worker's greeting."""
    sock = socket.socket(fileno=control_fd)
    kernel = Kernel()

    def read_exact(n):
        got = bytearray()
        while len(got) < n:
            chunk = sock.recv(min(n - len(got), 1 << 20))
            if not chunk:
                raise EOFError
            got += chunk
        return bytes(got)

    def send(header):
        sock.sendall(codec.pack(header, []))

    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1, 3)
        except OSError:
            return
        if not data:
            return  # the grader is gone
        try:
            header, buffers = codec.read_frame(read_exact)
        except (EOFError, OSError):
            return
        if len(fds) != 3 or header.get("op") != "fork":
            for fd in fds:
                os.close(fd)
            send({"op": "refused", "why": "a fork request needs three descriptors"})
            continue
        pid = fork_running(fds[2], stage, sock, kernel, header, buffers, fds, worker_parts, ready_facts,
                           codec)
        for fd in fds:
            os.close(fd)
        del buffers
        send({"op": "forked", "pid": pid})
        _, status = os.waitpid(pid, 0)
        send({"op": "exited", "pid": pid, "status": os.waitstatus_to_exitcode(status)})


def fork_running(errors_fd, step, *args):
    """Fork a child that runs step(*args) and exits with what it returns; the parent gets its pid.
    No submission code runs in a step before the worker's own loop: what goes wrong is written
    to `errors_fd` (the grader reads it with the worker's output) and exits with 70."""
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            code = step(*args)
        except BaseException as exc:  # noqa: B902 - SystemExit too: say why and end this process only
            try:
                os.write(errors_fd, f"worker template: {step.__name__} failed: {exc!r}\n".encode())
            except OSError:
                pass
        finally:
            os._exit(code)
    return pid


def stage(sock, kernel, header, buffers, fds, worker_parts, ready_facts, codec):
    """The stage process: a namespace of its own holding the submission; returns the worker's
    exit code (a signal n as 128 + n, as bwrap reports it)."""
    sock.close()
    request_fd, respond_fd, output_fd = fds
    kernel.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID)
    kernel.mount(None, "/", None, MS_REC | MS_PRIVATE)
    for folder in ("/tmp", "/dev/shm"):
        kernel.mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV,
                     f"size={TMPFS_BYTES},mode=1777")
    files = header["files"]
    size = sum(len(b) for b in buffers) + (len(files) + 16) * 4096
    kernel.mount("tmpfs", SUBMISSION, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=0755")
    write_files(files, buffers)
    kernel.mount(None, SUBMISSION, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    # Staged: the grader now moves this process into the submission's cgroup (the files above
    # stay charged to the template's), and says so with one byte.
    os.write(respond_fd, b"S")
    if os.read(request_fd, 1) != b"G":
        return 71
    init = fork_running(output_fd, run_init, kernel, header, fds, worker_parts, ready_facts, codec)
    for fd in fds:
        os.close(fd)
    _, status = os.waitpid(init, 0)
    return exit_code(status)


def exit_code(status):
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def write_files(files, buffers):
    """The submission's folders, files and links under /submission, as the grader listed them."""
    for entry in files:
        path = os.path.join(SUBMISSION, entry["path"])
        if entry["kind"] == "dir":
            os.mkdir(path, 0o755)
            os.chmod(path, 0o755)
        elif entry["kind"] == "link":
            os.symlink(entry["target"], path)
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as out:
                out.write(buffers[entry["buffer"]])
            os.chmod(path, 0o755 if entry.get("executable") else 0o644)


def run_init(kernel, header, fds, worker_parts, ready_facts, codec):
    """Pid 1 of the submission's namespace: its /proc, the worker as pid 2, orphans reaped."""
    kernel.mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    worker = fork_running(fds[2], run_worker, kernel, header, fds, worker_parts, ready_facts, codec)
    for fd in fds:
        os.close(fd)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 70
        if pid == worker:
            return exit_code(status)


def run_worker(kernel, header, fds, worker_parts, ready_facts, codec):
    request_fd, respond_fd, output_fd = fds
    opts = header["worker"]
    parts = worker_parts(opts)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    keep = {0, 1, 2, request_fd, respond_fd}
    for name in os.listdir("/proc/self/fd"):
        if int(name) not in keep:
            try:
                os.close(int(name))
            except OSError:
                pass
    os.chdir(SUBMISSION)
    parts["set_limits"](opts["memory"], opts["cpu"])
    kernel.empty_bounding_set()
    if os.getuid() == 0 or os.geteuid() == 0:
        parts["drop_privileges"]()
    else:
        kernel.drop_capabilities()
        parts["check_no_capabilities"]()
    # A fresh process draws these from the OS; a forked one would share the template's.
    random.seed()
    sys.modules["numpy"].random.seed()
    sys.modules["torch"].seed()
    parts["write_all"](respond_fd, codec.pack(ready_facts(), []))
    parts["serve"](parts["make_reader"](request_fd), respond_fd)
    return 0
