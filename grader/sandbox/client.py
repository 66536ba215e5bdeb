"""The trusted side's end of the worker: start it, send calls, time them out, restart it.

Every answer is decoded by `grader.worker.codec` (an allowlist, never pickle). Anything
that goes wrong in the worker becomes one of the exceptions below, which the
pytest plugin maps to the report's statuses.
"""

import fcntl
import os
import secrets
import select
import shutil
import subprocess
import threading
import time
import weakref

from .. import safe_text
from ..worker import codec
from . import levels as sandbox
from . import reaper
from .cgroup import WorkerCgroup

OUTPUT_LIMIT = 64 << 10
EXCEPTION_TEXT_LIMIT = 64 << 10  # characters of a student's exception message or traceback kept
PIDS_LIMIT = 256  # processes and threads of one worker, where a cgroup can hold them
STARTUP_TIMEOUT = 120.0
# Top-level pids of every worker of this process still alive: a client that cleans up after its
# own submission must spare the worker already starting for the next one.
LIVE_WORKERS = set()


class StudentFailure(Exception):
    """Base of everything the student's side can do wrong; `status` is the report's."""

    status = "error"


class StudentError(StudentFailure):
    """The student's code raised."""

    def __init__(self, message, remote=None):
        super().__init__(message)
        self.remote = remote

    def is_a(self, name):
        """Whether the remote exception is (a subclass of) builtins.`name` or a full dotted name."""
        if self.remote is None:
            return False
        full = name if "." in name else f"builtins.{name}"
        return full in self.remote.mro


class StudentNotImplemented(StudentError):
    status = "not_implemented"


class StudentTimeout(StudentFailure):
    status = "timeout"


class BudgetSpent(StudentTimeout):
    """The submission's whole time budget (--total-timeout) ran out before or during a call."""


class StudentCrash(StudentFailure):
    status = "crashed"


class StudentForbidden(StudentFailure):
    status = "forbidden"


class ModuleUnavailable(StudentFailure):
    """The module is missing or could not be imported; `exercise_status` says which."""

    def __init__(self, message, status, exercise_status):
        super().__init__(message)
        self.status = status
        self.exercise_status = exercise_status


# Nearly every call of the course fits (30 of 441 are over 64 KiB, 3 over 256 KiB). Not more:
# an unprivileged user's pipes share one budget (fs.pipe-user-pages-soft, 64 MiB by default),
# past which the kernel gives that user's new pipes a single page, the grader's and others'.
PIPE_BYTES = 256 << 10


def call_pipe():
    """A pipe for requests or answers, widened from 64 KiB to PIPE_BYTES where the kernel
    allows: a call's images and tensors then go through in one write instead of several turns
    of writer and reader."""
    read_end, write_end = os.pipe()
    try:
        fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:  # refused (a user past its pipe budget, a lower pipe-max-size): 64 KiB works too
        pass
    return read_end, write_end


class GraderError(Exception):
    """The grader itself could not work (not the student's fault): exit status 2."""


class GraderLost(GraderError):
    """The grader lost the worker for a reason of its own (its template stopped): the grading
    as a whole is the grader's failure (WorkerClient.grader_failure holds it)."""


class OutputBuffer:
    """Drains a worker's stdout/stderr so it never blocks; keeps the first 64 KiB.

    Every read of the pipe happens under the lock, by the draining thread or by take(): a
    chunk is never read but not yet kept, so take() after an answer holds all the call
    printed (the worker flushes before it answers)."""

    def __init__(self, fd):
        self.fd = fd
        self.lock = threading.Lock()
        self.data = bytearray()
        self.dropped = 0
        self.thread = threading.Thread(target=self.drain, daemon=True)
        self.thread.start()

    def drain(self):
        while True:
            try:
                select.select([self.fd], [], [])  # without the lock: take() may read meanwhile
            except (OSError, ValueError):
                break
            with self.lock:
                if self.read_ready() is False:  # the end of the pipe: nothing more will come
                    break
        with self.lock:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = None

    def read_ready(self, chunks=64):
        """With the lock held: keep what the pipe holds now, at most `chunks` reads of it (a
        submission that never stops printing cannot hold the lock). False at its end (or once
        closed)."""
        for _ in range(chunks):
            if self.fd is None:
                return False
            try:
                if not select.select([self.fd], [], [], 0)[0]:
                    return True
                chunk = os.read(self.fd, 1 << 16)
            except (OSError, ValueError):
                return False
            if not chunk:
                return False
            room = OUTPUT_LIMIT - len(self.data)
            self.data += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
        return True

    def take(self):
        with self.lock:
            self.read_ready()
            text = safe_text.clean(self.data.decode(errors="replace"))
            if self.dropped:
                text += f"\n[... {self.dropped} more bytes of output not kept]"
            self.data = bytearray()
            self.dropped = 0
            return text


