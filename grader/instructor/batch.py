"""Grading a class: every submission under ROOT, in parallel, crash-safe and incremental.

`run_batch` finds the submissions (`submissions.discover`), keeps the slice of a shard, skips
those whose report in DIR already carries the same content hash (the submission's files, the
course's manifest and tests, the grader's code and the grading options), and hands the rest to
N grading processes (`runner`), each keeping one engine.Grader warm. Each report is written to
DIR/<name>.json atomically as soon as it arrives; at the end DIR/gradebook.csv and
DIR/report.html are rebuilt from every report in DIR. A run killed half-way loses nothing
written, and the next run grades only what is missing.
"""

import collections
import contextlib
import fcntl
import hashlib
import io
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from .. import engine, safe_text
from ..errors import UsageError
from ..reports import formats
from ..sandbox import reaper
from . import gradebook, submissions
from .runner import placeholder_report

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cpu_count():
    """The CPUs this process may run on (a Slurm or container allotment), else all of them."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_guard(timeout):
    """Seconds one submission may hold a grading process: far beyond any honest grading (every
    call of every test timing out and restarting the worker), so it fires only on a bug."""
    return max(600.0, 200 * (timeout + 2.0))


class Outcome:
    """What the batch did with one submission, for the progress lines and the summary."""

    def __init__(self, name, status, report=None, kept=False, seconds=0.0, write_error=None):
        self.name, self.status, self.report, self.kept = name, status, report, kept
        self.seconds, self.write_error = seconds, write_error

    def line(self):
        """One line whatever the name holds: a folder or zip named with a line break or a
        workflow command (`::error::`) cannot start a line of its own."""
        name, status = safe_text.clean_name(self.name), safe_text.escape_controls(safe_text.clean(self.status))
        if self.kept:
            return f"{name}: unchanged, kept ({status})"
        text = f"{name}: {status}"
        if self.status == "graded":
            r = self.report
            text += f" {r['score']:g}/{r['max_score']:g} ({r['percentage']:g}%)"
        elif self.status == "empty" and self.report.get("batch_message"):
            text += f" ({safe_text.escape_controls(safe_text.clean(self.report['batch_message']))})"
        text += f" in {self.seconds:.1f} s"
        if self.write_error:
            text += f"; NOT WRITTEN: {safe_text.escape_controls(safe_text.clean(self.write_error))}"
        return safe_text.console(text)


class Progress:
    """A bar with counts and an ETA on a terminal; one line per submission otherwise."""

    LINE = 100  # a failure's line above the bar is padded to this, to cover the bar under it

    def __init__(self, total, stream=None, tty=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.total, self.done, self.graded_now = total, 0, 0
        self.counts = collections.Counter()
        self.started = time.monotonic()

    @staticmethod
    def kind(outcome):
        return "error" if outcome.status.startswith("error") else outcome.status

    def add(self, outcome):
        self.done += 1
        self.counts[self.kind(outcome)] += 1
        if outcome.kept:
            self.counts["kept"] += 1
        elif outcome.seconds >= 0.1:  # an empty folder or a refused zip says nothing of the pace
            self.graded_now += 1
        if self.tty:
            if outcome.status.startswith("error") or outcome.write_error:
                # failures stay on screen above the bar
                self.stream.write("\r" + outcome.line().ljust(self.LINE) + "\n")
            self.draw(safe_text.clean_name(outcome.name))
        else:
            width = len(str(self.total))
            print(f"[{self.done:>{width}}/{self.total}] {outcome.line()}", file=self.stream, flush=True)

    def begin(self):
        """The bar before the first submission is done (grading one takes seconds)."""
        if self.tty:
            self.draw()

    def again(self, first, outcome):
        """A row graded a second time, alone: `outcome` replaces `first`."""
        self.counts[self.kind(first)] -= 1
        self.counts[self.kind(outcome)] += 1
        if self.tty:
            self.draw(safe_text.clean_name(outcome.name))
        else:
            print(f"[again, alone] {outcome.line()}", file=self.stream, flush=True)

    def eta(self):
        todo = self.total - self.done
        if not todo:
            return "0:00"
        if not self.graded_now:
            return "--:--"
        left = int((time.monotonic() - self.started) / self.graded_now * todo)
        return f"{left // 60}:{left % 60:02d}"

    def draw(self, last=""):
        width = 24
        filled = width * self.done // max(self.total, 1)
        failed = self.counts["error"]
        text = (f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} done, "
                f"{failed} failed, {self.counts['empty']} empty, ETA {self.eta()}  {last[:24]:<24}")
        self.stream.write(text)
        self.stream.flush()

    def finish(self):
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


class Slot:
    """One grading process at a time, restarted when it dies while work remains."""

    def __init__(self, pool, index):
        self.pool, self.index = pool, index
        self.proc = None
        self.assigned = []  # job specs sent, not yet answered; the first is being graded
        self.head_since = None
        self.killed_for = None
        self.thread = threading.Thread(target=self.run, name=f"batch-slot-{index}", daemon=True)

    def start_process(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
        # The batch is parallel across processes; torch's own threads would only fight over the
        # same cores (the hidden tests' reference computations spend twice the CPU with two).
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        self.log = open(os.path.join(self.pool.scratch, f"runner-{self.index}.log"), "w+b")
        with self.pool.spawning:  # reap_orphans must not take a runner being born for an orphan
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "grader.instructor.runner"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=self.log, env=env, start_new_session=True,
                text=True, encoding="utf-8", bufsize=1)
        try:
            self.proc.stdin.write(json.dumps(self.pool.config) + "\n")
            self.proc.stdin.flush()
        except OSError:  # it died already: serve() meets the end of its output and says why
            pass

    def run(self):
        failed_starts = 0
        try:
            while self.pool.has_work() and not self.pool.stopping:
                self.spoke = False
                try:
                    self.start_process()
                except OSError as exc:
                    self.pool.broken = f"a grading process could not start: {exc}"
                    break
                self.serve()
                self.after_death()
                failed_starts = 0 if self.spoke else failed_starts + 1
                if failed_starts >= 3:  # it dies before a word: it will not get better
                    self.pool.broken = (f"grading processes die as they start ({self.last_death})")
                    break
        finally:
            self.pool.slot_done()

    def serve(self):
        proc = self.proc
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                break
            self.spoke = True
            if message.get("op") == "next":
                spec = self.pool.next_for(self)
                try:
                    proc.stdin.write(json.dumps({"job": spec}) + "\n")
                    proc.stdin.flush()
                except (BrokenPipeError, OSError):
                    break
            elif message.get("op") == "result":
                with self.pool.lock:
                    spec = self.assigned.pop(0) if self.assigned else None
                    self.head_since = time.monotonic() if self.assigned else None
                if spec is not None and spec["name"] == message.get("name"):
                    self.pool.answer(spec, message["report"])

    def after_death(self):
        proc = self.proc
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            code = proc.wait(timeout=5)  # its output ended: it is leaving, or talks nonsense
        except subprocess.TimeoutExpired:
            self.kill()
            code = proc.wait()
        self.pool.reap_orphans()
        tail = self.log_tail()
        self.last_death = describe_exit(code) + (f": {tail}" if tail else "")
        with self.pool.lock:
            assigned, self.assigned, self.head_since = self.assigned, [], None
            killed_for, self.killed_for = self.killed_for, None
        if assigned:
            current, rest = assigned[0], assigned[1:]
            self.pool.give_back(rest)
            if killed_for:
                why = killed_for
            else:
                why = f"the grading process died ({self.last_death})"
            self.pool.results.put((current, why, True))
        self.log.close()

    def log_tail(self):
        try:
            self.log.flush()
            self.log.seek(0)
            lines = [line for line in self.log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return lines[-1].strip()[:300] if lines else ""

    def kill(self, reason=None):
        with self.pool.lock:
            if reason and self.killed_for is None:
                self.killed_for = reason
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def overdue(self, guard):
        with self.pool.lock:
            if self.head_since is None or not self.assigned:
                return None
            if time.monotonic() - self.head_since <= guard:
                return None
            return self.assigned[0]["name"]


def describe_exit(code):
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class Pool:
    """N grading processes fed from one queue: a slow submission holds one process only.

    With `confirm` and more than one process, a report for which `confirm(report)` is true
    (a timeout, a crash: perhaps a neighbour's doing) is delivered as not final, and its
    submission is graded again once nothing else is being graded, by a process already warm."""

    def __init__(self, specs, jobs, config, scratch, guard, confirm=None):
        self.queue = collections.deque(specs)
        self.alone = collections.deque()  # specs to grade again with no other grading running
        self.confirm = confirm
        self.lock = threading.Lock()
        self.spawning = threading.Lock()
        self.results = queue.Queue()
        self.config, self.scratch, self.guard = config, scratch, guard
        self.stopping = False
        self.broken = None  # why no grading process could be started, if none could
        self.alive = 0
        self.children_before = set(reaper.children_of(os.getpid()))
        self.slots = [Slot(self, i) for i in range(max(1, min(jobs, len(specs))))]
        if len(self.slots) == 1:
            self.confirm = None  # graded alone already

    def has_work(self):
        with self.lock:
            return bool(self.queue or self.alone)

    def next_for(self, slot):
        """The next job for `slot`'s process, or None when it should finish. A process with no
        job in hand waits while others grade: they may yet hand back work or leave some to
        confirm alone, which it then takes, warm."""
        while True:
            with self.lock:
                if self.stopping:
                    return None
                spec = None
                others_busy = any(s.assigned for s in self.slots if s is not slot)
                if self.queue:
                    spec = self.queue.popleft()
                elif slot.assigned:
                    return None  # it asks again when done with what it holds
                elif self.alone and not others_busy:
                    spec = dict(self.alone.popleft(), alone=True)
                elif not others_busy and not self.alone:
                    return None
                if spec is not None:
                    slot.assigned.append(spec)
                    if len(slot.assigned) == 1:
                        slot.head_since = time.monotonic()
                    return spec
            time.sleep(0.05)

    def answer(self, spec, report):
        """Deliver a report: (spec, report, final)."""
        final = spec.get("alone") or self.confirm is None or not self.confirm(report)
        if not final:
            with self.lock:
                self.alone.append(spec)
        self.results.put((spec, report, final))

    def give_back(self, specs):
        with self.lock:
            self.queue.extendleft(reversed(specs))

    def slot_done(self):
        with self.lock:
            self.alive -= 1
        self.results.put(None)

    def reap_orphans(self):
        """Kill what a dead grading process left behind (re-parented to us, the subreaper)."""
        with self.spawning:
            live = {s.proc.pid for s in self.slots if s.proc is not None and s.proc.poll() is None}
            reaper.kill_orphans(spare=self.children_before | live)

    def run(self):
        """Yield (spec, report or the reason there is none, final) as they come."""
        reaper.become_subreaper()
        self.alive = len(self.slots)
        for slot in self.slots:
            slot.thread.start()
        try:
            while True:
                with self.lock:
                    if self.alive == 0 and self.results.empty():
                        break
                try:
                    item = self.results.get(timeout=0.5)
                except queue.Empty:
                    item = None
                if item is not None:
                    yield item
                for slot in self.slots:
                    name = slot.overdue(self.guard)
                    if name:
                        slot.kill(f"grading took longer than {self.guard:g} s; "
                                  "the grading process was killed")
        finally:
            self.stop()

    def stop(self):
        self.stopping = True
        with self.lock:
            self.queue.clear()
        for slot in self.slots:
            slot.kill()
        for slot in self.slots:
            if slot.thread.is_alive():
                slot.thread.join(timeout=10)


@contextlib.contextmanager
def sigterm_as_interrupt():
    """SIGTERM (a scheduler's time limit, a pod being stopped) ends the batch like Ctrl-C: the
    grading processes are killed, every report written so far stays."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def needs_confirming(result):
    """Whether a report from a parallel run holds a verdict that a neighbour could have caused."""
    return isinstance(result, dict) and result.get("batch_status") == "graded" and any(
        t.get("status") in ("timeout", "crashed") for ex in result.get("exercises", ())
        for t in ex.get("tests", ()))


SCRATCH_PREFIX = "grader-batch-"


def make_scratch():
    """A private temporary folder for the batch (runner logs, unpacked zips), held by an flock
    for the batch's life; first, those of batches that died (kill -9) are swept away."""
    sweep_scratch()
    scratch = tempfile.mkdtemp(prefix=SCRATCH_PREFIX)
    os.chmod(scratch, 0o711)  # the sandboxed worker must reach an unpacked zip below it
    tmp = os.path.join(scratch, ".lock.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.rename(tmp, os.path.join(scratch, ".lock"))  # seen by sweepers only once locked
    return scratch, fd


def sweep_scratch():
    """Remove the scratch folders whose batch is gone: their lock is free (an flock dies with
    its process, whatever killed it)."""
    base = tempfile.gettempdir()
    try:
        entries = os.listdir(base)
    except OSError:
        return
    for entry in entries:
        if not entry.startswith(SCRATCH_PREFIX):
            continue
        folder = os.path.join(base, entry)
        try:
            fd = os.open(os.path.join(folder, ".lock"), os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live batch holds it
        finally:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


def entry_hash(course_key, sub):
    return hashlib.sha256(f"{course_key}\0{submission_hash(sub)}".encode()).hexdigest()


def submission_hash(sub):
    return submissions.submission_hash(sub)


def check_out_dir(root, out_dir):
    """A UsageError for an --out that would land among the submissions: ROOT itself, or a folder
    inside one of ROOT's entries (a student's folder, or one that would become a submission)."""
    if not os.path.isdir(root):
        return  # discover says why
    root_real, out_real = os.path.realpath(root), os.path.realpath(out_dir)
    if out_real == root_real:
        raise UsageError(f"--out {out_dir!r} is ROOT itself: the reports would lie among the "
                         "submissions; give a folder outside ROOT")
    rel = os.path.relpath(out_real, root_real)
    parts = rel.split(os.sep)
    if rel.startswith("..") or parts[0].startswith(".") or parts[0] in submissions.IGNORED:
        return
    if len(parts) == 1:  # a results folder directly in ROOT is left out, unless it is a student's
        try:
            modules = [n for n in os.listdir(out_real) if n.endswith(".py")]
        except OSError:
            modules = []
        if not modules:
            return
        raise UsageError(f"--out {out_dir!r} is {parts[0]!r}, a submission in ROOT (it holds "
                         f"{modules[0]}); give a folder outside ROOT")
    raise UsageError(f"--out {out_dir!r} is inside {parts[0]!r} in ROOT, which would be graded as a "
                     "submission (or lose one); give a folder outside ROOT")


def holds_batch_results(folder):
    """Whether `folder` holds what a batch writes (a gradebook, reports): earlier results kept in
    ROOT, not a submission."""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    if gradebook.GRADEBOOK in names:
        return True
    reports = [n for n in names if n.endswith(".json")][:20]
    return any(gradebook.read_report(os.path.join(folder, n)) is not None for n in reports)


def run_batch(root, out_dir, course, jobs=None, shard=None, force=False, timeout=5.0,
              memory_mib=2048, sandbox="auto", exercise_names=(), progress=None, guard=None,
              cpus=1.0, quiet=False, total_timeout=None, worker_template=True):
    """Grade every submission under `root` (or the shard's slice) into `out_dir`.

    Returns (outcomes, gradebook path, html path). Raises UsageError for bad input only; a
    submission that cannot be graded gets its own row, never an exception."""
    check_out_dir(root, out_dir)
    subs = [sub for sub in submissions.discover(root, exclude=out_dir)
            if not (sub.kind == "folder" and holds_batch_results(sub.path))]
    if not subs:
        raise UsageError(f"ROOT {root!r} holds no submissions, only the results of earlier batches")
    engine.select(course.exercises, list(exercise_names))  # an unknown exercise is bad input
    if shard is not None:
        subs = submissions.select_shard(subs, *shard)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"--out {out_dir!r} is a file; give a folder for the reports")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out_dir!r}: cannot create the folder: {exc.strerror}") from None
    options = {"timeout": float(timeout), "memory_mib": int(memory_mib), "sandbox": sandbox,
               "exercises": sorted(exercise_names)}
    if total_timeout is not None:  # absent when unbounded, so earlier batches' hashes hold
        options["total_timeout"] = float(total_timeout)
    if float(cpus) != 1.0:  # the default leaves the hash of earlier batches as it was
        options["cpus"] = float(cpus)
    course_key = submissions.course_hash(course, options)
    jobs = jobs or cpu_count()
    if not guard:
        guard = default_guard(timeout)
        if total_timeout is not None:  # a submission may use its whole budget: never cut it shorter
            guard = max(guard, total_timeout + 300.0)

    progress = progress or Progress(len(subs), stream=io.StringIO() if quiet else None, tty=False if quiet else None)
    outcomes, todo = [], []
    for sub in subs:
        key = entry_hash(course_key, sub)
        old = gradebook.read_report(gradebook.report_path(out_dir, sub.name))
        if (not force and old is not None and old["batch"].get("hash") == key
                and not gradebook.status_of(old).startswith("error")
                and not old["batch"].get("unconfirmed")):
            outcome = Outcome(sub.name, gradebook.status_of(old), old, kept=True)
            outcomes.append(outcome)
            progress.add(outcome)
        else:
            todo.append({"name": sub.name, "path": os.path.abspath(sub.path), "kind": sub.kind,
                         "hash": key})

    scratch, lock = make_scratch()
    config = {"course": course.root, "scratch": scratch, **options}
    config["exercises"] = list(exercise_names)
    config["template"] = bool(worker_template)  # not in the hash: the scores are the same either way
    # Starting the next worker early uses a core the current grading leaves idle; when every core
    # already has a grading process, it only adds contention (measured on 2 cores: --jobs 2 went
    # from 0.94 to 1.03 submissions per second without it, --jobs 1 gains from it).
    config["prepare_next"] = 2 * jobs <= cpu_count()
    pool = Pool(todo, jobs, config, scratch, guard, confirm=needs_confirming) if todo else None

    def answers():
        """(spec, report or the reason there is none, final) for each submission, as they come."""
        unanswered = {spec["name"]: spec for spec in todo}
        for spec, result, final in pool.run() if pool else ():
            unanswered.pop(spec["name"], None)
            yield spec, result, final
        for spec in unanswered.values():  # never answered: still a row, with the reason
            yield spec, pool.broken or "no grading process answered for it", True

    def record(spec, result, final):
        if isinstance(result, str):  # the grading process died: the reason
            result = placeholder_report(course, spec["name"], spec["path"],
                                        f"error: {result}", result, exercise_names)
        result["batch"] = {"hash": spec["hash"], "kind": spec["kind"]}
        if not final:
            result["batch"]["unconfirmed"] = True
        outcome = Outcome(spec["name"], gradebook.status_of(result), result,
                          seconds=result.get("duration_s", 0.0))
        try:
            formats.write_atomic(gradebook.report_path(out_dir, spec["name"]), formats.to_json(result))
        except OSError as exc:
            outcome.write_error = exc.strerror or str(exc)
        return outcome

    progress.begin()
    try:
        with sigterm_as_interrupt():
            done = {}
            for spec, result, final in answers():
                if spec.get("alone"):
                    # A timeout or a crash beside other gradings, graded again alone: this stands.
                    first = outcomes[done[spec["name"]]]
                    outcomes[done[spec["name"]]] = record(spec, result, True)
                    progress.again(first, outcomes[done[spec["name"]]])
                else:
                    done[spec["name"]] = len(outcomes)
                    outcomes.append(record(spec, result, final))
                    progress.add(outcomes[-1])
    finally:
        if pool is not None:
            pool.stop()
        progress.finish()
        shutil.rmtree(scratch, ignore_errors=True)
        os.close(lock)
    reports = gradebook.read_reports(out_dir)
    paths = gradebook.write_class_outputs(out_dir, reports.values())
    return outcomes, paths


def summary(outcomes, paths):
    counts = collections.Counter("error" if o.status.startswith("error") else o.status for o in outcomes)
    kept = sum(o.kept for o in outcomes)
    parts = [f"{counts[k]} {k}" for k in ("graded", "empty", "error") if counts[k]]
    text = f"{len(outcomes)} submission{'s' if len(outcomes) != 1 else ''}: {', '.join(parts) or 'none'}"
    if kept:
        text += f" ({kept} unchanged, kept)"
    return safe_text.console(text + f"; wrote {paths[0]} and {paths[1]}")
