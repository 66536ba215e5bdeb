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
LIMITS = {"timeout": (float, 0.1, 600.0, 5.0), "memory": (int, 768, 1 << 20, 2048),
          "cpus": (float, 0.1, 1024.0, 1.0)}


@dataclass
class Course:
    root: str
    exercises: list
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


def load_manifest(path):
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}") from None
    exercises = []
    for entry in data.get("exercises", []):
        tasks = [Task(t["name"], list(t.get("hints", [])), list(t.get("forbidden", [])))
                 for t in entry.get("tasks", [])]
        exercises.append(Exercise(entry["name"], entry.get("title", entry["name"]),
                                  entry.get("picture", ""), tasks))
    return exercises


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
    return Course(root, load_manifest(path), load_limits(path))


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
