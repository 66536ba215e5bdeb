"""`grader hint TASK`: one more hint each time it is asked, remembered per submission folder.

What was shown is kept in the user's cache folder ($XDG_CACHE_HOME, else ~/.cache), keyed by the
submission folder's real path, so a student's folder holds only their code."""

import hashlib
import json
import os

from ..reports.formats import write_atomic


def state_file(submission):
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = hashlib.sha256(os.path.realpath(submission).encode()).hexdigest()[:16]
    return os.path.join(base, "torch-grader", "hints", f"{key}.json")


def load(submission):
    try:
        with open(state_file(submission)) as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save(submission, data):
    path = state_file(submission)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, json.dumps(data, indent=1))
    except OSError:
        pass  # forgetting which hint was shown is no reason to fail


def next_hint(submission, task, reset=False):
    """(number shown now, total, the hints shown so far). Asking past the last shows them all."""
    data = {} if reset else load(submission)
    seen = int(data.get(task.name, 0)) if isinstance(data.get(task.name, 0), int) else 0
    total = len(task.hints)
    now = min(seen + 1, total)
    data[task.name] = now
    save(submission, data)
    return now, total, seen >= total, task.hints[:now]


def render(task, submission, reset=False):
    now, total, exhausted, shown = next_hint(submission, task, reset)
    if not total:
        return f"There are no hints for {task.name}.\n"
    lines = []
    for number, hint in enumerate(shown, start=1):
        lines.append(f"Hint {number} of {total} for {task.name}:")
        lines.append("  " + hint.strip().replace("\n", "\n  "))
    if exhausted:
        lines.append(f"That was the last hint for {task.name}: there are no more.")
    elif now < total:
        lines.append(f"(`grader hint {task.name}` again for hint {now + 1})")
    else:
        lines.append("That is the last one.")
    return "\n".join(lines) + "\n"