class FactTable:
    """Worker-measured facts about decoded arrays, keyed by identity (tensors' == is elementwise)."""

    def __init__(self):
        self.table = {}

    def __setitem__(self, obj, facts):
        key = id(obj)
        try:
            ref = weakref.ref(obj, lambda _, key=key: self.table.pop(key, None))
        except TypeError:
            return
        self.table[key] = (ref, facts)

    def get(self, obj, default=None):
        entry = self.table.get(id(obj))
        if entry is None or entry[0]() is not obj:
            return default
        return entry[1]

    def __getitem__(self, obj):
        found = self.get(obj)
        if found is None:
            raise KeyError("no facts recorded for this object")
        return found


class Remote:
    """An object that lives in the worker. Attribute access, calls, len, indexing and
    iteration go over the pipe; results come back as data or as further Remotes."""

    __slots__ = ("_client", "_id", "_generation", "_type", "_mro", "_text", "_label", "__weakref__")

    def __init__(self, client, handle, generation):
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_id", handle.id)
        object.__setattr__(self, "_generation", generation)
        object.__setattr__(self, "_type", handle.type_name)
        object.__setattr__(self, "_mro", handle.mro)
        object.__setattr__(self, "_text", handle.text)
        object.__setattr__(self, "_label", "")

    @property
    def remote_type(self):
        """Dotted name of the object's type in the worker, e.g. 'torch.nn.modules.linear.Linear'."""
        return self._type

    def remote_isinstance(self, dotted):
        """isinstance by name: 'torch.nn.Module' matches torch.nn.modules.module.Module."""
        head, short = dotted.split(".")[0], dotted.rsplit(".", 1)[-1]
        for name in self._mro:
            if name == dotted or (name.rsplit(".", 1)[-1] == short
                                  and ("." not in dotted or name.split(".")[0] == head)):
                return True
        return False

    def _request(self, op, what, **fields):
        return self._client.request(op, what, handle=self, **fields)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._request("getattr", f"{self._describe()}.{name}", name=name)

    def __setattr__(self, name, value):
        raise AttributeError("objects in the worker are read through calls, not assignment")

    def __call__(self, *args, **kwargs):
        return self._request("call", self._describe() + "(...)", args=list(args), kwargs=kwargs)

    def __len__(self):
        return self._request("len", f"len({self._describe()})")

    def __getitem__(self, key):
        return self._request("getitem", f"{self._describe()}[{key!r}]", args=[key])

    def __iter__(self):
        it = self._request("iter", f"iter({self._describe()})")
        while True:
            kind, item = it._request("next", f"next(iter({self._describe()}))")
            if kind == "stop":
                return
            yield item

    def collect(self):
        """list(self), in one round trip."""
        return self._request("collect", f"list({self._describe()})")

    def __bool__(self):
        return True

    def __hash__(self):
        return hash((id(self._client), self._id))

    def __eq__(self, other):
        return isinstance(other, Remote) and other._id == self._id and other._client is self._client

    def _describe(self):
        return self._label or self._type.rsplit(".", 1)[-1] or "object"

    def __repr__(self):
        return f"<in the worker: {self._text or self._type}>"


