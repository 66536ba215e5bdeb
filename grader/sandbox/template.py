"""The trusted side of the worker template: one per grading process of a batch.

A fresh worker imports torch for each submission (about 1.5 s of CPU). The template is a
bubblewrap sandbox whose process imports torch and the worker's code once and runs no
submission code; for each submission it forks a worker with that submission's files (see
`grader/worker/template.py` for what the fork does inside). Each forked worker has what a fresh
one has: its own cgroup (memory, CPU and pids, the same limits), its own /tmp, /dev/shm and
/submission, its own PID and IPC namespaces, the same rlimits and uid, and is killed with
everything it started before the next is forked.

Where the template cannot serve (no bubblewrap, a GPU, a submission too large to send, a
template that died), `TemplateUnusable` says why and the client starts a fresh worker; the
report names which kind graded (`environment.worker`). A template that stopped after it had
served (killed, crashed) is started again for the next fork, at most MAX_RESTARTS times per
grading process: whatever stops it (a submission included) cannot make the grader loop, and
then fresh workers grade the rest.
"""

import os
import select
import socket
import stat
import subprocess
import time

from ..worker import codec
from . import levels as sandbox
from . import reaper
from .cgroup import WorkerCgroup

MAX_FILES = 2000  # a submission larger than this is graded by a fresh worker, which binds it
MAX_BYTES = 16 << 20
START_TIMEOUT = 120.0
STEP_TIMEOUT = 30.0
MAX_RESTARTS = 3  # new templates per grading process after one stopped; then fresh workers


class TemplateUnusable(Exception):
    """The template cannot serve this submission (or any more): the message says why."""


class TemplateStopped(TemplateUnusable):
    """The template stopped (killed, crashed, stuck) and was closed; a new one may start."""


def unusable_reason(level, gpu):
    """Why a template cannot be used here, or None."""
    if level not in ("auto", "bubblewrap"):
        return f"the sandbox level is {level}; the template needs bubblewrap"
    if gpu:
        return "a GPU is present, and CUDA cannot be used in a process forked after torch is imported"
    ok, why = sandbox.bubblewrap_works()
    if not ok:
        return f"bubblewrap cannot be used here ({why})"
    return None


