"""Grade submissions of a course: start a worker, run the hidden tests, build the report.

This is the library behind `grader grade`, `check`, `watch` and `batch`; the CLI
only parses options and prints. `grade()` grades one submission; a `Grader`
grades many in one process, keeping pytest, torch and the test modules imported
and starting the next submission's worker while the current one is graded.
Importing this module is cheap: torch and pytest are imported after the first
worker has been started, so that the two imports overlap.
"""

import difflib
import gc
import os
import platform
import re
import sys
import time

from . import course as courses
from .errors import UsageError
from .sandbox.client import GraderError, WorkerClient
from .sandbox.template import WorkerTemplate

__all__ = ["grade", "Grader", "UsageError", "GraderError", "WorkerStartFailed", "check_submission"]


def check_submission(path, course):
    """The submission's real path; a UsageError when it is no folder or holds none of the modules."""
    if not os.path.exists(path):
        raise UsageError(f"submission folder {path!r} does not exist")
    if not os.path.isdir(path):
        raise UsageError(f"{path!r} is a file; give the folder that holds the student's modules")
    expected = course.module_files
    found = sorted(f for f in os.listdir(path) if f.endswith(".py"))
    if not set(expected) & set(found):
        lines = [f"{path!r} holds none of the course's modules (expected {', '.join(expected)}; "
                 f"found {', '.join(found[:8]) + (' ...' if len(found) > 8 else '') if found else 'no .py file'})"]
        lines += did_you_mean(found, expected)
        raise UsageError("\n".join(lines))
    return os.path.realpath(path)


def did_you_mean(found, expected):
    """'Creation.py: did you mean creation.py?' for each file that looks like a misnamed module."""
    out = []
    wanted = {name.lower(): name for name in expected}
    for name in found:
        if name in expected:
            continue
        key = name.lower().split(" (")[0].split("(")[0].strip()
        key = key if key.endswith(".py") else key + ".py"
        key = key.replace(" ", "_").replace("-", "_")
        match = wanted.get(key) or next(iter(difflib.get_close_matches(key, list(wanted), 1, 0.8)), None)
        if match:
            out.append(f"{name}: did you mean {wanted.get(match, match)}?")
    return out


def misnamed(path, course):
    """did-you-mean lines for a submission that holds some modules but misnames others."""
    found = sorted(f for f in os.listdir(path) if f.endswith(".py"))
    missing = [m for m in course.module_files if m not in found]
    return did_you_mean(found, missing) if missing else []


def select(exercises, names, tasks=()):
    """The exercises named (all when none), checked against the course; `tasks` adds their owners."""
    known = {ex.name: ex for ex in exercises}
    for name in names:
        if name not in known:
            owner = next((ex.name for ex in exercises if ex.task(name)), None)
            if owner:
                raise UsageError(f"{name!r} is a task of the exercise {owner!r}, not an exercise; "
                                 f"use -e {owner}")
            close = difflib.get_close_matches(name, list(known), 3, 0.6)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            raise UsageError(f"unknown exercise {name!r}; {hint}choose from: {', '.join(known)}")
    wanted = set(names) | {ex.name for ex in exercises for t in ex.tasks if t.name in set(tasks)}
    return [ex for ex in exercises if not wanted or ex.name in wanted]


def hidden_paths(course):
    """Trusted paths the worker must never see."""
    paths = [course.root, course.hidden_tests_dir, course.public_tests_dir, course.solutions_dir,
             os.path.dirname(os.path.abspath(__file__))]
    # The checkout the package sits in, when it is one; an installed package sits in
    # site-packages instead, which the worker needs (torch is there).
    if courses.is_course(courses.CHECKOUT):
        paths.append(courses.CHECKOUT)
    return paths


_grading_modules = []  # [True] once imported


