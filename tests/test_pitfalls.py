"""The public tests teach the lesson: every docstring pitfall loses points before hand-in.

A classic mistake of tests/mistakes/ that is a pitfall its stub's docstring names carries a line
`PITFALL: <the docstring's words>`. Each is graded here with the public tests alone, in a handout
made by `grader release` (its tests/public/), so a student who falls into a pitfall the lesson
warns about never reads "done" from `grader check`. (test_mistakes.py grades the same files with
every test.)

To keep this lean, a round holds several mistakes of one module at once, each of another task:
the mistakes of one task need a round each, so the rounds are as many as the most pitfalls of one
task. Every task of a round's modules without a mistake must keep full marks, so one mistake
cannot make another look caught. The rounds with the same modules are graded together, by one
`grader batch`.
"""

import os
import re

import pytest
from click.testing import CliRunner

from grader.cli import main
from helpers import PROJECT, SOLUTIONS, GradedRounds, results_by_task
from test_mistakes import all_mistakes, task_of


def pitfall_of(path):
    with open(path) as fh:
        match = re.search(r"^PITFALL: (.*)$", fh.read(), re.M)
    return match.group(1).strip() if match else None


def pitfall_rounds():
    """[{module: [path, ...]}]: in each round, at most one mistake per task."""
    rounds = []
    for module, paths in all_mistakes().items():
        by_task = {}
        for path in paths:
            if pitfall_of(path):
                by_task.setdefault(task_of(path), []).append(path)
        for task, found in sorted(by_task.items()):
            for i, path in enumerate(found):
                while len(rounds) <= i:
                    rounds.append({})
                rounds[i].setdefault(module, []).append(path)
    return rounds


ROUNDS = pitfall_rounds()


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("pitfalls") / "handout"
    result = CliRunner().invoke(main, ["release", str(out), "--course", PROJECT])
    assert result.exit_code == 0, result.output
    # Every visible test ships: none compares with a reference implementation that release leaves out.
    shipped = re.search(r"public tests: (\d+) of (\d+) visible tests", result.output)
    assert shipped and shipped.group(1) == shipped.group(2), result.output
    assert "left out" not in result.output, result.output
    return str(out)


def test_the_pitfall_lines_quote_their_stubs():
    count = 0
    for module, paths in all_mistakes().items():
        with open(os.path.join(PROJECT, "exercises", f"{module}.py")) as fh:
            stub = " ".join(fh.read().split())
        for path in paths:
            quote = pitfall_of(path)
            if quote is None:
                continue
            count += 1
            # The words between "..." elisions stand in the stub's docstrings as written.
            for part in (p.strip() for p in quote.split("...")):
                assert part and part in stub, f"{os.path.relpath(path, PROJECT)}: {part!r} is not in exercises/{module}.py"
    assert count >= 100  # measured: 106 of the 163 classic mistakes


def round_files(round_):
    files = {}
    for module, paths in round_.items():
        with open(os.path.join(SOLUTIONS, f"{module}.py")) as fh:
            text = fh.read()
        for path in paths:
            with open(path) as mistake:
                text += "\n\n# ---- the mistake\n" + mistake.read()
        files[f"{module}.py"] = text
    return files


@pytest.fixture(scope="module")
def graded_rounds(request, handout, tmp_path_factory):
    wanted = {ROUNDS.index(item.callspec.params["round_"]) for item in request.session.items
              if getattr(item, "originalname", None) == "test_each_pitfall_fails_a_public_test"
              and item.module is request.module}
    return GradedRounds(str(tmp_path_factory.mktemp("pitfall-rounds")), wanted,
                        lambda i: round_files(ROUNDS[i]), lambda i: ROUNDS[i], timeout=3.0,
                        extra=("--course", handout))


@pytest.mark.parametrize("round_", ROUNDS, ids=[f"round{i + 1}" for i in range(len(ROUNDS))])
def test_each_pitfall_fails_a_public_test(round_, graded_rounds):
    report = graded_rounds.report(ROUNDS.index(round_))
    problems = []
    for module, paths in round_.items():
        by_task = results_by_task(report, module)
        assert by_task and all(t["visibility"] == "visible" for ts in by_task.values() for t in ts)
        mistaken = {task_of(path): path for path in paths}
        for task, path in mistaken.items():
            ran = [t for t in by_task.get(task, []) if t["status"] != "skipped"]
            if not ran or all(t["status"] == "passed" for t in ran):
                problems.append(f"{os.path.relpath(path, PROJECT)}: the public tests call {task} done "
                                f"({len(ran)} ran); its pitfall: {pitfall_of(path)}")
        for task, tests in by_task.items():
            for t in tests:
                if task not in mistaken and t["status"] not in ("passed", "skipped"):
                    problems.append(f"{module}: {t['id']} ({task}, no mistake in this round) lost points: "
                                    f"{t['status']}: {t['message'][:200]}")
    assert not problems, "\n".join(problems)