def ns_pid(pid):
    """The innermost PID namespace's number of host process `pid` (None if gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        pass
    return None


def submission_files(submission, hidden=()):
    """[(entry, bytes or None)] for the submission's folders, files and links, top down, as
    `levels.stage_submission` copies them. Raises TemplateUnusable past MAX_FILES or MAX_BYTES."""
    found = []
    try:
        for source, rel, st in sandbox.submission_entries(submission, hidden, MAX_FILES, MAX_BYTES):
            if stat.S_ISLNK(st.st_mode):
                found.append(({"path": rel, "kind": "link", "target": os.readlink(source)}, None))
            elif stat.S_ISDIR(st.st_mode):
                found.append(({"path": rel, "kind": "dir"}, None))
            else:
                fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)  # read with the grader's rights
                with os.fdopen(fd, "rb") as fh:
                    data = fh.read()
                found.append(({"path": rel, "kind": "file", "executable": bool(st.st_mode & stat.S_IXUSR)}, data))
    except ValueError as exc:
        raise TemplateUnusable(str(exc)) from None
    return found


class TemplateChild:
    """A worker forked by the template, as the client sees a process: `pid` is the host pid
    of its stage process (everything of the submission runs below it); `wait` returns the
    worker's exit code once the template has reaped it. `lost`: the template stopped (or was
    closed) while this worker ran, taking the worker with it: its end is the grader's doing,
    not the submission's."""

    def __init__(self, template, pid):
        self.template = template
        self.pid = pid
        self.returncode = None
        self.lost = False

    def poll(self):
        if self.returncode is None and self.template.child is self:
            self.template.collect(0)
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None and self.template.child is self:  # not one of a stopped template
            self.template.collect(STEP_TIMEOUT if timeout is None else timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired("worker", timeout)
        return self.returncode


class WorkerTemplate:
    """Starts the template sandbox on first use; `fork` gives each submission its worker."""

    def __init__(self, hidden, memory_mib, cpus, level="auto", gpu=False):
        self.hidden = list(hidden)
        self.memory_mib = memory_mib
        self.cpus = cpus
        # Why no template can serve in this grading process (None while one can): a reason a
        # restart cannot change (no bubblewrap, a GPU, a template that never greeted), or the
        # last stop once MAX_RESTARTS new templates have been started.
        self.broken = unusable_reason(level, gpu)
        self.stopped = None  # why the last template stopped, until a new one is launched
        self.restarts = 0
        self.proc = None
        self.control = None
        self.group = None
        self.host_pid = None
        self.child = None
        self.output = None
        self.pending = b""
        self.charged = None

    # ------------------------------------------------------------ the template itself
    def launch(self):
        """Start the template sandbox, without waiting for it (it imports torch meanwhile)."""
        if self.broken or self.proc is not None:
            return
        if self.stopped is not None:  # fail() allows this only while restarts are left
            self.restarts += 1
            self.stopped = None
        from .client import LIVE_WORKERS, PIDS_LIMIT, OutputBuffer
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        argv = sandbox.bubblewrap_argv(None, ["--template", str(theirs.fileno())], self.hidden)
        # The template's own budget, as a fresh worker's: its forks leave it for their own.
        self.group = WorkerCgroup.make(PIDS_LIMIT, self.memory_mib << 20, self.cpus)
        if self.group is not None:
            argv = self.group.wrap(argv)
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                                         pass_fds=(theirs.fileno(),), start_new_session=True,
                                         close_fds=True, env=sandbox.launch_env(), cwd="/")
        except OSError as exc:
            ours.close()
            os.close(out_r)
            self.broken = f"the template sandbox did not start ({exc})"
            return
        finally:
            theirs.close()
            os.close(out_w)
        LIVE_WORKERS.add(self.proc.pid)
        self.control = ours
        self.output = OutputBuffer(out_r)

    def start(self):
        """Launch the template if need be and wait for its greeting."""
        self.launch()
        if self.broken:
            raise TemplateUnusable(self.broken)
        if self.host_pid is not None:
            return
        # A template that never greeted is not started again: the next would fail alike.
        greeting = self.read(START_TIMEOUT, "its greeting", restart=False)
        if greeting.get("op") != "ready":
            self.fail("the template sent an unexpected greeting")
        if greeting.get("threads") != 1:
            self.fail(f"the template runs {greeting.get('threads')} threads after importing torch, "
                      "so forking it is not safe")
        self.host_pid = self.find(self.proc.pid, greeting.get("pid"))
        if self.host_pid is None:
            self.fail("the template's process could not be found")
        # What a fresh worker's budget pays before any submission code: torch and the worker.
        self.charged = self.group.memory_usage() if self.group is not None else None

    def settle(self, group):
        """Once a forked worker has greeted: make its memory limit what a fresh worker has left.

        A forked worker's group is charged only for the pages it writes, not for torch's, which
        it shares with the template; a fresh worker's pays for its own import. The limit becomes
        --memory less the template's charge, plus what the forked worker had copied by then."""
        if group is None or self.charged is None or "memory" not in group.limited:
            return
        used = group.memory_usage()
        if used is None:
            return
        limit = (self.memory_mib << 20) - self.charged + used
        if limit < (self.memory_mib << 20):
            group.lower_memory(max(limit, used + (16 << 20)))

    def find(self, ancestor, inner_pid):
        """The host pid of the descendant of `ancestor` whose namespace pid is `inner_pid`."""
        for pid in reaper.descendants(ancestor):
            if ns_pid(pid) == inner_pid:
                return pid
        return None

    def fail(self, why, restart=False):
        """Close the template and raise. `restart`: it stopped after it had served, so a new one
        may serve the next fork (TemplateStopped) while restarts are left; otherwise, and once
        they are used up, no template serves this grading process again (TemplateUnusable)."""
        text = self.output.take().strip()[-300:] if self.output is not None else ""
        self.close()
        why = why + (f": {text}" if text else "")
        if restart and self.restarts < MAX_RESTARTS:
            self.stopped = why
            raise TemplateStopped(why)
        if restart:
            times = f"{self.restarts} time" + ("s" if self.restarts != 1 else "")
            why += f"; it had been started again {times} in this grading process, so fresh workers grade the rest"
        self.broken = why
        raise TemplateUnusable(why)

    def alive(self):
        """Whether the template still runs and its end of the control socket is open."""
        if self.proc is None or self.proc.poll() is not None:
            return False
        try:
            if select.select([self.control], [], [], 0)[0]:  # readable between forks: its end?
                return self.control.recv(1, socket.MSG_PEEK) != b""
        except OSError:
            return False
        return True

    def read(self, timeout, what, restart=True, wait_only=False):
        """One frame from the control socket (`restart`: see fail). `wait_only`: a frame not
        (wholly) there within `timeout` is no failure: None, and what came is kept for later."""
        deadline = time.monotonic() + timeout
        got = bytearray(self.pending)  # everything since the frame began, until it is whole
        taken = 0

        def read_exact(n):
            nonlocal taken
            while len(got) - taken < n:
                left = max(0.0, deadline - time.monotonic())  # 0: only what is there already
                if not select.select([self.control], [], [], left)[0]:
                    raise TimeoutError
                chunk = self.control.recv(1 << 16)
                if not chunk:
                    raise EOFError
                got.extend(chunk)
            taken += n
            return bytes(got[taken - n:taken])
        try:
            header, _ = codec.read_frame(read_exact)
        except TimeoutError:
            self.pending = bytes(got)
            if wait_only:
                return None
            self.fail(f"the template did not send {what} within {timeout:g} s", restart)
        except (EOFError, OSError, codec.CodecError):
            self.fail(f"the template stopped while sending {what}", restart)
        self.pending = bytes(got[taken:])
        return header

    def collect(self, timeout):
        """Wait up to `timeout` s for the template to report that the current child ended. Not
        within it is no failure (a large process tree can take a while to end); fork() waits
        longer before it calls the template stuck."""
        child = self.child
        if child is None or child.returncode is not None or self.control is None:
            return
        if timeout <= 0 and not self.pending and not select.select([self.control], [], [], 0)[0]:
            return
        try:
            message = self.read(max(timeout, 0), "the end of a worker", wait_only=True)
        except TemplateUnusable:
            return
        if message is not None and message.get("op") == "exited":
            child.returncode = message.get("status")
            self.child = None

    def close(self):
        from .client import LIVE_WORKERS
        if self.proc is not None:
            reaper.kill_tree(self.proc.pid, also=self.group.members() if self.group else ())
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            LIVE_WORKERS.discard(self.proc.pid)
            self.proc = None
        self.host_pid = None
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.group is not None:
            self.group.remove()
            self.group = None
        if self.child is not None:
            self.child.lost = True
        self.child = None

    # ------------------------------------------------------------ one worker per submission
    def fork(self, submission, memory_mib, cpu_seconds):
        """A worker for `submission`: (TemplateChild, request fd, reply fd, output buffer, cgroup).

        Raises TemplateUnusable (the caller then starts a fresh worker) where it cannot. A
        template found stopped is started again (while restarts are left), and a template that
        stops while forking, before any code of this submission ran, gets one more try."""
        try:
            entries = submission_files(submission, self.hidden)  # before anything starts
        except OSError as exc:
            raise TemplateUnusable(f"the submission could not be read to send it ({exc})") from None
        if self.child is not None:  # the last worker must be gone before the next is forked
            self.collect(STEP_TIMEOUT)
            if self.child is not None:
                self.fail("a worker of the template did not end", restart=True)
        try:
            return self.fork_once(entries, memory_mib, cpu_seconds)
        except TemplateStopped:
            return self.fork_once(entries, memory_mib, cpu_seconds)

    def fork_once(self, entries, memory_mib, cpu_seconds):
        from .client import PIDS_LIMIT, OutputBuffer, call_pipe
        self.start()  # a new template where the last one stopped
        if not self.alive():  # stopped since its last worker ended (killed, crashed)
            code = self.proc.poll() if self.proc is not None else None
            self.fail("the template stopped between two submissions"
                      + (f" (exit status {code})" if code is not None else ""), restart=True)
        files, buffers = [], []
        for entry, data in entries:
            entry = dict(entry)
            if data is not None:
                entry["buffer"] = len(buffers)
                buffers.append(data)
            files.append(entry)
        header = {"op": "fork", "files": files, "worker": {"memory": memory_mib, "cpu": cpu_seconds}}
        group = WorkerCgroup.make(PIDS_LIMIT, memory_mib << 20, self.cpus)
        req_r, req_w = call_pipe()
        res_r, res_w = call_pipe()
        out_r, out_w = os.pipe()
        try:
            try:
                socket.send_fds(self.control, [b"F"], [req_r, res_w, out_w])
                self.control.sendall(codec.pack(header, buffers))
            except OSError as exc:
                self.fail(f"the template stopped taking requests ({exc})", restart=True)
            finally:
                for fd in (req_r, res_w, out_w):
                    os.close(fd)
            output = OutputBuffer(out_r)
            out_r = None
            forked = self.read(STEP_TIMEOUT, "the forked worker's number")
            if forked.get("op") != "forked":
                self.fail(f"the template refused to fork ({forked.get('why', forked.get('op'))})")
            pid = self.find(self.host_pid, forked.get("pid"))
            child = self.child = TemplateChild(self, pid)
            if pid is None or not self.wait_byte(res_r, b"S"):
                detail = output.take().strip()[-300:]
                self.kill_child(child, group)
                # A template still running cannot make the namespaces (a restart would not
                # either); one that stopped meanwhile took its fork with it.
                self.fail("the forked worker could not make its namespaces"
                          + (f" ({detail})" if detail else ""), restart=not self.alive())
            try:
                if group is not None:
                    group.add(pid)
                os.write(req_w, b"G")
            except OSError as exc:  # the stage is gone or could not be moved: this one goes fresh
                self.kill_child(child, group)
                raise TemplateUnusable(f"the forked worker could not be given its cgroup ({exc})") from None
        except BaseException:
            for fd in (req_w, res_r) + ((out_r,) if out_r is not None else ()):
                try:
                    os.close(fd)
                except OSError:
                    pass
            if group is not None:
                group.remove()
            raise
        return child, req_w, res_r, output, group

    def wait_byte(self, fd, expected):
        ready, _, _ = select.select([fd], [], [], STEP_TIMEOUT)
        return bool(ready) and os.read(fd, 1) == expected

    def kill_child(self, child, group=None):
        if child.pid is not None:
            reaper.kill_tree(child.pid, also=group.members() if group else ())
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            pass