def import_grading_modules():
    """torch, pytest and the judge, imported (the first time) with the garbage collector paused.

    An import allocates hundreds of thousands of objects and frees almost none, so the
    collector's passes over them (some 400 during torch's import, 0.13 s) find nothing: paused,
    grading starts that much sooner. What they built is then frozen (never scanned again: it
    lives as long as the process), and the collector runs again as usual before any test does.
    Only the first call freezes: later, a warm grader's heap holds the last grading's garbage,
    which must stay collectable."""
    if _grading_modules:
        return
    paused = gc.isenabled()
    gc.disable()
    try:
        import pytest  # noqa: F401
        import torch  # noqa: F401
        from pytest_jsonreport import plugin  # noqa: F401

        from .judge import plugin as judge_plugin  # noqa: F401
        from .reports import build  # noqa: F401
        _grading_modules.append(True)
    finally:
        gc.freeze()
        if paused:
            gc.enable()


class WorkerStartFailed(GraderError):
    """The sandboxed worker could not start or import torch/numpy: no submission code had run.

    The worker sends its `ready` greeting only after importing numpy, PIL and torch and before
    it touches the submission, so a start that never greets is the grader's failure (an install
    or a limit), never the student's; a crash after the greeting is the student's."""


MEMORY_SIGNS = ("failed to map segment", "memoryerror", "cannot allocate memory", "bad_alloc",
                "memory limit", "out of memory")


def explain_start_failure(detail, memory_mib):
    """One line: what stopped the worker, and what to do about it."""
    detail = " ".join(str(detail).split())
    errors = re.findall(r"\b([A-Z]\w*(?:Error|Exception)): (.+?)(?= File \"| Traceback |; |$)", detail)
    cause = f"{errors[-1][0]}: {errors[-1][1]}"[:300] if errors else detail[:300]
    lowered = detail.lower()
    memory = [sign for sign in MEMORY_SIGNS if sign in lowered]
    if memory:
        if not errors:
            cause = memory[0]
        return (f"the grader cannot run: its sandboxed worker could not import torch within the "
                f"memory limit of {memory_mib} MiB ({cause}); raise it with --memory")
    if errors and ("import" in lowered or "no module named" in lowered):
        return (f"the grader cannot run: its sandboxed worker could not import torch/numpy ({cause}); "
                f"check that `python -c \"import torch, numpy, PIL\"` works with the Python that "
                f"runs the grader")
    return f"the grader cannot run: its sandboxed worker did not start ({cause})"


class GradingClient(WorkerClient):
    """A WorkerClient that remembers why it cannot grade (`grader_failure`: a start that failed,
    or a worker lost with its template): every later test fails at once with the same reason
    (instead of restarting a worker that cannot start, test after test), and the grading as a
    whole becomes the grader's failure rather than a score."""

    def start(self):
        if self.grader_failure is not None:
            raise self.failure_again()
        try:
            return super().start()
        except GraderError as exc:
            self.grader_failure = WorkerStartFailed(explain_start_failure(exc, self.memory_mib))
            raise self.failure_again() from None

    def failure_again(self):
        # A new exception each time: raising the same one again would add every test's
        # frames to its traceback, which pytest then walks (minutes over a whole course).
        return type(self.grader_failure)(str(self.grader_failure))


def gpu_devices_present():
    return os.path.isdir("/dev") and any(n.startswith("nvidia") for n in os.listdir("/dev"))


