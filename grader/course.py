"""A course is a folder; this module finds one and reads it.

A course holds `exercises/manifest.toml` (order, titles, hints, forbidden calls)
and `exercises/` (the stubs), `assets_picture/`, and, in the instructor's copy
only, `solutions/` and the hidden tests (`tests/exercises/`). A student handout
holds the public tests instead (`tests/public/`: the visible tests alone).

The grader grades the course it finds (`find`), never its own checkout by
accident: `--course DIR`, then `$GRADER_COURSE`, then the nearest folder at or
above the current one that holds `exercises/manifest.toml`, then the checkout
an editable install points at.
"""

import os
import re
from dataclasses import dataclass, field

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .errors import UsageError

MANIFEST = os.path.join("exercises", "manifest.toml")
HIDDEN_TESTS = os.path.join("tests", "exercises")
PUBLIC_TESTS = os.path.join("tests", "public")
# The checkout this package sits in, when it is one (an editable install or a source tree).
CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Task:
    name: str
    hints: list = field(default_factory=list)
    forbidden: list = field(default_factory=list)


@dataclass
class Exercise:
    name: str
    title: str
    picture: str = ""
    tasks: list = field(default_factory=list)

    def task(self, name):
        for task in self.tasks:
            if task.name == name:
                return task
        return None


# Grading limits a course may set in its manifest's [limits] table (a handout carries them):
# name -> (type, smallest, largest, the grader's own default). Options given on the command
# line win over them.
LIMITS = {"timeout": (float, 0.1, 600.0, 5.0), "memory": (int, 256, 1 << 20, 2048),
          "cpus": (float, 0.1, 1024.0, 1.0)}


@dataclass
class Course:
    root: str
    exercises: list
    # What the manifest itself got wrong (a duplicate, an entry without a name), found while
    # reading it; `problems(course)` adds what the files say.
    manifest_problems: list = field(default_factory=list)
    limits: dict = field(default_factory=dict)  # [limits] of the manifest: timeout, memory, cpus

    def limit(self, name):
        """The course's default for a grading limit, else the grader's."""
        return self.limits.get(name, LIMITS[name][3])

    @property
    def manifest_path(self):
        return os.path.join(self.root, MANIFEST)

    @property
    def exercises_dir(self):
        return os.path.join(self.root, "exercises")

    @property
    def solutions_dir(self):
        return os.path.join(self.root, "solutions")

    @property
    def assets_dir(self):
        return os.path.join(self.root, "assets_picture")

    @property
    def hidden_tests_dir(self):
        return os.path.join(self.root, HIDDEN_TESTS)

    @property
    def public_tests_dir(self):
        return os.path.join(self.root, PUBLIC_TESTS)

    @property
    def is_handout(self):
        """A student's copy: public tests only, no hidden tests."""
        return not os.path.isdir(self.hidden_tests_dir)

    @property
    def tests_dir(self):
        """The tests this course grades with: the hidden ones where present, else the public ones."""
        return self.public_tests_dir if self.is_handout else self.hidden_tests_dir

    @property
    def module_files(self):
        return [f"{ex.name}.py" for ex in self.exercises]

    def by_name(self):
        return {ex.name: ex for ex in self.exercises}

    def task_owner(self, task_name):
        """The exercise that holds `task_name`, or None."""
        for ex in self.exercises:
            if ex.task(task_name):
                return ex
        return None

    def all_tasks(self):
        return [(ex, task) for ex in self.exercises for task in ex.tasks]


