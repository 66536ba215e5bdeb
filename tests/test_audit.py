"""`grader audit` and the course checked as data by every command.

The quick audit of this course runs once (module fixture) for several assertions, in the
background from the module's first test, beside the audits of a toothless copy; broken copies
of the course are built in tmp_path from the folders a course needs.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from grader import course as courses
from grader.cli import main
from helpers import PROJECT

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)


def audit_cli(*args, cwd=PROJECT, timeout=600):
    return subprocess.run([sys.executable, "-m", "grader", "audit", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout)


def copy_course(root):
    """A copy of this course: the folders grading needs, the mistakes and the audit's judgements."""
    for folder in ("exercises", "solutions", "assets_picture", os.path.join("tests", "exercises")):
        shutil.copytree(os.path.join(PROJECT, folder), root / folder)
    os.makedirs(root / "tests" / "audit", exist_ok=True)
    shutil.copy(os.path.join(PROJECT, "tests", "audit", "mutants_equivalent.txt"), root / "tests" / "audit")
    return root


def edit(path, old, new, count=1):
    text = path.read_text()
    assert text.count(old) >= count, (path, old)
    path.write_text(text.replace(old, new, count))


class Started:
    """An audit running in the background, its output in files (no pipe to keep drained)."""

    def __init__(self, folder, *args, cwd=PROJECT):
        self.out, self.err = folder / "audit.out", folder / "audit.err"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "grader", "audit", *args], stdout=out,
                                         stderr=err, text=True, cwd=cwd)

    def result(self, timeout=900):
        self.proc.wait(timeout=timeout)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, self.out.read_text(),
                                           self.err.read_text())


@pytest.fixture(scope="module", autouse=True)
def audits(request, tmp_path_factory):
    """The audit of this course and that of the toothless copy (below), started with the module's
    first test for the tests that will use them: each grades one submission after another,
    waiting for each worker's import of torch, so that beside each other (and beside the tests
    that run meanwhile) they keep two cores busy where one after the other kept one. Each is
    waited for by its own fixture."""
    wanted = set().union(*(item.fixturenames for item in request.session.items
                           if item.module is request.module))
    started = {}
    if "this_course" in wanted:
        folder = tmp_path_factory.mktemp("audit")
        started["this_course"] = (Started(folder, "--html", str(folder / "audit.html")), folder / "audit.html")
    if "toothless" in wanted:
        root = toothless_copy(tmp_path_factory.mktemp("toothless") / "course")
        started["toothless"] = (Started(root.parent, "--course", str(root), "-e", "shapes", "--mutants",
                                        "--task", "add_batch_dim", "--jobs", "2", cwd=str(root)), root)
    yield started
    for run, _ in started.values():
        if run.proc.poll() is None:  # a test stopped before its fixture waited
            run.proc.kill()
            run.proc.wait()


# ---------------------------------------------------------------- broken copies
def duplicate_exercise(root):
    edit(root / "exercises" / "manifest.toml", 'name = "shapes"', 'name = "tensor_numpy"')
    return ["exercises/manifest.toml: exercise 'tensor_numpy' is listed twice",
            "tests/exercises/test_shapes.py: no exercise 'shapes'"]


def renamed_task(root):
    edit(root / "exercises" / "manifest.toml", 'name = "to_numpy"', 'name = "to_numpyy"')
    return ["exercises/manifest.toml: task 'to_numpyy' of 'tensor_numpy' has no test",
            "exercises/tensor_numpy.py: no definition of task 'to_numpyy'",
            "tests/exercises/test_tensor_numpy.py: test_to_numpy_values_shape_dtype grades 'to_numpy', "
            "which is no task of 'tensor_numpy'"]


def empty_manifest(root):
    (root / "exercises" / "manifest.toml").write_text("# nothing yet\n")
    return ["exercises/manifest.toml: no [[exercises]]"]