class Grader:
    """Grades submissions of one course, one after another, in this process."""

    def __init__(self, course, timeout=5.0, memory_mib=2048, sandbox="auto", template=False,
                 **client_options):
        self.course = course
        self.options = dict(timeout=timeout, memory_mib=memory_mib, level=sandbox,
                            hidden=hidden_paths(course), gpu=gpu_devices_present(), **client_options)
        self.next = None  # (submission, a client already starting) for the next grade()
        # `template`: fork each submission's worker from one that imported torch once (worth it
        # when this process grades more than one submission: a batch).
        self.template = WorkerTemplate(self.options["hidden"], memory_mib, client_options.get("cpus", 1.0),
                                       sandbox, self.options["gpu"]) if template else None

    def templated(self):
        """Whether workers are forked from the template (so far as is known before a fork)."""
        return self.template is not None and not self.template.broken

    def prepare(self, submission):
        """Start the worker for `submission` now, so that its torch import overlaps other work."""
        if self.templated():
            self.template.launch()  # a fork is quick: nothing per submission to start ahead
            return
        submission = os.path.realpath(submission)
        if self.next is not None and self.next[0] == submission:
            return
        self.discard()
        client = GradingClient(submission, **self.options)
        try:
            client.start_async()
        except GraderError:  # grading that submission will say why
            client.close()
            return
        self.next = (submission, client)

    def discard(self):
        if self.next is not None:
            self.next[1].close()
            self.next = None

    def close(self):
        self.discard()
        if self.template is not None:
            self.template.close()

    def grade(self, submission, exercise_names=(), tasks=(), prepare_next=None):
        """Grade `submission`; returns the report as a dict (see docs/report.md).

        `tasks` keeps only the tests of those tasks; `prepare_next` names a submission whose
        worker starts as soon as this one's tests are running."""
        started = time.monotonic()
        path = check_submission(submission, self.course)
        exercises = select(self.course.exercises, list(exercise_names), tasks)
        if self.templated():
            client = GradingClient(path, template=self.template, **self.options)
            self.template.launch()  # the template's torch import overlaps ours
        elif self.next is not None and self.next[0] == path:
            client, self.next = self.next[1], None
        else:
            self.discard()
            client = GradingClient(path, **self.options)
            try:
                client.start_async()  # the worker imports torch while we do
            except GraderError as exc:
                client.close()
                raise WorkerStartFailed(explain_start_failure(exc, self.options["memory_mib"])) from None
        client.begin_budget(started)
        try:
            import_grading_modules()
            import torch

            from .reports import build as report
            results, plugin = run_tests(client, exercises, path, self.course.tests_dir,
                                        torch.cuda.is_available(), tasks,
                                        on_started=(lambda: self.prepare(prepare_next))
                                        if prepare_next else None)
            if client.grader_failure is not None:  # no verdict of this run is the student's
                raise client.failure_again() from None
            if client.proc is None and client.level is None:
                client.start()  # no test ran a call (all skipped): still say which sandbox holds
            environment = {
                "python": platform.python_version(),
                "torch": torch.__version__.split("+")[0],
                "numpy": __import__("numpy").__version__,
                "cuda_available": bool(torch.cuda.is_available()),
                "gpu_count": int(torch.cuda.device_count()),
                "sandbox": client.level,
                "process_limit": client.process_limit,
                "memory_limit": client.memory_limit,
                "cpu_limit": client.cpu_limit,
            }
            if client.level_notes:
                environment["sandbox_notes"] = client.level_notes
            environment["worker"] = client.worker_kind
            if self.template is not None and client.worker_kind != "template":
                environment["worker_note"] = client.template_note or self.template.broken \
                    or "no worker was needed"
            if client.total_timeout is not None:
                environment["total_timeout"] = client.total_timeout
                environment["total_timeout_reached"] = client.budget_spent
        finally:
            client.close()
        result = report.build(path, exercises, results, plugin.modules, environment,
                              time.monotonic() - started)
        result["submission_path"] = path
        return result


def grade(submission, exercise_names=(), timeout=5.0, memory_mib=2048, sandbox="auto",
          course=None, tasks=(), **client_options):
    """Grade one `submission` of `course` (default: the course found from here)."""
    grader = Grader(course or courses.find(), timeout=timeout, memory_mib=memory_mib,
                    sandbox=sandbox, **client_options)
    try:
        return grader.grade(submission, exercise_names, tasks)
    finally:
        grader.close()


PYTEST_INI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "judge", "hidden_tests.ini")
ENV_TO_CLEAR = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")
UNUSED_PLUGINS = ("unraisableexception", "threadexception", "doctest", "junitxml", "pastebin",
                  "faulthandler", "stepwise", "logging", "debugging",
                  # hidden tests are functions taking `student`, never unittest classes; the
                  # others serve options (--setup-only, --setup-plan, pythonpath=) never given
                  "unittest", "setuponly", "setupplan", "python_path")


