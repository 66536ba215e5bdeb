"""The pytest side: the `student` fixture, the grading markers, and each test's verdict.

Markers on a hidden test:
    @pytest.mark.task("to_numpy")      the curriculum task it grades (required)
    @pytest.mark.points(2)             its weight (default 1)
    @pytest.mark.visibility("visible") shown in student releases (default "hidden")
    @pytest.mark.gpu                   needs CUDA on the grading machine; skipped otherwise

`grader.testing.graded(...)` applies them in one decorator. The verdict of each
test (status, score, message) goes into pytest-json-report's metadata, from
which `grader.reports.build` builds the report.
"""

import ast
import os

import pytest

from .. import safe_text
from . import forbidden as forbidden_check
from .student import StudentModules
from ..sandbox.client import BudgetSpent, ModuleUnavailable, StudentFailure, StudentTimeout

MESSAGE_LIMIT = 4000
OUTPUT_IN_MESSAGE = 1500

MARKERS = (
    "task(name): the curriculum task this test grades",
    "points(n): how many points the test is worth",
    "visibility(kind): visible (in student releases) or hidden",
    "gpu: needs a CUDA device on the grading machine",
)


def marker_arg(item, name, default):
    mark = item.get_closest_marker(name)
    if mark is None or not mark.args:
        return default
    return mark.args[0]


def exercise_of(item):
    base = os.path.basename(str(item.path))
    return base[len("test_"):-len(".py")] if base.startswith("test_") else base


