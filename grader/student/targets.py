"""What a student names on the command line: an exercise (a module) or a task."""

import difflib
from dataclasses import dataclass

from ..errors import UsageError


@dataclass
class Target:
    exercise: object  # course.Exercise
    task: object = None  # course.Task, or None for the whole exercise

    @property
    def name(self):
        return self.task.name if self.task else self.exercise.name

    @property
    def tasks(self):
        return [self.task] if self.task else list(self.exercise.tasks)


def nearest(name, course, limit=3):
    names = [ex.name for ex in course.exercises] + [t.name for _, t in course.all_tasks()]
    return difflib.get_close_matches(name, names, limit, 0.5)


def unknown(name, course, what="exercise or task"):
    close = nearest(name, course)
    hint = f"; did you mean {' or '.join(close)}?" if close else \
        f"; `grader list` shows them all"
    return UsageError(f"no {what} is called {name!r}{hint}")


def resolve(name, course):
    """The Target called `name`: an exercise's name, or a task's."""
    for ex in course.exercises:
        if ex.name == name:
            return Target(ex)
    for ex, task in course.all_tasks():
        if task.name == name:
            return Target(ex, task)
    raise unknown(name, course)


def resolve_task(name, course):
    """A task by name (hints are per task); an exercise's name gets a list of its tasks."""
    for ex, task in course.all_tasks():
        if task.name == name:
            return ex, task
    for ex in course.exercises:
        if ex.name == name:
            raise UsageError(f"{name!r} is an exercise; hints are per task: "
                             + ", ".join(t.name for t in ex.tasks))
    raise unknown(name, course, "task")