class quiet_fds:
    """fds 1 and 2 point at `devnull` while the tests run: what C code or a reference computation
    writes there must not reach the report that `grade` prints on stdout, nor the terminal."""

    def __init__(self, devnull):
        self.devnull = devnull

    def __enter__(self):
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        self.saved = []
        for fd in (1, 2):
            try:
                self.saved.append(os.dup(fd))
            except OSError:  # closed (`grader grade ... >&-`): closed again afterwards
                self.saved.append(None)
            os.dup2(self.devnull.fileno(), fd)
        return self

    def __exit__(self, *exc):
        for stream in (sys.stderr, sys.__stderr__):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        for fd, saved in zip((1, 2), self.saved):
            if saved is None:
                os.close(fd)
            else:
                os.dup2(saved, fd)
                os.close(saved)


def run_tests(client, exercises, submission, tests_dir, cuda_available, tasks=(), on_started=None):
    """Run the hidden tests of `exercises` in this process; returns (results, plugin)."""
    import contextlib

    import pytest
    import torch
    from pytest_jsonreport.plugin import JSONReport

    from .judge.plugin import GradingPlugin

    files = [os.path.join(tests_dir, f"test_{ex.name}.py") for ex in exercises]
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        raise GraderError(f"the tests are incomplete: {missing[0]} is missing")
    plugin = GradingPlugin(client, {ex.name: ex for ex in exercises}, submission, cuda_available,
                           tasks=tasks, on_started=on_started)
    json_plugin = JSONReport()
    args = [
        *files,
        "-c", PYTEST_INI, "--rootdir", tests_dir, "--noconftest",
        "-p", "no:cacheprovider", "-p", "no:warnings", "-qq", "--tb=no",
        # Plugins the hidden tests do not use; unraisableexception alone spends half a second
        # in gc.collect() on a heap holding torch.
        *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
        "-p", "pytest_jsonreport.plugin", "--json-report-file=none",
        "--json-report-omit", "collectors", "log", "traceback", "streams", "warnings", "keywords",
        "--assert=plain", "--import-mode=importlib",
        # No capture per test phase (six dup2s and a temporary file's reads per test): fds 1
        # and 2 go to /dev/null once, around the whole run (see quiet_fds).
        "--capture=no",
    ]
    saved = {key: os.environ.pop(key) for key in ENV_TO_CLEAR if key in os.environ}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    saved_path = list(sys.path)
    # The references the tests compute are tiny: a second torch thread only spins on the core the
    # worker needs, and on a loaded machine waits for it (an LSTM reference: 0.2 s instead of
    # 0.01 s). A batch's runners get OMP_NUM_THREADS=1 already; the caller's setting comes back.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    # oneDNN spends 30 ms setting itself up on the first LSTM a reference runs, and is no
    # faster on tensors this small; the worker, where student code runs, keeps torch's default.
    mkldnn = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull), quiet_fds(devnull):
            code = pytest.main(args, plugins=[plugin, json_plugin])
    except Exception as exc:  # a bug of ours or of a pytest plugin, never the student's
        raise GraderError(f"the hidden tests could not run: {type(exc).__name__}: {exc}") from exc
    finally:
        torch.set_num_threads(threads)
        torch.backends.mkldnn.enabled = mkldnn
        os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        os.environ.update(saved)
        sys.path[:] = saved_path
    ok = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED)
    if code not in ok or json_plugin.report is None:
        raise GraderError(f"the hidden tests could not run (pytest exit status {int(code)}); "
                          "run them with pytest directly to see why")
    results = []
    for test in json_plugin.report.get("tests", []):
        verdict = dict(test.get("metadata") or {})
        if not verdict:
            raise GraderError(f"no verdict for {test['nodeid']}")
        verdict["id"] = test["nodeid"]
        verdict["duration_s"] = round(sum(
            test.get(phase, {}).get("duration", 0.0) for phase in ("setup", "call", "teardown")), 4)
        results.append(verdict)
    return results, plugin
