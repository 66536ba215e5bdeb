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


def make_venv(folder, pth_lines=()):
    """A virtual environment at `folder` that sees what this interpreter sees.

    `system_site_packages=True` would show the *base* interpreter's packages, not those of the
    venv the tests may themselves run in (where torch and pytest are installed, as the README's
    flow does): so the site folders of this interpreter are added with a .pth file instead, after
    the new venv's own site-packages (what is installed into it comes first). `pth_lines` are
    appended to that file (a line starting with `import` runs at start-up). Returns its python."""
    import site
    import sysconfig
    import venv
    venv.create(folder, system_site_packages=False, with_pip=False, symlinks=True)
    python = os.path.join(folder, "bin", "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = []
    for path in [*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]:
        if os.path.isdir(path) and path not in ours:
            ours.append(path)
    lines = [f"import site; site.addsitedir({path!r})" for path in ours] + list(pth_lines)
    with open(os.path.join(purelib, "zz_outer_site.pth"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return python


def grade_many(root, *exercises, timeout=2.0, extra=()):
    """Grade every submission folder directly under `root` with one `grader batch --jobs 1`
    and return {folder name: report}. The same reports as `grade` gives one at a time (the
    batch's fields added), for the cost of one grader start: each worker starts while the
    previous submission's tests run."""
    out = f"{root}.out"
    args = ["batch", root, "--out", out, "--jobs", "1", "--timeout", str(timeout), "-q", *extra]
    for name in exercises:
        args += ["-e", name]
    proc = subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True,
                          timeout=1800, cwd=PROJECT)
    assert proc.returncode == 0, f"batch exited {proc.returncode}: {proc.stderr[-3000:]}"
    reports = {}
    for name in sorted(os.listdir(root)):
        with open(os.path.join(out, f"{name}.json"), encoding="utf-8") as fh:
            reports[name] = json.load(fh)
    return reports


class GradedRounds:
    """Rounds (submission folders, each graded on its own exercises) graded lazily, those with
    the same exercises together by one `grade_many`: the first test that asks for a round grades
    every round of its set that this session will ask for (`wanted`)."""

    def __init__(self, base, wanted, files_of, exercises_of, timeout=2.0, extra=()):
        self.base, self.wanted, self.files_of, self.exercises_of = base, wanted, files_of, exercises_of
        self.timeout, self.extra, self.reports = timeout, extra, {}

    def report(self, index):
        if index not in self.reports:
            key = tuple(sorted(self.exercises_of(index)))
            group = sorted({i for i in self.wanted if tuple(sorted(self.exercises_of(i))) == key} | {index})
            root = os.path.join(self.base, "set-" + "-".join(key))
            for i in group:
                make_submission(os.path.join(root, f"round{i + 1:02d}"), self.files_of(i))
            graded = grade_many(root, *key, timeout=self.timeout, extra=self.extra)
            for i in group:
                self.reports[i] = graded[f"round{i + 1:02d}"]
        report = self.reports[index]
        assert report.get("batch_status", "graded") == "graded", report.get("batch_status")
        return report
