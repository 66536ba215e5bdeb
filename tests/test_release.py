"""`grader release OUT`: the student handout holds what students need and no answer."""

import ast
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from grader.cli import main
from helpers import EXERCISES, PROJECT, SOLUTIONS

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

HIDDEN = os.path.join(PROJECT, "tests", "exercises")
MODULES = sorted(n[:-3] for n in os.listdir(SOLUTIONS) if n.endswith(".py"))


def release(out, *args):
    return CliRunner().invoke(main, ["release", str(out), "--course", PROJECT, *args])


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "handout"
    result = release(out)
    assert result.exit_code == 0, result.output
    return out, result.output


def files_of(folder):
    return sorted(os.path.relpath(os.path.join(d, n), folder) for d, _, ns in os.walk(folder) for n in ns)


def all_text(folder):
    return "\n".join(open(os.path.join(folder, f), "rb").read().decode("utf-8", "ignore")
                     for f in files_of(folder))


def graded_tests(path):
    """(visible, hidden) test functions of a hidden test file, as AST nodes."""
    tree = ast.parse(open(path).read())
    tests = [s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name.startswith("test")]
    visible = [t for t in tests if any(k.arg == "visible" and getattr(k.value, "value", None) is True
                                       for d in t.decorator_list if isinstance(d, ast.Call)
                                       for k in d.keywords)]
    return visible, [t for t in tests if t not in visible]


def distinctive(text):
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= 30
            and not line.strip().startswith(("#", "import", "from"))}


# ---------------------------------------------------------------- what is in it
def test_layout(handout):
    out, output = handout
    files = files_of(out)
    assert {f"exercises/{m}.py" for m in MODULES} | {"exercises/manifest.toml"} <= set(files)
    assert {f"tests/public/test_{m}.py" for m in MODULES} <= set(files)
    assert set(files_of(os.path.join(PROJECT, "assets_picture"))) == \
        {f[len("assets_picture/"):] for f in files if f.startswith("assets_picture/")}
    assert {"grader/cli.py", "grader/engine.py", "grader/judge/hidden_tests.ini", "README.md",
            "pyproject.toml"} <= set(files)
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]
    assert not [f for f in files if f.startswith(("solutions/", "tests/exercises/"))]
    template = os.path.join(PROJECT, "grader", "instructor", "templates", "classroom.yml")
    assert (".github/workflows/classroom.yml" in files) == os.path.isfile(template)

    with open(os.path.join(PROJECT, "pyproject.toml"), "rb") as fh:
        ours = tomllib.load(fh)
    with open(out / "pyproject.toml", "rb") as fh:
        theirs = tomllib.load(fh)
    assert theirs["project"]["name"] == "torch-grader"
    assert theirs["project"]["dependencies"] == ours["project"]["dependencies"]
    assert theirs["project"]["scripts"] == ours["project"]["scripts"]
    assert "hidden_tests.ini" in theirs["tool"]["setuptools"]["package-data"]["grader.judge"]

    readme = (out / "README.md").read_text()
    for command in ("pip install .", "grader list", "grader check", "grader check to_numpy",
                    "grader hint to_numpy", "grader watch", "from grader import check",
                    'check("to_numpy")'):
        assert command in readme, command
    assert re.search(r"public tests: \d+ of \d+ visible tests", output)
    for public in (out / "tests" / "public").iterdir():  # each one at least compiles
        compile(public.read_text(), str(public), "exec")


def test_no_solution_and_no_hidden_test_in_it(handout):
    out, output = handout
    text = all_text(out)
    words = set(re.findall(r"\w+", text))
    contents = {open(os.path.join(out, f), "rb").read() for f in files_of(out)}
    stubs = {m: distinctive(open(os.path.join(EXERCISES, f"{m}.py")).read()) for m in MODULES}
    worst = 0.0
    for m in MODULES:
        source = open(os.path.join(SOLUTIONS, f"{m}.py")).read()
        assert source.encode() not in contents, f"solutions/{m}.py is in the handout"
        # The stub holds the signatures by definition; every other long line is the answer's.
        lines = distinctive(source) - stubs[m]
        hits = [line for line in lines if line in text]
        worst = max(worst, len(hits) / len(lines))
        assert len(hits) / len(lines) <= 0.3, (m, hits)
        # Short answers have no long line: no function of the handout may have the body of a
        # solution function (a stand-in like a correct train_step).
        bodies = {ast.unparse(ast.Module(fn.body, [])) for fn in ast.walk(ast.parse(source))
                  if isinstance(fn, ast.FunctionDef) and len(fn.body) > 1}
        for public in (out / "tests" / "public").iterdir():
            for fn in ast.walk(ast.parse(public.read_text())):
                if isinstance(fn, ast.FunctionDef):
                    assert ast.unparse(ast.Module(fn.body, [])) not in bodies, (public.name, fn.name)
    assert worst == 0.0  # measured: not one line beyond the stubs' own

    sources = {m: open(os.path.join(HIDDEN, f"test_{m}.py")).read() for m in MODULES}
    tests = {m: graded_tests(os.path.join(HIDDEN, f"test_{m}.py")) for m in MODULES}
    # Lines that stand anywhere outside the hidden tests (in a visible test, `t = seeded_tensor(seed,
    # *shape)`, or in a helper the visible tests use) may ship; no line found only in hidden tests may.
    def outside_hidden(m):
        source = sources[m]
        for segment in [ast.get_source_segment(sources[m], test) for test in tests[m][1]]:
            source = source.replace(segment, "")
        return distinctive(source)
    shared_lines = set().union(*(outside_hidden(m) for m in MODULES))
    for m in MODULES:
        source, (visible, hidden) = sources[m], tests[m]
        assert source.encode() not in contents
        for test in hidden:
            assert test.name not in words, f"hidden test {test.name} is in the handout"
            leaked = distinctive(ast.get_source_segment(source, test)) - shared_lines
            assert not [line for line in leaked if line in text], test.name
        public = (out / "tests" / "public" / f"test_{m}.py").read_text()
        for test in visible:
            shipped = re.search(rf"^def {test.name}\(", public, re.M)
            left_out = f"left out {m}::{test.name}: it uses a reference implementation" in output
            assert bool(shipped) != left_out, test.name
    # A correct train_step stands in for the submission's while the hidden fit tests grade: it stays home
    # (every visible test of this course compares with literal values; the next test leaves one out).
    assert "correct_train_step" not in text and "reference_train_step" not in text


