"""The same limits on every grading command, their course defaults, and the notebook's check()
keeping the next worker ready."""

import io
import os
import shutil

import pytest
from click.testing import CliRunner
from helpers import PROJECT, SOLUTIONS

from grader import cli, engine
from grader import course as courses
from grader.instructor import batch as batches


def course_with(tmp_path, limits_toml):
    """A whole copy of the course (a partial one is refused as broken) with `limits_toml` added
    to its manifest, and a solved shapes.py among the stubs."""
    root = tmp_path / "course"
    for folder in ("exercises", "solutions", "assets_picture", os.path.join("tests", "exercises")):
        shutil.copytree(os.path.join(PROJECT, folder), root / folder)
    with open(os.path.join(PROJECT, "exercises", "manifest.toml")) as fh:
        (root / "exercises" / "manifest.toml").write_text(fh.read() + "\n" + limits_toml)
    shutil.copy(os.path.join(SOLUTIONS, "shapes.py"), root / "exercises" / "shapes.py")
    return root


class Stop(Exception):
    pass


@pytest.fixture
def seen(monkeypatch):
    """What each command would grade with: engine.grade's, Grader's and run_batch's arguments."""
    calls = []

    def record(*args, **kwargs):
        calls.append(kwargs)
        raise engine.UsageError("recorded")

    class RecordingGrader:
        def __init__(self, course, **kwargs):
            calls.append(kwargs)

        def grade(self, *args, **kwargs):
            raise engine.UsageError("recorded")

        def close(self):
            pass

    monkeypatch.setattr(engine, "grade", record)
    monkeypatch.setattr(engine, "Grader", RecordingGrader)
    monkeypatch.setattr(batches, "run_batch", record)
    return calls


COMMANDS = {  # each command, and the keywords its limits arrive as
    "grade": (["grade"], ("timeout", "memory_mib", "cpus")),
    "list": (["list"], ("timeout", "memory_mib", "cpus")),
    "check": (["check", "swap_last_two"], ("timeout", "memory_mib", "cpus")),
    "batch": (["batch", "ROOT", "--out", "OUT"], ("timeout", "memory_mib", "cpus")),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_grading_command_takes_the_course_limits_and_the_command_line_wins(tmp_path, seen, name):
    root = course_with(tmp_path, "[limits]\ntimeout = 7.5\nmemory = 3000\ncpus = 2\n")
    args, keys = COMMANDS[name]
    args = [a.replace("ROOT", str(tmp_path)).replace("OUT", str(tmp_path / "out")) for a in args]
    runner = CliRunner()
    result = runner.invoke(cli.main, [*args, "--course", str(root)])
    assert result.exit_code == 2 and "recorded" in result.output, result.output
    assert tuple(seen[-1][k] for k in keys) == (7.5, 3000, 2.0), seen[-1]
    result = runner.invoke(cli.main, [*args, "--course", str(root), "--timeout", "2", "--memory", "1024",
                                      "--cpus", "0.5"])
    assert result.exit_code == 2 and "recorded" in result.output, result.output
    assert tuple(seen[-1][k] for k in keys) == (2.0, 1024, 0.5), seen[-1]
    result = runner.invoke(cli.main, [*args, "--course", PROJECT])  # no [limits]: the grader's own
    assert tuple(seen[-1][k] for k in keys) == (5.0, 2048, 1.0), seen[-1]


@pytest.mark.parametrize("table, why", [("timeout = 0", "timeout = 0"), ("memory = 'lots'", "memory"),
                                        ("wall = 3", "wall is unknown"), ("memory = 1024.5", "memory")])
def test_a_bad_limits_table_is_one_line_and_exit_2(tmp_path, table, why):
    root = course_with(tmp_path, f"[limits]\n{table}\n")
    result = CliRunner().invoke(cli.main, ["grade", "--course", str(root)])
    assert result.exit_code == 2 and result.output.startswith("Error: ") and why in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_the_handout_carries_the_course_limits(tmp_path):
    from grader.instructor import release
    root = course_with(tmp_path, "[limits]\ntimeout = 9\nmemory = 4096\n")
    shutil.copy(os.path.join(PROJECT, "exercises", "shapes.py"), root / "exercises" / "shapes.py")
    release.build(courses.open_course(str(root)), str(tmp_path / "handout"))
    handout = courses.open_course(str(tmp_path / "handout"))
    assert handout.limits == {"timeout": 9.0, "memory": 4096}
    assert (handout.limit("timeout"), handout.limit("memory"), handout.limit("cpus")) == (9.0, 4096, 1.0)


def test_check_in_a_notebook_keeps_the_next_worker_ready():
    import grader
    from grader.student import check as checking
    out = io.StringIO()
    first = grader.check("swap_last_two", submission=SOLUTIONS, course=PROJECT, file=out)
    assert first.passed, out.getvalue()
    (warm,) = [g for key, g in checking._graders.items() if key[0] == os.path.realpath(PROJECT)]
    assert warm.next is not None and warm.next[0] == os.path.realpath(SOLUTIONS)
    ready = warm.next[1]
    assert ready.pending is not None or ready.proc is not None  # already starting
    second = grader.check("swap_last_two", submission=SOLUTIONS, course=PROJECT, file=out)
    assert second.passed and warm.next is not None and warm.next[1] is not ready  # used, and renewed
    warm.close()