class WorkerClient:
    """One worker for one submission, restarted after a crash or a timeout."""

    def __init__(self, submission, timeout=5.0, memory_mib=2048, level="auto", hidden=(),
                 gpu=False, cpus=1.0, total_timeout=None, template=None):
        self.submission = os.path.realpath(submission)
        # A grading process's worker template (grader.sandbox.template), or None: each start
        # then forks from it instead of starting a fresh worker that imports torch.
        self.template = template
        self.worker_kind = None  # "template" or "fresh", once started
        self.template_note = None  # why a fresh worker graded where a template was offered
        self.timeout = timeout
        # Seconds all the submission's calls may take together (None: no bound); the clock
        # starts at begin_budget(), when grading starts.
        self.total_timeout = total_timeout
        self.deadline = None
        self.budget_spent = False
        self.memory_mib = memory_mib  # each process (rlimit) and, where a cgroup holds, all together
        self.cpus = cpus  # cores the whole sandbox may use, where a cgroup holds
        if level != "auto" and level not in sandbox.LEVELS:
            raise GraderError(f"unknown sandbox level {level!r}")
        self.allowed_levels = list(sandbox.LEVELS) if level == "auto" else [level]
        self.worker_submission = self.submission
        self.hidden = list(hidden)
        self.gpu = gpu
        self.proc = None
        self.output = None
        self.generation = 0
        self.level = None
        self.level_notes = []
        self.info = {}
        self.facts = FactTable()
        self.released = []
        self.pending = None  # a start under way (see start_async)
        self.current_forbidden = []  # set by the `student` fixture for the test in progress
        self.group = None  # the running worker's cgroup (pids, memory, cpu), where one could be made
        self.process_limit = None  # what bounds the report says are in force
        self.memory_limit = None
        self.cpu_limit = None
        self.staged_copy = None  # see staged()
        # Why no verdict of this grading is the submission's own (a GraderError), or None.
        self.grader_failure = None
        self.children_before = set(reaper.children_of(os.getpid()))
        reaper.become_subreaper()

    # ------------------------------------------------------------ life cycle
    def worker_args(self):
        cpu = int(max(120, self.timeout * 60))
        args = ["--memory", str(self.memory_mib), "--cpu", str(cpu)]
        if self.gpu:
            args.append("--gpu")
        return args

    def spawn(self):
        """Start a worker at the first level that works; returns without waiting for it."""
        if self.template is not None:
            from .template import TemplateUnusable
            try:
                cpu = int(max(120, self.timeout * 60))
                child, req_w, res_r, output, group = self.template.fork(self.submission, self.memory_mib, cpu)
                plan = sandbox.Plan("bubblewrap", [], sandbox.SANDBOX_SUBMISSION)
                return child, req_w, res_r, output, plan, [], group
            except TemplateUnusable as exc:
                self.template, self.template_note = None, str(exc)
        reasons = []
        for level in list(self.allowed_levels):
            try:
                staged = self.staged() if level == "bubblewrap" else None
            except (OSError, ValueError) as exc:
                raise GraderError(f"the submission could not be staged for the sandbox: {exc}") from None
            plan, why = sandbox.plan(level, self.submission, self.worker_args(), self.hidden, staged)
            if plan is None:
                reasons.append(f"{level}: {why}")
                continue
            req_r, req_w = call_pipe()
            res_r, res_w = call_pipe()
            out_r, out_w = os.pipe()
            argv = plan.argv + ["--fds", f"{req_r},{res_w}"]
            group = WorkerCgroup.make(PIDS_LIMIT, self.memory_mib << 20, self.cpus)
            if group is not None:
                argv = group.wrap(argv)
            try:
                proc = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                    pass_fds=(req_r, res_w), start_new_session=True, close_fds=True,
                    env=sandbox.launch_env(),
                    # where the worker starts (bwrap moves to /submission itself); the grader's
                    # own folder would otherwise show up as PWD in the sandbox's first process
                    cwd="/" if plan.level == "bubblewrap" else plan.submission_path,
                )
            except OSError as exc:
                for fd in (req_r, req_w, res_r, res_w, out_r, out_w):
                    os.close(fd)
                if group is not None:
                    group.remove()
                reasons.append(f"{level}: {exc}")
                continue
            for fd in (req_r, res_w, out_w):
                os.close(fd)
            LIVE_WORKERS.add(proc.pid)
            return proc, req_w, res_r, OutputBuffer(out_r), plan, reasons, group
        raise GraderError("no way to start a worker: " + "; ".join(reasons))

    def staged(self):
        """The folder bwrap shows at /submission: the submission itself, or (where the worker's
        uid 65534 could not read it) a readable copy made once per client."""
        if self.staged_copy is None:
            self.staged_copy = sandbox.stage_submission(self.submission, self.hidden) \
                if sandbox.needs_staging(self.submission) else ""
        return self.staged_copy or None

    def start_async(self):
        """Begin starting the worker (it imports torch for a second or two)."""
        if self.proc is None and self.pending is None:
            self.pending = self.spawn()

    def start(self):
        tried = []
        while True:
            if self.pending is None:
                try:
                    self.pending = self.spawn()
                except GraderError as exc:  # keep why the levels tried first failed: the cause
                    raise GraderError("the worker did not start: " + "; ".join(tried + [str(exc)])) from None
            proc, req_w, res_r, output, plan, reasons, group = self.pending
            self.pending = None
            self.proc, self.req_w, self.res_r, self.output = proc, req_w, res_r, output
            self.group = group
            limited = group.limited if group else set()
            self.process_limit = f"cgroup pids.max={PIDS_LIMIT}" if "pids" in limited else "rlimit"
            self.memory_limit = "cgroup" if "memory" in limited else "per-process"
            self.cpu_limit = "cgroup" if "cpu" in limited else "per-process"
            self.level = plan.level
            if plan.level == "bubblewrap" and not sandbox.bubblewrap_sizes_tmpfs():
                reasons = reasons + ["bubblewrap: this bwrap has no --size, so /tmp and /dev/shm "
                                     "are not sized"]
            try:
                header, _ = self.read_reply(STARTUP_TIMEOUT)
                if header.get("op") != "ready":
                    raise StudentCrash("it sent an unexpected greeting")
            except (StudentTimeout, StudentCrash) as exc:
                if self.template is not None:  # a forked worker that never greeted: start afresh
                    text = output.take().strip()
                    self.kill()
                    self.template, self.template_note = None, f"a forked worker did not start ({exc} {text[-300:]})".strip()
                    continue
                if self.oom_killed():
                    exc = StudentCrash(f"it reached the memory limit ({self.memory_mib} MiB) while "
                                       "importing torch; raise --memory")
                text = output.take().strip()
                self.kill()
                tried.append(f"{plan.level}: {exc} {text[-300:]}".strip())
                # A level that starts but cannot run the worker (an unreadable Python
                # installation, say) falls through to the next one.
                if len(self.allowed_levels) > 1 and plan.level in self.allowed_levels:
                    self.allowed_levels.remove(plan.level)
                    continue
                raise GraderError("the worker did not start: " + "; ".join(tried)) from None
            self.worker_submission = plan.submission_path
            if plan.level == "process" and os.geteuid() == 0:
                reasons = reasons + ["process: the grader runs as root and so does the worker: "
                                     "the submission can read what root can"]
            self.level_notes = reasons + tried
            self.worker_kind = "template" if self.template is not None else "fresh"
            if self.template is not None:
                self.template.settle(self.group)
            self.info = header
            self.generation += 1
            self.released = []
            return

    def kill(self):
        """Kill the whole sandbox, never a single pid. Returns whether the worker had already
        been lost with its template (the template stopped while it ran: the grader's doing)."""
        lost = False
        if self.proc is not None:
            reaper.kill_tree(self.proc.pid, also=self.group.members() if self.group else ())
            try:
                self.proc.wait(timeout=5)
            except (subprocess.TimeoutExpired, ChildProcessError):
                pass
            lost = getattr(self.proc, "lost", False) is True
            LIVE_WORKERS.discard(self.proc.pid)
            for fd in (self.req_w, self.res_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.proc = None
        if self.group is not None:
            self.group.remove()
            self.group = None
        return lost

    def close(self):
        if self.pending is not None:
            proc, group = self.pending[0], self.pending[-1]
            self.pending = None
            reaper.kill_tree(proc.pid, also=group.members() if group else ())
            try:
                proc.wait(timeout=5)
            except (subprocess.TimeoutExpired, ChildProcessError):
                pass
            LIVE_WORKERS.discard(proc.pid)
            if group is not None:
                group.remove()
        self.kill()
        reaper.kill_orphans(spare=self.children_before | LIVE_WORKERS)
        if self.staged_copy:
            shutil.rmtree(self.staged_copy, ignore_errors=True)
            self.staged_copy = None

    def take_output(self):
        return self.output.take() if self.output is not None else ""

    # ------------------------------------------------------------ the time budget
    def begin_budget(self, started=None):
        """Start the submission's clock (at `started`, a time.monotonic(), default now)."""
        if self.total_timeout is not None:
            self.deadline = (time.monotonic() if started is None else started) + self.total_timeout

    def budget_left(self):
        return None if self.deadline is None else self.deadline - time.monotonic()

    def budget_message(self):
        return f"the submission's time budget ({self.total_timeout:g} s, --total-timeout) ran out"

    def check_budget(self, what="this test"):
        """Raise BudgetSpent when the budget is gone: nothing more of the submission runs."""
        left = self.budget_left()
        if left is not None and left <= 0:
            self.budget_spent = True
            raise BudgetSpent(f"{what} was not run: {self.budget_message()}")

    # ------------------------------------------------------------ the pipe
    def read_reply(self, timeout):
        deadline = time.monotonic() + timeout

        def read_exact(n):
            got = bytearray()
            while len(got) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StudentTimeout(f"no answer within {timeout:g} s")
                ready, _, _ = select.select([self.res_r], [], [], left)
                if not ready:
                    raise StudentTimeout(f"no answer within {timeout:g} s")
                chunk = os.read(self.res_r, min(n - len(got), 1 << 20))
                if not chunk:
                    raise StudentCrash(self.death_reason())
                got += chunk
            return bytes(got)

        try:
            return codec.read_frame(read_exact)
        except codec.CodecError as exc:
            raise StudentCrash(f"the worker sent something that is not data ({exc})") from None

    def death_reason(self):
        code = None
        if self.proc is not None:
            try:
                code = self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
        if code is None:
            return "the worker process stopped answering"
        if code < 0:
            import signal
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"the worker process was killed by {name}"
        # bwrap reports the sandboxed process's signal as 128 + n.
        if code > 128 and self.level == "bubblewrap":
            import signal
            try:
                return f"the worker process was killed by {signal.Signals(code - 128).name}"
            except ValueError:
                pass
        return f"the worker process exited with status {code}"

    def request(self, op, what, *, handle=None, args=(), kwargs=None, forbidden=None, timeout=None,
                **fields):
        """Send one request; return the decoded value or raise a StudentFailure.

        `forbidden` (default: the current test's list) names calls the worker must report."""
        if forbidden is None:
            forbidden = self.current_forbidden
        self.check_budget(what)
        if self.proc is None:
            self.start()
        if handle is not None and handle._generation != self.generation:
            raise StudentCrash(f"{what}: the object was lost when the worker restarted after a crash")
        # A number only the worker's own loop holds (the submission reaches no frame or object of
        # it): an answer the submission writes on the pipe itself cannot carry it.
        nonce = secrets.randbits(63)
        header = {"op": op, "nonce": nonce, **fields}
        if handle is not None:
            header["handle"] = handle._id
        if forbidden:
            header["forbidden"] = list(forbidden)
        if self.released:
            header["release"], self.released = self.released, []
        enc = codec.Encoder(self.handle_of)
        header["args"] = enc.encode(list(args))
        header["kwargs"] = enc.encode(dict(kwargs or {}))
        frame = codec.pack(header, enc.buffers)
        hits_before = self.memory_limit_hits()
        limit = self.timeout if timeout is None else timeout
        left = self.budget_left()
        cut = left is not None and left < limit  # the budget ends before the call's own limit
        if cut:
            limit = max(left, 0.001)
        try:
            self.write_all(frame)
            reply, buffers = self.read_reply(limit)
        except StudentTimeout:
            oom = self.oom_killed()
            stalled = not oom and self.memory_limit_hits() > hits_before
            self.kill()
            if oom:
                raise self.out_of_memory(what) from None
            if stalled:  # reclaiming at the limit can stall a group for seconds before a kill
                raise self.out_of_memory(what, f"did not finish within {limit:g} s") from None
            if cut:
                self.budget_spent = True
                raise BudgetSpent(f"{what} did not finish: {self.budget_message()}") from None
            raise StudentTimeout(f"{what} did not finish within {limit:g} s (an endless loop?)") from None
        except StudentCrash as exc:
            oom = self.oom_killed()
            if self.kill():
                raise self.lost_with_template(what) from None
            if oom:
                raise self.out_of_memory(what) from None
            raise StudentCrash(f"{what} crashed: {exc}") from None
        except BrokenPipeError:
            reason = self.death_reason()
            oom = self.oom_killed()
            if self.kill():
                raise self.lost_with_template(what) from None
            if oom:
                raise self.out_of_memory(what) from None
            raise StudentCrash(f"{what} crashed: {reason}") from None
        if self.oom_killed():
            # A process of the sandbox (a child, say) was killed at the limit while the worker
            # answered: the call went over the submission's budget all the same.
            self.kill()
            raise self.out_of_memory(what)
        if type(reply) is dict and reply.get("nonce") != nonce:
            self.kill()  # the worker's own answer is still to come: start afresh
            raise StudentForbidden(f"tampering with the grader: {what} wrote an answer of its own on the "
                                   "grader's pipe (a forged reply), which a submission may not do; the test "
                                   "scores nothing")
        return self.interpret(reply, buffers, what)

    def lost_with_template(self, what):
        """The worker template stopped while `what` ran and took the worker with it: no verdict
        of this grading can be trusted to be the submission's own (GraderLost says so)."""
        self.grader_failure = GraderLost(f"the worker template stopped while {what} ran, taking the "
                                         "worker with it: the grader's failure, not the submission's; "
                                         "grade it again")
        return GraderLost(str(self.grader_failure))

    def oom_killed(self):
        """Whether the kernel killed a process of this worker's cgroup at its memory limit."""
        return self.group is not None and "memory" in self.group.limited and self.group.oom_kills() > 0

    def memory_limit_hits(self):
        """How often this worker's processes together met the cgroup's memory limit so far."""
        if self.group is None or "memory" not in self.group.limited:
            return 0
        return self.group.memory_limit_hits()

    def out_of_memory(self, what, then="the kernel killed it"):
        return StudentCrash(f"{what} crashed: the submission reached its memory limit "
                            f"({self.memory_mib} MiB for all its processes and files together) "
                            f"and {then}")

    def write_all(self, data):
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        while view:
            left = deadline - time.monotonic()
            _, ready, _ = select.select([], [self.req_w], [], max(left, 0))
            if not ready:
                raise StudentTimeout("the worker does not read its requests")
            view = view[os.write(self.req_w, view[:1 << 16]):]

    def interpret(self, reply, buffers, what):
        if type(reply) is not dict or type(reply.get("ok")) is not bool:
            self.kill()
            raise StudentCrash(f"{what}: the worker sent a malformed answer")
        forbidden = reply.get("forbidden") or []
        tampering = reply.get("tampering") or []
        if type(tampering) is list and tampering:
            routes = "; ".join(str(route)[:160] for route in tampering[:4])
            raise StudentForbidden(f"tampering with the grader: {what} reached for the grader's own objects "
                                   f"({routes}), which a submission may not do: it was refused or undone, and "
                                   "the test scores nothing")
        if reply.get("tampered") is True:
            raise StudentForbidden(f"{what} switched off the grader's call monitor (sys.setprofile), "
                                   "which this task does not allow")
        if forbidden and all(type(x) is str for x in forbidden):
            names = ", ".join(sorted(set(forbidden)))
            if names == "torch":
                raise StudentForbidden(f"{what} used torch, but this task is NumPy only")
            raise StudentForbidden(f"{what} called {names}, which this task forbids: "
                                   "the point is to write it yourself")
        try:
            tree = reply["value"] if reply["ok"] else reply["error"]
            value, facts = codec.decode(tree, buffers, self.adopt, device_ok=self.device_ok)
        except (codec.CodecError, KeyError, TypeError, ValueError, OverflowError) as exc:
            raise StudentError(f"{what} returned something that cannot be graded ({exc})") from None
        for obj, measured in facts:
            self.facts[obj] = measured
        if reply["ok"]:
            if isinstance(value, Remote):
                object.__setattr__(value, "_label", what)
            return value
        if not isinstance(value, codec.RemoteException):
            raise StudentError(f"{what} failed")
        raise self.failure(value, what)

    def failure(self, exc, what):
        # The student's own text, made safe here, once: no lone surrogate reaches any output.
        exc.type_name, exc.message, exc.traceback = (safe_text.clean(exc.type_name, 500),
                                                     safe_text.clean(exc.message, EXCEPTION_TEXT_LIMIT),
                                                     safe_text.clean(exc.traceback, EXCEPTION_TEXT_LIMIT))
        names = exc.mro
        message = f"{exc.type_name.replace('builtins.', '')}: {exc.message}".strip()
        tb = student_traceback(exc.traceback, self.worker_submission)
        detail = f"{what} raised {message}" + (f"\n{tb}" if tb else "")
        if "builtins.NotImplementedError" in names:
            if exc.message.endswith("is not implemented yet"):  # the stubs' own words name the task
                return StudentNotImplemented(f"{exc.message} (it raises NotImplementedError)", exc)
            where = innermost_student_function(exc.traceback, self.worker_submission)
            return StudentNotImplemented(f"{where or what} is not implemented yet (it raises NotImplementedError)",
                                         exc)
        if "builtins.SystemExit" in names or "builtins.KeyboardInterrupt" in names:
            self.kill()
            return StudentCrash(f"{what} tried to end the process ({message})")
        lowered = exc.message.lower()
        if "builtins.MemoryError" in names or "can't allocate memory" in lowered \
                or "not enough memory" in lowered or "out of memory" in lowered:
            self.kill()
            return StudentCrash(f"{what} ran out of memory (the limit is {self.memory_mib} MiB): {message[:300]}")
        return StudentError(detail, exc)

    def handle_of(self, obj):
        """Remotes travel back to the worker by id; nothing else that is not data travels."""
        if isinstance(obj, Remote) and obj._client is self:
            if obj._generation != self.generation:
                raise StudentCrash("an object was lost when the worker restarted after a crash")
            return codec.Handle(obj._id, "", [], "")
        raise codec.CodecError(f"cannot send a {type(obj).__name__} to the worker")

    def adopt(self, handle):
        remote = Remote(self, handle, self.generation)
        weakref.finalize(remote, self.release, self.generation, handle.id)
        return remote

    def release(self, generation, handle_id):
        if generation == self.generation:
            self.released.append(handle_id)

    def device_ok(self, name):
        if name == "cpu":
            return True
        if name.startswith("cuda"):
            try:
                import torch
                return torch.cuda.is_available()
            except ImportError:
                return False
        return False


def innermost_student_function(text, submission):
    """'to_numpy' from the last 'File "<submission>/tensor_numpy.py", line 30, in to_numpy'."""
    name = None
    for line in text.splitlines():
        if line.startswith(f'  File "{submission}/') and ", in " in line:
            name = line.rsplit(", in ", 1)[1].strip()
    return None if name in (None, "<module>") else name


def student_traceback(text, submission, keep=6):
    """The student's own frames, from a worker traceback, with paths made relative."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return ""
    out, keep_next = [], False
    for line in lines[1:-1]:
        if line.startswith('  File "'):
            keep_next = f'"{submission}/' in line
            if keep_next:
                out.append(line.replace(f'"{submission}/', '"'))
        elif keep_next and line.startswith("    "):
            out.append(line)
    return "\n".join(out[-2 * keep:])