def load_manifest(path, problems=None):
    """The exercises of the manifest at `path`. Entries it cannot use (no name, a list where a
    table belongs) are left out, and each is described in `problems` when a list is given."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}") from None
    problems = [] if problems is None else problems
    exercises = []
    entries = data.get("exercises", [])
    if not isinstance(entries, list):
        problems.append(f"{MANIFEST}: `exercises` must be a list of [[exercises]] tables")
        entries = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            problems.append(f"{MANIFEST}: exercise #{number} has no name")
            continue
        tasks = []
        raw_tasks = entry.get("tasks", [])
        if not isinstance(raw_tasks, list):
            problems.append(f"{MANIFEST}: exercise {entry['name']!r}: `tasks` must be a list of "
                            "[[exercises.tasks]] tables")
            raw_tasks = []
        for task_number, t in enumerate(raw_tasks, 1):
            if not isinstance(t, dict) or not isinstance(t.get("name"), str) or not t["name"]:
                problems.append(f"{MANIFEST}: exercise {entry['name']!r}: task #{task_number} has no name")
                continue
            hints, banned = t.get("hints", []), t.get("forbidden", [])
            # A string where a list belongs would become a list of its letters.
            for key, value in (("hints", hints), ("forbidden", banned)):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    problems.append(f"{MANIFEST}: task {t['name']!r}: `{key}` must be a list of strings")
            tasks.append(Task(t["name"], list(hints) if isinstance(hints, list) else [],
                              list(banned) if isinstance(banned, list) else []))
        picture = entry.get("picture", "")
        if not isinstance(picture, str):
            problems.append(f"{MANIFEST}: exercise {entry['name']!r}: `picture` must be a path")
            picture = ""
        exercises.append(Exercise(entry["name"], str(entry.get("title", entry["name"])), picture, tasks))
    return exercises


# ---------------------------------------------------------------- is the course whole?
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass
class TestInfo:
    """One test function as its file declares it (read with ast, never imported)."""
    name: str
    task: str  # "" when the test names no task
    visible: bool
    line: int


TOP_LEVEL_DEF = re.compile(r"(?:async\s+)?(?:def|class)\s+(\w+)|(\w+)\s*(?::[^=]*)?=(?!=)")
TASK_IN_DECORATORS = re.compile(r"(?:\bgraded|\bmark\.task)\(\s*(?:(['\"])(\w*)\1)?")
VISIBLE_IN_DECORATORS = re.compile(r"\bvisible\s*=\s*True\b|\bvisibility\(\s*['\"]visible['\"]")


def declared_tests(source):
    """The top-level test functions of a test file with the task they grade and whether students
    see them: from `@graded("task", visible=True)` or `@pytest.mark.task("task")` and
    `@pytest.mark.visibility("visible")`.

    Read line by line, not with ast: every command runs this, and parsing the course's test
    files costs more than the rest of the check together. `grader audit` compares what this
    finds with what pytest collects."""
    tests, decorators, number = [], None, 0
    for number, line in enumerate(source.splitlines(), 1):
        if line.startswith("@"):
            decorators = (decorators or []) + [line]
        elif decorators is not None and line[:1] in (" ", "\t", ")", "]", "}", "#", ""):
            decorators.append(line)  # a decorator's continuation (or a comment between them)
        else:
            match = re.match(r"(?:async\s+)?def\s+(test\w*)", line)
            if match:
                text = "\n".join(decorators or [])
                task = TASK_IN_DECORATORS.search(text)
                tests.append(TestInfo(match.group(1), "" if task is None else (task.group(2) or "<not a literal>"),
                                      bool(VISIBLE_IN_DECORATORS.search(text)), number))
            decorators = None
    return tests


def defined_names(path):
    """The top-level functions, classes and assigned names of a Python file (read line by line)."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        source = fh.read()
    names = set()
    for line in source.splitlines():
        match = TOP_LEVEL_DEF.match(line)
        if match:
            names.add(match.group(1) or match.group(2))
    return names


def rel(course, path):
    return os.path.relpath(path, course.root)


def problems(course):
    """Everything that makes the course wrong to grade, one line each, naming the file and the
    entry: duplicate or missing names, tasks without tests and tests without a task, stubs,
    solutions, pictures and hints that are not there, forbidden calls that are no dotted name.
    Cheap: it reads the manifest, and the stubs and the test files line by line, and imports
    nothing, so every command runs it (see `check`)."""
    found = list(course.manifest_problems)
    if not course.exercises and not found:
        found.append(f"{MANIFEST}: no [[exercises]]: the course has no exercise")
    tests_missing = not os.path.isdir(course.tests_dir)
    if tests_missing:
        found.append(f"{PUBLIC_TESTS}/: missing: the course has no hidden tests ({HIDDEN_TESTS}/) "
                     "and no public tests")
    seen_exercises, seen_tasks = {}, {}
    for ex in course.exercises:
        where = f"{MANIFEST}: exercise {ex.name!r}"
        if ex.name in seen_exercises:
            found.append(f"{where} is listed twice (exercises #{seen_exercises[ex.name]} and "
                         f"#{course.exercises.index(ex, seen_exercises[ex.name]) + 1})")
            continue
        seen_exercises[ex.name] = course.exercises.index(ex) + 1
        if not IDENTIFIER.fullmatch(ex.name):
            found.append(f"{where}: the name must be a Python module name")
            continue
        if not ex.tasks:
            found.append(f"{where} has no [[exercises.tasks]]")
        if ex.picture:
            picture = os.path.normpath(os.path.join(course.root, ex.picture))
            if not picture.startswith(course.root + os.sep) or not os.path.isfile(picture):
                found.append(f"{where}: picture {ex.picture} is not a file of the course")
        for task in ex.tasks:
            at = f"{MANIFEST}: task {task.name!r} of {ex.name!r}"
            if task.name in seen_tasks:
                found.append(f"{at} is listed twice (also in {seen_tasks[task.name]!r})")
            seen_tasks.setdefault(task.name, ex.name)
            if not IDENTIFIER.fullmatch(task.name):
                found.append(f"{at}: the name must be a Python identifier")
            if not [h for h in task.hints if h.strip()] or any(not h.strip() for h in task.hints):
                found.append(f"{at}: `hints` must hold at least one hint, and no empty one")
            for name in task.forbidden:
                if not DOTTED.fullmatch(name):
                    found.append(f"{at}: forbidden {name!r} is not a dotted name such as "
                                 "torch.nn.functional.softmax")
        if not tests_missing:
            found += test_problems(course, ex)
        found += module_problems(course, ex)
    if os.path.isdir(course.tests_dir):
        for name in sorted(os.listdir(course.tests_dir)):
            if name.startswith("test_") and name.endswith(".py") and name[5:-3] not in seen_exercises:
                found.append(f"{rel(course, os.path.join(course.tests_dir, name))}: no exercise "
                             f"{name[5:-3]!r} in {MANIFEST}, so these tests never run")
    return found