def task_without_tests(root):
    edit(root / "exercises" / "manifest.toml", '[[exercises]]\nname = "creation"',
         '[[exercises.tasks]]\nname = "drop_batch"\nhints = ["squeeze(0)"]\nforbidden = []\n\n'
         '[[exercises]]\nname = "creation"')
    for folder in ("exercises", "solutions"):
        with open(root / folder / "shapes.py", "a") as fh:
            fh.write("\n\ndef drop_batch(t):\n    return t.squeeze(0)\n")
    return ["exercises/manifest.toml: task 'drop_batch' of 'shapes' has no test in "
            "tests/exercises/test_shapes.py"]


BROKEN = [duplicate_exercise, renamed_task, empty_manifest, task_without_tests]


@pytest.mark.parametrize("breaking", BROKEN, ids=lambda f: f.__name__)
def test_a_broken_course_is_named_by_audit_and_refused_by_every_command(breaking, tmp_path):
    root = copy_course(tmp_path / "course")
    expected = breaking(root)
    runner = CliRunner()
    result = runner.invoke(main, ["audit", "--course", str(root)])
    assert result.exit_code == 2, result.output
    for line in expected:
        assert any(out.startswith(line) for out in result.output.splitlines()), (line, result.output)
    assert "problem" in result.output.splitlines()[-1]

    first = result.output.splitlines()[0]
    commands = [["grade", str(root / "solutions")], ["check", "-s", str(root / "solutions")],
                ["release", str(tmp_path / "handout")]]
    if breaking is duplicate_exercise:  # every command, once
        commands += [["list"], ["hint", "to_numpy"], ["watch"],
                     ["batch", str(tmp_path), "--out", str(tmp_path / "out")],
                     ["gradescope-package", str(tmp_path / "ag.zip")]]
    for args in commands:
        result = runner.invoke(main, [*args, "--course", str(root)])
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1, (args, result.output)
        assert lines[0].startswith("Error: the course ") and first in lines[0], (args, lines)
    assert not (tmp_path / "handout").exists() and not (tmp_path / "ag.zip").exists()
    assert not (tmp_path / "out").exists()


