"""`grader check`: grade one target (an exercise or a task, or the next unfinished task) and say,
in words, what passed, what failed and what to do next. Also `grader.check(...)` in notebooks."""

import os
import atexit
import sys
from dataclasses import dataclass

from .. import course as courses, safe_text
from ..reports.table import display_path
from . import explain
from .targets import resolve


@dataclass
class CheckResult:
    target: str  # what was checked: a task, an exercise, or "" for the next unfinished task
    passed: bool  # every test that ran passed
    tasks: list  # explain.TaskResult, in course order
    report: dict
    text: str

    @property
    def exit_code(self):
        return 0 if self.passed else 1

    def __repr__(self):
        done = sum(t.state == explain.DONE for t in self.tasks)
        return f"<check {self.target or 'next'}: {'passed' if self.passed else 'not yet'}, " \
               f"{done} of {len(self.tasks)} tasks done>"


def next_task_after(course, name):
    tasks = [t.name for _, t in course.all_tasks()]
    if name in tasks and tasks.index(name) + 1 < len(tasks):
        return tasks[tasks.index(name) + 1]
    return None


def run_check(grader, course, target_name, submission, colour=False, exercises_only=None):
    """Grade and describe; `grader` is an engine.Grader (kept warm by watch and notebooks)."""
    submission = os.path.realpath(submission)
    shown = display_path(submission)
    if target_name:
        target = resolve(target_name, course)
        report = grader.grade(submission, [target.exercise.name],
                              tasks=[target.task.name] if target.task else ())
    else:
        target = None
        report = grader.grade(submission, exercises_only or ())
    results = explain.task_results(report, course, only=[t.name for t in target.tasks] if target else ())
    out = explain.Writer(colour)
    where = "public tests" if course.is_handout else "hidden tests"
    if target is not None:
        out.add(f"Checking {target.name} in {shown} ({where})")
        shown_results = [r for r in results if r.task in {t.name for t in target.tasks}]
    else:
        unfinished = [r for r in results if r.state in (explain.FAILING, explain.NOT_STARTED)]
        done = sum(r.state == explain.DONE for r in results)
        out.add(f"Checking {shown} ({where}): {done} of {len(results)} tasks done")
        shown_results = unfinished[:1]
    out.add()
    for result in shown_results:
        explain.describe_task(out, result, submission, shown)
    unfinished_here = [r for r in shown_results if r.state in (explain.FAILING, explain.NOT_STARTED)]
    passed = not any(r.state in (explain.FAILING, explain.NOT_STARTED)
                     for r in (shown_results if target is not None else results))
    if target is not None and all(r.state == explain.UNCHECKED for r in shown_results):
        passed = False  # nothing was checked: no reason to say it passes
    out.add()
    out.add(next_step(course, target, shown_results, unfinished_here, passed))
    return CheckResult(target_name or "", passed, results, report, out.text())


def next_step(course, target, shown_results, unfinished, passed):
    if unfinished:
        first = unfinished[0]
        if first.state == explain.NOT_STARTED:
            return f"Next: write {first.task}, then run `grader check {first.task}` " \
                   f"(stuck? `grader hint {first.task}`)"
        return f"Next: fix {first.task} and run `grader check {first.task}` again; " \
               f"for a hint, run `grader hint {first.task}`"
    if target is None:
        return "Every task is done. Well done!" if passed else "Nothing left to check here."
    if all(r.state == explain.UNCHECKED for r in shown_results):
        return f"Nothing here checks {target.name}; it is graded when you hand in."
    last = target.tasks[-1].name
    following = next_task_after(course, last)
    if following:
        return f"All of {target.name} passes. Next: `grader check {following}`"
    return f"All of {target.name} passes, and it is the last task of the course."


# ---------------------------------------------------------------- from Python (notebooks)
_graders = {}


@atexit.register
def _close_graders():
    """The worker started ahead for the next check leaves with the notebook's kernel."""
    for grader in _graders.values():
        grader.close()


def check(target=None, submission=None, course=None, timeout=None, file=None, memory=None, cpus=None):
    """Check a task or an exercise from Python, e.g. in a notebook::

        from grader import check
        check("to_numpy")                          # the course's exercises/
        check("to_numpy", submission="my/folder")

    Prints what `grader check` prints and returns a CheckResult (`.passed`, `.tasks`, `.report`).
    The grader stays loaded between calls and, as `grader watch` does, starts the next call's
    sandboxed worker as soon as a check is done, so a later check costs the tests alone.
    `timeout`, `memory` (MiB) and `cpus` default to the course's [limits]."""
    from ..engine import Grader
    found = courses.check(courses.find(course))
    timeout, memory, cpus = (value if value is not None else found.limit(name)
                             for name, value in (("timeout", timeout), ("memory", memory), ("cpus", cpus)))
    key = (found.root, timeout, memory, cpus)
    if key not in _graders:
        _graders[key] = Grader(found, timeout=timeout, memory_mib=memory, cpus=cpus)
    grader = _graders[key]
    submission = submission or found.exercises_dir
    result = run_check(grader, found, target, submission)
    try:
        grader.prepare(submission)  # the next check finds its worker ready
    except Exception:  # noqa: BLE001 - only a head start: the next check starts one itself
        pass
    print(safe_text.console(result.text), end="", file=file or sys.stdout)
    return result