def module_problems(course, ex):
    """The stub (and, in the instructor's copy, the solution) of `ex` define each of its tasks."""
    found = []
    # A handout's exercises/ is the student's own work, graded as a submission: a module missing
    # there is the student's (`missing` in the report), not a broken course.
    folders = ([] if course.is_handout else [course.exercises_dir]) + \
        ([course.solutions_dir] if os.path.isdir(course.solutions_dir) else [])
    for folder in folders:
        path = os.path.join(folder, f"{ex.name}.py")
        if not os.path.isfile(path):
            found.append(f"{rel(course, path)}: missing (the module of exercise {ex.name!r})")
            continue
        names = defined_names(path)
        for task in ex.tasks:
            if task.name not in names:
                found.append(f"{rel(course, path)}: no definition of task {task.name!r}")
    return found


def test_problems(course, ex):
    """Every test of `ex` grades one of its tasks; every task has tests, and in the instructor's
    copy a visible one (the handout's public tests are cut from those)."""
    path = os.path.join(course.tests_dir, f"test_{ex.name}.py")
    if not os.path.isfile(path):
        return [f"{rel(course, path)}: missing (the tests of exercise {ex.name!r})"]
    with open(path, encoding="utf-8", errors="replace") as fh:
        tests = declared_tests(fh.read())
    found = []
    tasks = {t.name for t in ex.tasks}
    for test in tests:
        if test.task == "<not a literal>":
            continue  # a task named by a variable: pytest's collection (the audit) tells
        if not test.task:
            found.append(f"{rel(course, path)}: {test.name} names no task (use @graded(\"task\", ...))")
        elif test.task not in tasks:
            found.append(f"{rel(course, path)}: {test.name} grades {test.task!r}, which is no task "
                         f"of {ex.name!r} in {MANIFEST}")
    if any(t.task == "<not a literal>" for t in tests):
        return found  # which tasks those tests grade is known once pytest collects them
    for task in ex.tasks:
        own = [t for t in tests if t.task == task.name]
        if not own:
            if not course.is_handout:  # release may leave a visible test out; the audit says so
                found.append(f"{MANIFEST}: task {task.name!r} of {ex.name!r} has no test in "
                             f"{rel(course, path)}")
        elif not course.is_handout and not any(t.visible for t in own):
            found.append(f"{MANIFEST}: task {task.name!r} of {ex.name!r} has no visible test in "
                         f"{rel(course, path)} (students would have nothing to check it with)")
    return found


def check(course):
    """The course, or a UsageError naming its first problem (and how many more there are)."""
    found = problems(course)
    if found:
        more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''}; " \
               "`grader audit` lists them all)" if len(found) > 1 else ""
        raise UsageError(f"the course {course.root} is broken: {found[0]}{more}")
    return course


def load_limits(path):
    """The manifest's [limits] table, checked: {"timeout": s, "memory": MiB, "cpus": n}."""
    with open(path, "rb") as fh:
        try:
            table = tomllib.load(fh).get("limits", {})
        except tomllib.TOMLDecodeError:
            return {}  # load_manifest says why
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [limits] must be a table")
    limits = {}
    for name, value in table.items():
        if name not in LIMITS:
            raise UsageError(f"{path}: [limits] {name} is unknown; choose from {', '.join(LIMITS)}")
        kind, low, high, _ = LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (kind is int and value != int(value)) or not low <= value <= high:
            raise UsageError(f"{path}: [limits] {name} = {value!r} must be a number from {low:g} to {high:g}")
        limits[name] = kind(value)
    return limits


def is_course(folder):
    return os.path.isfile(os.path.join(folder, MANIFEST))


def open_course(root):
    root = os.path.realpath(root)
    path = os.path.join(root, MANIFEST)
    found = []
    exercises = load_manifest(path, found)
    return Course(root, exercises, found, load_limits(path))


def find(course_dir=None, cwd=None, environ=None):
    """The course to grade; a UsageError that says where it looked when there is none."""
    environ = os.environ if environ is None else environ
    if course_dir:
        if not is_course(course_dir):
            raise UsageError(f"--course {course_dir}: no {MANIFEST} there")
        return open_course(course_dir)
    if environ.get("GRADER_COURSE"):
        path = environ["GRADER_COURSE"]
        if not is_course(path):
            raise UsageError(f"GRADER_COURSE={path}: no {MANIFEST} there")
        return open_course(path)
    here = os.path.realpath(cwd or os.getcwd())
    folder = here
    while True:
        if is_course(folder):
            return open_course(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if is_course(CHECKOUT):
        return open_course(CHECKOUT)
    raise UsageError(f"no course found: no {MANIFEST} in {here} or any folder above it, "
                     "and none named by --course or GRADER_COURSE")
