"""`grader list`: every exercise in learning order, each task done / failing / not started,
the score so far and a progress bar."""

import os

from ..reports.table import display_path
from . import explain

BAR = 30


def progress_bar(done, total, width=BAR):
    filled = round(width * done / total) if total else 0
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def render(report, course, submission, colour=False):
    out = explain.Writer(colour)
    results = explain.task_results(report, course)
    by_exercise = {}
    for r in results:
        by_exercise.setdefault(r.exercise, []).append(r)
    graded = {ex["name"]: ex for ex in report["exercises"]}
    kind = "handout: public tests" if course.is_handout else "hidden tests"
    out.add(f"{display_path(os.path.realpath(submission))} ({kind})")
    width = max((len(t.name) for _, t in course.all_tasks()), default=10)
    for number, ex in enumerate(course.exercises, start=1):
        entry = graded.get(ex.name)
        if entry is None:
            continue
        score = f"{entry['score']:g}/{entry['max_score']:g}"
        note = {"missing": "  (no file)", "import_error": "  (does not import)"}.get(entry["status"], "")
        out.add()
        out.add(out.style(f"{number:2d}. {ex.title} ({ex.name}.py)", bold=True) + f"  {score}{note}")
        for r in by_exercise.get(ex.name, []):
            mark = out.style(explain.MARKS[r.state], fg=explain.COLOURS[r.state])
            out.add(f"    {mark} {r.task.ljust(width)}  {r.state}")
    done = sum(r.state == explain.DONE for r in results)
    checked = [r for r in results if r.state != explain.UNCHECKED]
    out.add()
    out.add(f"{progress_bar(done, len(checked))} {done}/{len(checked)} tasks done, "
            f"{report['score']:g}/{report['max_score']:g} points ({report['percentage']:g}%)"
            + unchecked_note(len(results) - len(checked)))
    nxt = next((r for r in results if r.state in (explain.FAILING, explain.NOT_STARTED)), None)
    if nxt is not None:
        out.add(f"Next: `grader check {nxt.task}`")
    return out.text()


def unchecked_note(count):
    if not count:
        return ""
    return f"; {count} task has no test here" if count == 1 else f"; {count} tasks have no test here"
