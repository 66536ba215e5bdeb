"""Every classic mistake loses points on its own task, and only there.

Each file tests/mistakes/<module>/<mistake>.py holds one task of <module> done
the classic wrong way (and whatever else that needs); it is appended to the
reference solution, so its definitions replace the right ones. Its docstring
names the task on a line `TASK: <name>`. A round puts at most one mistake into each module of a
copy of solutions/ and grades it once; then, per module, the mistaken task must
lose points and every other task of that module must keep full marks.
"""

import os
import re

import pytest

from helpers import PROJECT, SOLUTIONS, grade, make_submission, results_by_task

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


def rounds():
    mistakes = all_mistakes()
    count = max((len(v) for v in mistakes.values()), default=0)
    return [{m: files[i] for m, files in mistakes.items() if i < len(files)} for i in range(count)]


@pytest.mark.parametrize("round_", rounds(), ids=lambda r: "+".join(
    f"{m}.{os.path.basename(p)[:-3]}" for m, p in sorted(r.items())))
def test_mistakes_lose_points_on_their_task_only(round_, tmp_path):
    files = {}
    for module, path in round_.items():
        with open(os.path.join(SOLUTIONS, f"{module}.py")) as fh, open(path) as mistake:
            files[f"{module}.py"] = fh.read() + "\n\n# ---- the mistake\n" + mistake.read()
    sub = make_submission(str(tmp_path / "sub"), files)
    report, _ = grade(sub, *sorted(round_), timeout=3.0)
    problems = []
    for module, path in round_.items():
        task = task_of(path)
        by_task = results_by_task(report, module)
        assert task in by_task, f"{path}: no hidden test grades task {task!r}"
        mine = [t for t in by_task[task] if t["status"] != "skipped"]
        if all(t["status"] == "passed" for t in mine):
            problems.append(f"{os.path.relpath(path, PROJECT)}: the mistake kept full marks on {task}")
        for other, tests in by_task.items():
            for t in tests:
                if other != task and t["status"] not in ("passed", "skipped"):
                    problems.append(f"{os.path.relpath(path, PROJECT)}: {t['id']} ({other}) lost points: "
                                    f"{t['status']}: {t['message'][:200]}")
    assert not problems, "\n".join(problems)