def test_a_visible_test_using_a_reference_implementation_is_left_out():
    from grader.instructor.release import public_tests, solution_functions
    source = '''"""Hidden tests: fit."""

from grader.testing import check_equal, graded


def correct_train_step(model, optimizer, loss_fn, x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def epochs_of(history):
    return len(history)


@graded("fit", points=1, visible=True)
def test_fit_against_a_correct_step(student):
    check_equal(student.fit(correct_train_step), [1.0])


@graded("fit", points=1, visible=True)
def test_fit_length(student):
    check_equal(epochs_of(student.fit(None)), 1)
'''
    tests = public_tests(source, solution_functions(SOLUTIONS))
    assert tests.shipped == ["test_fit_length"]
    assert list(tests.dropped) == ["test_fit_against_a_correct_step"]
    assert "correct_train_step ~ solutions/training.py:train_step" in tests.dropped["test_fit_against_a_correct_step"]
    assert "def correct_train_step" not in tests.text and "def epochs_of" in tests.text


# ---------------------------------------------------------------- OUT
def one_line(result):
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_out_not_empty_needs_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = release(out)
    assert result.exit_code == 2 and "not empty" in one_line(result) and "--force" in result.output
    assert os.listdir(out) == ["notes.txt"] and os.listdir(tmp_path) == ["out"]  # nothing half-written
    result = release(out, "--force")
    assert result.exit_code == 0, result.output
    assert not (out / "notes.txt").exists() and (out / "exercises" / "manifest.toml").is_file()
    assert sorted(os.listdir(tmp_path)) == ["out"]  # no temporary folder left beside it


def test_a_failure_half_way_leaves_nothing(tmp_path, monkeypatch):
    from grader.instructor import release as releases

    def broken(course):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(releases, "readme", broken)
    result = release(tmp_path / "out")
    assert result.exit_code == 2 and "No space left" in one_line(result)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("where", [".", "exercises", "exercises/sub", ".."])
def test_out_in_the_course_is_refused(tmp_path, where):
    course = tmp_path / "course"  # a copy: a bug here must not remove the checkout
    for part in ("exercises", "solutions", "tests/exercises", "assets_picture"):
        shutil.copytree(os.path.join(PROJECT, part), course / part)
    before = files_of(tmp_path)
    result = CliRunner().invoke(main, ["release", str(course / where), "--course", str(course), "--force"])
    assert result.exit_code == 2 and "course" in one_line(result)
    assert files_of(tmp_path) == before


# ---------------------------------------------------------------- installed and graded
def run(args, cwd, env):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_installed_handout_grades_and_checks_the_stubs_and_a_solution(handout, tmp_path):
    out = tmp_path / "student"
    shutil.copytree(handout[0], out)
    site = tmp_path / "site"
    proc = run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                "--target", str(site), str(out)], tmp_path, dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (site / "grader" / "judge" / "hidden_tests.ini").is_file() and (site / "bin" / "grader").is_file()
    env = {k: v for k, v in os.environ.items() if k != "GRADER_COURSE"}
    env["PYTHONPATH"] = str(site)

    proc = run([sys.executable, "-m", "grader", "grade", "-q", "-o", "r.json"], out, env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads((out / "r.json").read_text())
    statuses = {t["status"] for ex in report["exercises"] for t in ex["tests"]}
    assert report["score"] == 0 and statuses == {"not_implemented"}
    proc = run([sys.executable, "-m", "grader", "check", "tensor_numpy"], out, env)
    assert proc.returncode == 1 and "not started" in proc.stdout, proc.stdout + proc.stderr[-2000:]

    # The installed console script (its folder, not the handout's, heads sys.path), from a subfolder.
    shutil.copy(os.path.join(SOLUTIONS, "tensor_numpy.py"), out / "exercises")
    proc = run([str(site / "bin" / "grader"), "grade", "-q", "-o", "../r.json"], out / "exercises", env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads((out / "r.json").read_text())
    by_name = {ex["name"]: ex for ex in report["exercises"]}
    assert by_name["tensor_numpy"]["status"] == "complete" and by_name["tensor_numpy"]["score"] > 0
    assert all(ex["status"] == "not_started" for name, ex in by_name.items() if name != "tensor_numpy")
    proc = run([str(site / "bin" / "grader"), "check", "tensor_numpy"], out, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