class GradingPlugin:
    def __init__(self, client, exercises, submission, cuda_available, tasks=(), on_started=None):
        self.client = client
        self.tasks = set(tasks)  # grade only these tasks' tests (all when empty)
        self.on_started = on_started  # called once the tests are collected
        self.exercises = exercises  # name -> course.Exercise
        self.submission = submission
        self.cuda_available = cuda_available
        self.modules = {}  # name -> None (importable) or ModuleUnavailable
        self.static = {}  # (module, task) -> forbidden hits
        self.trees = {}  # module -> its ast.Module, or the SyntaxError that parsing it raised
        self.verdicts = {}  # nodeid -> dict
        # (exercise, task) -> why its first test timed out: the task's later tests would only
        # wait for the same endless loop, so they are `timeout` at once.
        self.timed_out = {}

    # ---------------------------------------------------------------- setup
    def pytest_configure(self, config):
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    def pytest_collection_modifyitems(self, config, items):
        if self.tasks:
            keep = [item for item in items if marker_arg(item, "task", None) in self.tasks]
            dropped = [item for item in items if item not in keep]
            if dropped:
                config.hook.pytest_deselected(items=dropped)
            items[:] = keep
        if self.on_started is not None:
            self.on_started()

    def pytest_runtest_setup(self, item):
        if item.get_closest_marker("gpu") and not self.cuda_available:
            pytest.skip("needs a CUDA device, and the grading machine has none")

    @pytest.fixture
    def student(self, request):
        item = request.node
        module = exercise_of(item)
        task = marker_arg(item, "task", None)
        exercise = self.exercises.get(module)
        manifest_task = exercise.task(task) if exercise and task else None
        banned = list(manifest_task.forbidden) if manifest_task else []
        self.client.take_output()  # what earlier tests printed is theirs
        self.client.check_budget("this test")
        if (module, task) in self.timed_out:
            raise StudentTimeout(f"not run: an earlier test of {task} timed out "
                                 f"({self.timed_out[module, task]})")
        self.ensure_module(module)
        if banned:
            hits = self.static_hits(module, task, banned)
            if hits:
                raise StudentForbiddenStatic(forbidden_check.describe(task, hits))
        self.client.current_forbidden = banned
        try:
            yield StudentModules(self.client, self, module)
        finally:
            self.client.current_forbidden = []

    def ensure_module(self, name):
        """Import the exercise's module once; a failure fails every test of it the same way."""
        if name not in self.modules:
            self.modules[name] = self.import_module(name)
        failure = self.modules[name]
        if failure is not None:
            raise ModuleUnavailable(str(failure), failure.status, failure.exercise_status)

    def import_module(self, name):
        path = os.path.join(self.submission, f"{name}.py")
        if os.path.islink(path) and not os.path.realpath(path).startswith(
                os.path.realpath(self.submission) + os.sep):
            return ModuleUnavailable(
                f"{name}.py is a link to a file outside the submission folder, which the grader "
                "does not look at; put the file itself in the folder", "error", "import_error")
        if not os.path.isfile(path):
            return ModuleUnavailable(f"the submission has no {name}.py", "error", "missing")
        tree = self.parsed(name)
        if isinstance(tree, SyntaxError):
            return ModuleUnavailable(
                f"{name}.py does not compile: {tree.msg}" + (f" (line {tree.lineno})" if tree.lineno else ""),
                "error", "import_error")
        try:
            self.client.request("import", f"import {name}", module=name,
                                timeout=max(2 * self.client.timeout, 2.0))
        except BudgetSpent:
            raise  # the module is not at fault: this test is `timeout`, nothing is remembered
        except StudentFailure as exc:
            if exc.status == "forbidden":  # tampering at import: its own verdict, for every test
                return ModuleUnavailable(str(exc), "forbidden", "import_error")
            status = exc.status if exc.status in ("timeout", "crashed") else "error"
            return ModuleUnavailable(f"importing {name}.py failed: {exc}", status, "import_error")
        return None

    def source(self, name):
        """The module's source as Python reads it (a UTF-8 BOM, a coding line, CRLF)."""
        return safe_text.read_source(os.path.join(self.submission, f"{name}.py"))

    def parsed(self, name):
        """The module's syntax tree (or the SyntaxError), read and parsed once per grading: the
        import checks that it compiles, and each task with forbidden calls looks through it."""
        if name not in self.trees:
            try:
                self.trees[name] = ast.parse(self.source(name), filename=f"{name}.py")
            except SyntaxError as exc:
                self.trees[name] = exc
            except ValueError as exc:  # Pythons before 3.11.4: a null byte in the source
                self.trees[name] = SyntaxError(str(exc))
        return self.trees[name]

    def static_hits(self, module, task, banned):
        key = (module, task)
        if key not in self.static:
            tree = self.parsed(module)
            self.static[key] = [] if isinstance(tree, SyntaxError) else forbidden_check.find_in(tree, task, banned)
        return self.static[key]

    # ---------------------------------------------------------------- verdicts
    def pytest_json_runtest_metadata(self, item, call):
        """Decide each test's verdict as its phases end; pytest-json-report stores it."""
        excinfo = call.excinfo
        if call.when == "setup" and excinfo is not None and excinfo.errisinstance(pytest.skip.Exception):
            self.record(item, "skipped", str(excinfo.value.msg))
        elif call.when in ("setup", "call") and excinfo is not None:
            status, message = self.judge(excinfo)
            key = (exercise_of(item), marker_arg(item, "task", ""))
            if excinfo.errisinstance(StudentTimeout) and not excinfo.errisinstance(BudgetSpent) \
                    and key not in self.timed_out:
                self.timed_out[key] = self.relative_paths(message.splitlines()[0])[:300]
            output = self.client.take_output().strip()
            if output:
                message += "\nIt printed:\n" + output[-OUTPUT_IN_MESSAGE:]
            self.record(item, status, message)
        elif call.when == "call":
            self.record(item, "passed", "")
        elif call.when == "teardown" and item.nodeid not in self.verdicts:
            self.record(item, "error", "the test did not complete")
        verdict = self.verdicts.get(item.nodeid)
        return dict(verdict) if verdict else {}

    def judge(self, excinfo):
        exc = excinfo.value
        if isinstance(exc, StudentForbiddenStatic):
            return "forbidden", str(exc)
        if isinstance(exc, StudentFailure):
            return exc.status, str(exc)
        if isinstance(exc, AssertionError):
            return "failed", str(exc) or "the result was not what this test expects"
        # A check that could not even run on what came back (an object where an array
        # belongs, say) is the student's wrong answer; the name helps find a test bug too.
        return "failed", f"the result could not be checked ({type(exc).__name__}: {exc})"

    def record(self, item, status, message):
        if item.nodeid in self.verdicts:
            return  # the first verdict stands (a failed setup is not overwritten by teardown)
        points = float(marker_arg(item, "points", 1))
        self.verdicts[item.nodeid] = {
            "exercise": exercise_of(item),
            "task": marker_arg(item, "task", ""),
            "status": status,
            "score": points if status == "passed" else 0.0,
            "max_score": points,
            "visibility": marker_arg(item, "visibility", "hidden"),
            "message": safe_text.clean(self.relative_paths(message), MESSAGE_LIMIT),
        }

    def relative_paths(self, message):
        """Paths inside the submission as the student wrote them ('shapes.py'), never the
        sandbox's ('/submission/shapes.py') or the grading machine's."""
        for folder in {self.client.worker_submission, self.submission}:
            message = message.replace(folder.rstrip("/") + "/", "")
        return message


class StudentForbiddenStatic(Exception):
    """The submission's source reaches a forbidden call (found without running it)."""
