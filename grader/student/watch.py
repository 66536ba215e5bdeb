"""`grader watch`: re-check the module that was saved, show the result and the next unfinished task.

Kept fast: the trusted side (pytest, torch, the test modules) stays loaded, and a fresh worker is
started right after each check, so that a re-check after a save costs the tests, not the imports.
Saves are noticed by polling modification times (no extra dependency, works on every filesystem).
"""

import os
import time

from .. import safe_text
from ..reports.table import display_path
from . import check as checking

POLL_S = 0.02  # stat() of a dozen files: some 50 µs, nothing next to a check
# An editor may write a file in several steps (truncate, write; or write a copy and rename it):
# a change is checked once the files have stayed as they are for SETTLE_S, or after SETTLE_MAX_S
# of steady writing. A step that comes later still is a change of its own, checked in turn.
SETTLE_S = 0.02
SETTLE_MAX_S = 0.25


def snapshot(submission, course):
    stamps = {}
    for name in course.module_files:
        try:
            st = os.stat(os.path.join(submission, name))
            stamps[name] = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamps[name] = None
    return stamps


def changed_modules(before, after):
    return [name[:-3] for name in after if after[name] != before.get(name) and after[name] is not None]


def settled(submission, course, now, sleep=time.sleep, clock=time.monotonic):
    """The files' stamps once they have stopped changing (see SETTLE_S)."""
    deadline = clock() + SETTLE_MAX_S
    while True:
        sleep(SETTLE_S)
        again = snapshot(submission, course)
        if again == now or clock() >= deadline:
            return again
        now = again


def watch(grader, course, submission, echo, colour=False, clear=False, stop=None):
    """Loop until Ctrl-C (or `stop()` returns true): on each save, check the saved module."""
    submission = os.path.realpath(submission)
    grader.prepare(submission)
    echo(f"Watching {display_path(submission)} for saved changes (Ctrl-C to stop).")
    seen = snapshot(submission, course)
    while stop is None or not stop():
        time.sleep(POLL_S)
        now = snapshot(submission, course)
        modules = changed_modules(seen, now)
        if not modules:
            continue
        seen = settled(submission, course, now)
        started = time.monotonic()
        result = checking.run_check(grader, course, modules[-1], submission, colour=colour)
        took = time.monotonic() - started
        grader.prepare(submission)  # the next check finds its worker ready
        if clear:
            echo("\x1b[2J\x1b[H", nl=False)
        echo(safe_text.console(result.text), nl=False)
        echo(f"(checked {modules[-1]}.py in {took:.2f} s; watching for changes, Ctrl-C to stop)")