def test_release_of_a_broken_copy_is_refused_before_anything_is_written(tmp_path):
    """The subprocess a course author runs: one line, exit 2, no handout without `shapes`."""
    root = copy_course(tmp_path / "course")
    duplicate_exercise(root)
    proc = subprocess.run([sys.executable, "-m", "grader", "release", str(tmp_path / "h"),
                           "--course", str(root)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == "", proc
    assert proc.stderr.count("\n") == 1 and "listed twice" in proc.stderr
    assert not (tmp_path / "h").exists()


# ---------------------------------------------------------------- tests that stopped biting
def toothless_copy(folder):
    """A copy whose add_batch_dim tests lost their checks: they call the task and assert nothing."""
    root = copy_course(folder)
    path = root / "tests" / "exercises" / "test_shapes.py"
    for check in ("        check_tensor(out, shape=(1, *shape), dtype=torch.float32)\n",
                  "        check_close(out, t.unsqueeze(0))\n",
                  "        check_tensor(out, shape=(1, *t.shape), dtype=t.dtype)\n"):
        edit(path, check, "", count=1)
    edit(path, "        check_close(out, t.unsqueeze(0))\n", "")
    mistakes = root / "tests" / "mistakes" / "shapes"
    mistakes.mkdir(parents=True)
    (mistakes / "no_batch_dim.py").write_text(
        '"""Mistake: the tensor back as it came\n\nTASK: add_batch_dim\n'
        'PITFALL: a batch dimension of size 1 in front\n"""\n\n\ndef add_batch_dim(x):\n    return x\n')
    (mistakes / "squeeze_all.py").write_text(
        '"""Mistake: nothing back\n\nTASK: remove_batch_dim\nPITFALL: returns the tensor\n"""\n\n\n'
        'def remove_batch_dim(x):\n    return None\n')
    (mistakes / "not_a_pitfall.py").write_text(
        '"""Mistake: not one the docstring names\n\nTASK: add_batch_dim\n"""\n\n\n'
        'def add_batch_dim(x):\n    return x\n')
    return root


@pytest.fixture(scope="module")
def toothless(audits):
    run, root = audits["toothless"]
    return root, run.result()


def test_audit_names_the_constant_that_scores_and_the_surviving_mutants(toothless):
    root, proc = toothless
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "FAIL constants score 0: constants: 1 of 5 tasks earn points" in out
    assert re.search(r"add_batch_dim: a constant of the right type and shape earns 2 points "
                     r"\(test_add_batch_dim, test_add_batch_dim_any_dtype\)", out), out
    assert "FAIL mutants are killed by the hidden tests" in out
    survivors = re.findall(r"^SURVIVOR (shapes\.add_batch_dim\.[0-9a-f]{8})", out, re.M)
    assert survivors, out
    assert "-    return x.unsqueeze(0)" in out  # each survivor with its diff
    share = re.search(r"^  shapes\.add_batch_dim +([\d.]+) % +([\d.]+) % +of (\d+)$", out, re.M)
    assert share and float(share.group(1)) < 50 and float(share.group(2)) < 50, out
    assert len(survivors) >= int(share.group(3)) // 2
    # the PITFALL fixtures: one caught by the public tests, one they call done (the checks are
    # gone); the fixture without a PITFALL line does not count
    assert "FAIL pitfalls fail the public tests: pitfalls: 1 of 2 fixtures marked PITFALL fail the " \
           "public tests (50 %)" in out, out
    assert 'tests/mistakes/shapes/no_batch_dim.py (add_batch_dim): "a batch dimension of size 1 in ' \
           'front" is called done by the public tests' in out, out
    assert "squeeze_all" not in out and "not_a_pitfall" not in out
    # the other checks still hold: only what broke is named
    assert "ok   solutions score full" in out and "ok   stubs score 0" in out


def test_mutants_resume_from_the_state_file(toothless):
    root, first = toothless
    state = root / "tests" / "audit" / "mutants-state.jsonl"
    entries = state.read_text().splitlines()
    total = int(re.search(r"(\d+) mutants, 0 graded before", first.stdout).group(1))
    assert len(entries) == total >= 4
    assert all(json.loads(line)["result"]["tests"] for line in entries)
    # a run killed mid-write: one result kept, the next cut short
    state.write_text(entries[0] + "\n" + entries[1][:20])
    args = [sys.executable, "-m", "grader", "audit", "--course", str(root), "-e", "shapes", "--mutants",
            "--task", "add_batch_dim", "--jobs", "2"]
    # interrupted again (SIGTERM) once a round more is written: it stops its gradings and keeps
    # what it wrote
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(root))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if len(complete_results(state)) >= 2:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "run again to resume" in err, err
    kept = len(complete_results(state))
    assert 2 <= kept < total
    proc = audit_cli("--course", str(root), "-e", "shapes", "--mutants", "--task", "add_batch_dim",
                     "--jobs", "2", cwd=str(root))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{total} mutants, {kept} graded before" in proc.stdout
    assert f"{total - kept} rounds to grade" in proc.stdout
    assert len(re.findall(r"^audit: \d+/\d+ mutants:", proc.stderr, re.M)) == total - kept
    # the same verdicts as the uninterrupted run
    assert re.findall(r"^SURVIVOR \S+", proc.stdout, re.M) == re.findall(r"^SURVIVOR \S+", first.stdout, re.M)


def complete_results(state):
    found = set()
    for line in state.read_text().splitlines():
        try:
            found.add(json.loads(line)["id"])
        except ValueError:
            pass
    return found


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere():
    import io

    from grader.audit.core import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    bar, plain = Terminal(), io.StringIO()
    for stream in (bar, plain):
        progress = Progress(stream, total=2)
        progress.step("solutions graded")
        progress.grow(1)
        progress.step("stubs graded")
        progress.step("mutants: shapes")
    assert bar.getvalue().count("\r[") == 3 and "[" + "#" * 30 + "] 3/3" in bar.getvalue()
    assert bar.getvalue().endswith("\n") and bar.getvalue().count("\n") == 1
    lines = plain.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "audit: 1/2 solutions graded", "audit: 2/3 stubs graded", "audit: 3/3 mutants: shapes"]


