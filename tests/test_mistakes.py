"""Every classic mistake loses points on its own task, and only there.

Each file tests/mistakes/<module>/<mistake>.py holds one task of <module> done
the classic wrong way (and whatever else that needs); it is appended to the
reference solution, so its definitions replace the right ones. Its docstring
names the task on a line `TASK: <name>` and, on a line `KEEPS: <test>, <test>`,
the tests of that task it still passes (the function names, without `test_*.py::`).
No KEEPS line means the mistake keeps nothing of its task. A line `PITFALL: <the docstring's words>`
marks a mistake that its stub's docstring warns about: tests/test_pitfalls.py grades those with the
public tests alone.

A round puts at most one mistake into each module of a copy of solutions/ and
grades it once (the rounds with the same modules together, by one `grader batch`); then, per
module:
- the tests of the mistaken task that pass are exactly those its KEEPS line names
  (tests skipped here, such as GPU tests without CUDA, are left out of the
  comparison); a mistake never keeps every test of its task;
- every other task of that module keeps full marks.

KEEPS is for partial credit that the mistake deserves: a test it passes must
check an answer that the mistake gets right (values on inputs where its error
does not show), never only a side property its wrong answer happens to share
(an unchanged input, an untouched global RNG, a shape). Declaring what each
mistake keeps makes a test that starts or stops biting show up here.
"""

import os
import re

import pytest

from helpers import PROJECT, SOLUTIONS, GradedRounds, results_by_task

MISTAKES = os.path.join(PROJECT, "tests", "mistakes")


def all_mistakes():
    found = {}
    for module in sorted(os.listdir(MISTAKES)):
        folder = os.path.join(MISTAKES, module)
        if os.path.isdir(folder):
            found[module] = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".py"))
    return found


def task_of(path):
    with open(path) as fh:
        match = re.search(r"^TASK: (\w+)", fh.read(), re.M)
    assert match, f"{path} has no 'TASK: <name>' line in its docstring"
    return match.group(1)


def keeps_of(path):
    """The tests of its task the mistake declares it passes (a `KEEPS: a, b` line; none without one)."""
    with open(path) as fh:
        match = re.search(r"^KEEPS: (.*)$", fh.read(), re.M)
    return {name.strip() for name in match.group(1).split(",") if name.strip()} if match else set()


def rounds():
    """Rounds of at most one mistake per module. GRADER_MISTAKES=gpu,losses keeps those modules'
    mistakes only (for a quick run on a GPU machine, say); unset, every module's."""
    mistakes = all_mistakes()
    only = [m for m in os.environ.get("GRADER_MISTAKES", "").split(",") if m]
    if only:
        mistakes = {m: files for m, files in mistakes.items() if m in only}
    count = max((len(v) for v in mistakes.values()), default=0)
    return [{m: files[i] for m, files in mistakes.items() if i < len(files)} for i in range(count)]


ROUNDS = rounds()
TEST = "test_mistakes_lose_points_on_their_task_only"


def round_files(round_):
    files = {}
    for module, path in round_.items():
        with open(os.path.join(SOLUTIONS, f"{module}.py")) as fh, open(path) as mistake:
            files[f"{module}.py"] = fh.read() + "\n\n# ---- the mistake\n" + mistake.read()
    return files


@pytest.fixture(scope="module")
def graded_rounds(request, tmp_path_factory):
    wanted = {ROUNDS.index(item.callspec.params["round_"]) for item in request.session.items
              if getattr(item, "originalname", None) == TEST and item.module is request.module}
    return GradedRounds(str(tmp_path_factory.mktemp("mistakes")), wanted,
                        lambda i: round_files(ROUNDS[i]), lambda i: ROUNDS[i], timeout=3.0)


@pytest.mark.parametrize("round_", ROUNDS, ids=lambda r: "+".join(
    f"{m}.{os.path.basename(p)[:-3]}" for m, p in sorted(r.items())))
def test_mistakes_lose_points_on_their_task_only(round_, graded_rounds):
    report = graded_rounds.report(ROUNDS.index(round_))
    problems = []
    for module, path in round_.items():
        task = task_of(path)
        by_task = results_by_task(report, module)
        assert task in by_task, f"{path}: no hidden test grades task {task!r}"
        mine = [t for t in by_task[task] if t["status"] != "skipped"]
        if all(t["status"] == "passed" for t in mine):
            problems.append(f"{os.path.relpath(path, PROJECT)}: the mistake kept full marks on {task}")
        names = {t["id"].split("::")[-1]: t for t in by_task[task]}
        unknown = keeps_of(path) - set(names)
        if unknown:
            problems.append(f"{os.path.relpath(path, PROJECT)}: KEEPS names tests that do not grade {task}: "
                            f"{', '.join(sorted(unknown))}")
        declared = keeps_of(path) & {name for name, t in names.items() if t["status"] != "skipped"}
        passed = {name for name, t in names.items() if t["status"] == "passed"}
        for name in sorted(passed - declared):
            problems.append(f"{os.path.relpath(path, PROJECT)}: the mistake keeps the points of {name}, "
                            "which its KEEPS line does not declare")
        for name in sorted(declared - passed):
            problems.append(f"{os.path.relpath(path, PROJECT)}: KEEPS declares {name}, which the mistake fails: "
                            f"{names[name]['status']}: {names[name]['message'][:200]}")
        for other, tests in by_task.items():
            for t in tests:
                if other != task and t["status"] not in ("passed", "skipped"):
                    problems.append(f"{os.path.relpath(path, PROJECT)}: {t['id']} ({other}) lost points: "
                                    f"{t['status']}: {t['message'][:200]}")
    assert not problems, "\n".join(problems)
