"""Shared helpers for the project's own tests: build submissions, grade them, read reports."""

import json
import os
import shutil
import subprocess
import sys

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(PROJECT, "solutions")
EXERCISES = os.path.join(PROJECT, "exercises")


def make_submission(folder, files=None, base=SOLUTIONS, modules=None):
    """A submission in `folder`: the modules of `base` (all, or `modules`), then `files`
    ({name: text}) written over them."""
    os.makedirs(folder, exist_ok=True)
    if base is not None:
        for name in sorted(os.listdir(base)):
            if name.endswith(".py") and (modules is None or name[:-3] in modules):
                shutil.copy(os.path.join(base, name), os.path.join(folder, name))
    for name, text in (files or {}).items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)
    return folder


def run_grader(*args, timeout=300, env=None):
    """Run `python -m grader.cli grade ...` in a subprocess; returns CompletedProcess."""
    cmd = [sys.executable, "-m", "grader.cli", "grade", *args]
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=PROJECT,
                          env=full_env)


def grade(submission, *exercises, timeout=2.0, extra=()):
    """Grade and return (report dict, CompletedProcess)."""
    args = [submission, "--timeout", str(timeout), *extra]
    for name in exercises:
        args += ["-e", name]
    proc = run_grader(*args)
    assert proc.returncode == 0, f"grader exited {proc.returncode}: {proc.stderr[-3000:]}"
    return json.loads(proc.stdout), proc


def results_by_task(report, exercise):
    out = {}
    for ex in report["exercises"]:
        if ex["name"] == exercise:
            for t in ex["tests"]:
                out.setdefault(t["task"], []).append(t)
    return out


def exercise(report, name):
    return next(ex for ex in report["exercises"] if ex["name"] == name)