def test_html_page_shows_failures_and_survivors_escaped():
    from grader.audit import mutation, render
    from grader.audit.core import Audit, Check, TaskMutants

    course = courses.find(PROJECT)
    mutant = next(m for m in mutation.module_mutants(course.solutions_dir, "shapes", ["add_batch_dim"])
                  if m["kind"] == "return None")
    row = TaskMutants("shapes", "add_batch_dim", total=6, killed_hidden=5, killed_public=2)
    row.survivors.append((mutant, "survivor"))
    audit = Audit(course.root, checks=[
        Check("constants score 0", False, "constants: 1 of 56 tasks earn points", ["<script>x</script>"]),
        Check("stubs score 0", True, "stubs: 0/288")], mutants={"add_batch_dim": row})
    page = render.page(audit, course)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert 'id="verdict">1 check(s) fail.' in page
    assert "83.3 %" in page and "33.3 %" in page  # 5 and 2 of 6 killed
    assert f"{mutant['id']}: survivor" in page and "+    return None" in page
    text = render.text(audit, course)
    assert "FAIL constants score 0" in text and f"SURVIVOR {mutant['id']}" in text


# ---------------------------------------------------------------- this course
# Last in the module: its audit, started with the module's first test, runs beside the tests
# above (the toothless copy's audits among them).
@pytest.fixture(scope="module")
def this_course(audits):
    run, html = audits["this_course"]
    return run.result(), html


def test_audit_of_this_course_holds_and_prints_its_figures(this_course):
    proc, _ = this_course
    assert proc.returncode == 0, proc.stdout + proc.stderr
    course = courses.find(PROJECT)
    tasks = sum(len(ex.tasks) for ex in course.exercises)
    out = proc.stdout
    assert "no problem as data" in out
    assert re.search(r"ok +solutions score full: solutions: (\d+)/\1\b", out), out
    assert re.search(r"ok +stubs score 0: stubs: 0/\d+, (\d+) of \1 tests not_implemented", out), out
    assert f"ok   constants score 0: constants: 0 of {tasks} tasks earn points" in out
    assert re.search(rf"public tests: (\d+) of \1 pass on the solutions; {tasks} of {tasks} tasks have one",
                     out), out
    assert "ok   tests read as pytest collects them" in out and "ok   forbidden names exist" in out
    assert "pitfalls:" in out and "FAIL" not in out
    # progress goes to stderr as plain lines when stderr is no terminal
    assert re.search(r"^audit: 1/\d+ solutions graded", proc.stderr, re.M), proc.stderr
    assert out.rstrip().splitlines()[-1].startswith("audit: all checks hold")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH")
def test_audit_html_page_renders_in_a_browser(this_course):
    _, html = this_course
    text = html.read_text()
    assert "<script" not in text and "http" not in text  # self-contained
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=60)
    assert 'id="verdict">All checks hold.' in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "constants score 0" in proc.stdout


def test_declared_tests_read_like_pytest_marks():
    source = ('@graded("a", points=2,\n         visible=True)\ndef test_one(student):\n    pass\n\n'
              '@pytest.mark.task("b")\n@pytest.mark.visibility("visible")\ndef test_two(student):\n    pass\n\n'
              "def test_three(student):\n    pass\n\n@graded(TASK)\ndef test_four(s):\n    pass\n"
              'def helper():\n    @graded("c")\n    def test_inner(s):\n        pass\n')
    got = [(t.name, t.task, t.visible) for t in courses.declared_tests(source)]
    assert got == [("test_one", "a", True), ("test_two", "b", True), ("test_three", "", False),
                   ("test_four", "<not a literal>", False)]
