"""The exercise manifest: order, titles, hints and forbidden calls (exercises/manifest.toml).

The grader reads the project's own manifest, never a submission's copy.
"""

import os
from dataclasses import dataclass, field

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .sandbox.levels import PROJECT_DIR

MANIFEST_PATH = os.path.join(PROJECT_DIR, "exercises", "manifest.toml")
TESTS_DIR = os.path.join(PROJECT_DIR, "tests", "exercises")
SOLUTIONS_DIR = os.path.join(PROJECT_DIR, "solutions")
EXERCISES_DIR = os.path.join(PROJECT_DIR, "exercises")


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

    @property
    def test_file(self):
        return os.path.join(TESTS_DIR, f"test_{self.name}.py")


def load(path=MANIFEST_PATH):
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    exercises = []
    for entry in data.get("exercises", []):
        tasks = [Task(t["name"], list(t.get("hints", [])), list(t.get("forbidden", [])))
                 for t in entry.get("tasks", [])]
        exercises.append(Exercise(entry["name"], entry.get("title", entry["name"]),
                                  entry.get("picture", ""), tasks))
    return exercises


def by_name(exercises=None):
    return {ex.name: ex for ex in (exercises if exercises is not None else load())}
