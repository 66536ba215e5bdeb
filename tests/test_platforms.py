"""Where courses run: the Gradescope package end to end on a fake /autograder tree, and the
reports GitHub Classroom and CI read.

The package is built from a two-exercise copy of the course (tensor_numpy, shapes) so that each
run grades little; `setup.sh` runs once, with GRADER_SETUP_SKIP_SYSTEM=1 (no apt, no torch
download) but its pip install of the grader into the venv for real.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from helpers import EXERCISES, PROJECT, SOLUTIONS

SMALL = ("tensor_numpy", "shapes")


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def grader_cli(*args, env=None, cwd=PROJECT, timeout=120):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=cwd, env=dict(os.environ, **(env or {})), timeout=timeout)


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    """A course folder holding the first two exercises of the project's course, with solutions
    (which the package must leave out)."""
    root = tmp_path_factory.mktemp("course")
    manifest = read(os.path.join(EXERCISES, "manifest.toml"))
    head, *blocks = manifest.split("\n[[exercises]]\n")
    kept = [b for b in blocks if b.split("\n", 1)[0].strip() in {f'name = "{n}"' for n in SMALL}]
    assert len(kept) == 2
    (root / "exercises").mkdir()
    (root / "exercises" / "manifest.toml").write_text("\n[[exercises]]\n".join([head, *kept]))
    for folder, source, name in [("exercises", EXERCISES, "{}.py"), ("solutions", SOLUTIONS, "{}.py"),
                                 ("tests/exercises", os.path.join(PROJECT, "tests", "exercises"),
                                  "test_{}.py")]:
        os.makedirs(root / folder, exist_ok=True)
        for ex in SMALL:
            shutil.copy(os.path.join(source, name.format(ex)), root / folder / name.format(ex))
    shutil.copytree(os.path.join(PROJECT, "assets_picture"), root / "assets_picture")
    return root


@pytest.fixture(scope="module")
def package(small_course, tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "autograder.zip"
    proc = grader_cli("gradescope-package", str(out), "--course", str(small_course),
                      "--timeout", "2", "--memory", "1024")
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stderr and proc.stdout == ""
    return out


@pytest.fixture(scope="module")
def autograder(package, tmp_path_factory):
    """A fake /autograder: the zip unpacked in source/, setup.sh run."""
    root = tmp_path_factory.mktemp("fake") / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root / "source")
    proc = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True,
                          env=dict(os.environ, AUTOGRADER_ROOT=str(root), GRADER_SETUP_SKIP_SYSTEM="1"),
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return root


def submit(root, files, env=None):
    """Put `files` ({relative path: text or bytes}) in submission/, run run_autograder, return
    (results.json as a dict, the completed process)."""
    sub = root / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    sub.mkdir()
    for rel, data in files.items():
        path = sub / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True,
                          text=True, cwd=str(root), timeout=180,
                          env=dict(os.environ, AUTOGRADER_ROOT=str(root), **(env or {})))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(read(root / "results" / "results.json")), proc


def solution(name):
    return read(os.path.join(SOLUTIONS, f"{name}.py"))


def stub(name):
    return read(os.path.join(EXERCISES, f"{name}.py"))


def by_exercise(results, title_prefix):
    return [t for t in results["tests"] if t["name"].startswith(title_prefix)]


# ---------------------------------------------------------------- the package
def test_package_layout(package):
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
        setup = zf.read("setup.sh").decode()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert names[:2] == ["setup.sh", "run_autograder"]
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    for path in ("grader/pyproject.toml", "grader/grader/cli.py", "grader/grader/instructor/gradescope.py",
                 "grader/grader/judge/hidden_tests.ini", "course/exercises/manifest.toml",
                 "course/exercises/shapes.py", "course/tests/exercises/test_shapes.py",
                 "course/assets_picture/shapes_squeeze.png"):
        assert path in names, path
    assert not [n for n in names if "solutions" in n or "__pycache__" in n or n.endswith(".pyc")]
    # a pinned CPU build of torch, never an open range that would pull CUDA from PyPI
    assert "torch==${TORCH_VERSION}" in setup and "download.pytorch.org/whl/cpu" in setup
    assert 'TORCH_VERSION="2.' in setup and "bubblewrap" in setup
    assert not re.search(r"@[A-Z_]+@", setup), "a template placeholder was left unfilled"


def test_package_of_a_handout_is_refused(tmp_path, small_course):
    handout = tmp_path / "handout"
    shutil.copytree(small_course / "exercises", handout / "exercises")
    proc = grader_cli("gradescope-package", str(tmp_path / "a.zip"), "--course", str(handout))
    assert proc.returncode == 2 and "no hidden tests" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "a.zip").exists()


def test_setup_installed_the_packaged_grader(autograder):
    proc = subprocess.run([str(autograder / "venv" / "bin" / "python3"), "-c",
                           "import grader.instructor.gradescope as g; print(g.__file__)"],
                          capture_output=True, text=True, cwd=str(autograder),
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})  # the venv's own
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(str(autograder / "venv")), proc.stdout
    assert oct(os.stat(autograder / "source" / "course" / "tests").st_mode & 0o077) == "0o0"


# ---------------------------------------------------------------- end to end
def test_perfect_submission(autograder):
    results, proc = submit(autograder, {"tensor_numpy.py": solution("tensor_numpy"),
                                        "shapes.py": solution("shapes")})
    graded = [t for t in results["tests"] if "score" in t]
    skipped = [t for t in results["tests"] if "score" not in t]
    assert graded and results["score"] == sum(t["max_score"] for t in graded) > 0
    assert all(t["status"] == "passed" and t["output"] == "" for t in graded)
    assert {t["visibility"] for t in results["tests"]} == {"visible", "after_published"}
    assert all(t["tags"] and t["number"].count(".") == 1 for t in results["tests"])
    assert results["output_format"] == "md" and "| Exercise |" in results["output"]
    assert results["execution_time"] > 0 and results["extra_data"]["sandbox"] == "bubblewrap"
    for t in skipped:  # GPU tests on a machine without CUDA: listed, no score, and why
        assert "status" not in t and "max_score" not in t and "CUDA" in t["output"]
    assert "graded:" in proc.stdout


def test_partial_submission_uploaded_as_a_zip(autograder):
    upload = io.BytesIO()
    with zipfile.ZipFile(upload, "w") as zf:
        zf.writestr("hw1/tensor_numpy.py", stub("tensor_numpy"))
        zf.writestr("hw1/shapes.py", solution("shapes"))
        zf.writestr("__MACOSX/hw1/._shapes.py", b"\x00\x05\x16\x07 resource fork")
        zf.writestr("hw1/notes.txt", "not python")
    results, _ = submit(autograder, {"my-work.zip": upload.getvalue()})
    shapes, tensor_numpy = by_exercise(results, "Shapes"), by_exercise(results, "Tensor <-> NumPy")
    assert shapes and all(t["status"] == "passed" for t in shapes)
    assert results["score"] == sum(t["max_score"] for t in shapes) > 0
    assert all(t.get("score", 0) == 0 for t in tensor_numpy)
    assert all("[not_implemented]" in t["output"] for t in tensor_numpy if "score" in t)
    assert "my-work.zip:hw1/shapes.py" in results["output"]


def test_hostile_submission_cannot_touch_the_results(autograder, tmp_path):
    sentinel = tmp_path / "sentinel"
    fake = json.dumps({"score": 1000, "tests": []})
    hostile = (solution("tensor_numpy") + "\n" + read(os.path.join(PROJECT, "tests", "hostile",
                                                                  "patch_libraries.py")) +
               "\nimport os\n"
               f"for _p in ({str(autograder / 'results' / 'results.json')!r}, {str(sentinel)!r}):\n"
               "    try:\n"
               f"        open(_p, 'w').write({fake!r})\n"
               "    except OSError:\n"
               "        pass\n")
    results, _ = submit(autograder, {
        "tensor_numpy.py": hostile, "shapes.py": solution("shapes"),
        "conftest.py": "import pytest\n@pytest.hookimpl(hookwrapper=True)\n"
                       "def pytest_runtest_makereport(item, call):\n"
                       "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n"})
    assert not sentinel.exists()
    shapes, tensor_numpy = by_exercise(results, "Shapes"), by_exercise(results, "Tensor <-> NumPy")
    assert results["score"] == sum(t["max_score"] for t in shapes) < 1000
    assert all(t["status"] == "failed" and t["score"] == 0 for t in tensor_numpy if "score" in t)
    assert any("[not_implemented]" in t["output"] for t in tensor_numpy)


def test_duplicate_module_names_are_a_clear_error(autograder):
    results, _ = submit(autograder, {"shapes.py": solution("shapes"), "old/shapes.py": stub("shapes"),
                                     "tensor_numpy.py": stub("tensor_numpy")})
    assert results["score"] == 0 and results["tests"] == []
    assert "shapes.py is in the upload 2 times: shapes.py, old/shapes.py" in results["output"]
    assert "Upload each module once" in results["output"]


def test_no_module_of_the_course_says_what_was_expected(autograder):
    results, _ = submit(autograder, {"Shapes (1).py": solution("shapes")})
    assert results["score"] == 0 and results["tests"] == []
    assert "none of the course's modules" in results["output"]
    assert "did you mean shapes.py" in results["output"]


def test_grader_failure_still_writes_results(autograder):
    hidden = autograder / "source" / "course" / "tests" / "exercises" / "test_shapes.py"
    aside = hidden.with_suffix(".aside")
    hidden.rename(aside)
    try:
        results, proc = submit(autograder, {"shapes.py": solution("shapes")})
    finally:
        aside.rename(hidden)
    assert results["score"] == 0 and results["tests"] == []
    assert "could not grade" in results["output"] and "not of your code" in results["output"]
    assert "test_shapes.py is missing" in results["output"]
    assert "Traceback" in proc.stderr  # for the instructor, in Gradescope's stdout log


def test_results_written_when_python_cannot_start(tmp_path, package):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(package) as zf:
        (root / "source" / "run_autograder").write_bytes(zf.read("run_autograder"))
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "python3").write_text("#!/bin/sh\nexit 3\n")
    (fake_bin / "python3").chmod(0o755)
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True,
                          text=True, timeout=30,
                          env=dict(os.environ, AUTOGRADER_ROOT=str(root),
                                   PATH=f"{fake_bin}:{os.environ['PATH']}"))
    assert proc.returncode == 0
    results = json.loads(read(root / "results" / "results.json"))
    assert results["score"] == 0 and "status 3" in results["output"]


# ---------------------------------------------------------------- GitHub Classroom workflows
@pytest.mark.parametrize("path", ["grader/instructor/templates/classroom.yml",
                                  "examples/github-classroom-hidden-tests.yml"])
def test_classroom_workflows_feed_the_reporter(path):
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(read(os.path.join(PROJECT, path)))
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    grade = next(s for s in steps if s.get("id") == "grade")
    assert "grader grade" in grade["run"] and "--github-output result" in grade["run"]
    report = next(s for s in steps if "autograding-grading-reporter" in s.get("uses", ""))
    # the reporter reads <RUNNER>_RESULTS for each runner id it is given
    assert report["with"]["runners"] == "grade"
    assert report["env"]["GRADE_RESULTS"] == "${{ steps.grade.outputs.result }}"
    assert "torch==${TORCH_VERSION}" in read(os.path.join(PROJECT, path))
    assert "download.pytorch.org/whl/cpu" in read(os.path.join(PROJECT, path))
