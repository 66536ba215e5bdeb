"""The trusted grading process itself: what its tests write on fds 1 and 2, and its collector.

`grade` prints the report on stdout, so nothing the hidden tests (or C code they call) write
there may reach it; the tests run with pytest's capture off and fds 1 and 2 pointed at
/dev/null for the whole run instead (engine.quiet_fds)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NOISY_TEST = '''

@graded("swap_last_two", points=1)
def test_swap_last_two_with_noise(student):
    import ctypes
    import os
    import sys
    os.write(1, b"NOISE-FD1\\n")
    os.write(2, b"NOISE-FD2\\n")
    print("NOISE-PRINT")
    print("NOISE-STDERR", file=sys.stderr)
    ctypes.CDLL(None).puts(b"NOISE-LIBC")  # C code's stdout, buffered by libc
    t = seeded_tensor(1, 3, 5)
    check_close(student.swap_last_two(t), t.T)
'''


@pytest.fixture(scope="module")
def noisy_course(tmp_path_factory):
    """The project's course cut down to `shapes`, whose hidden tests write on fds 1 and 2."""
    root = tmp_path_factory.mktemp("noisy")
    manifest = open(os.path.join(PROJECT, "exercises", "manifest.toml")).read()
    head, *blocks = manifest.split("\n[[exercises]]\n")
    kept = [b for b in blocks if b.split("\n", 1)[0].strip() == 'name = "shapes"']
    os.makedirs(root / "exercises")
    (root / "exercises" / "manifest.toml").write_text("\n[[exercises]]\n".join([head, *kept]))
    for folder in ("exercises", "solutions"):
        os.makedirs(root / folder, exist_ok=True)
        shutil.copy(os.path.join(PROJECT, folder, "shapes.py"), root / folder / "shapes.py")
    os.makedirs(root / "tests" / "exercises")
    source = open(os.path.join(PROJECT, "tests", "exercises", "test_shapes.py")).read()
    (root / "tests" / "exercises" / "test_shapes.py").write_text(source + NOISY_TEST)
    shutil.copytree(os.path.join(PROJECT, "assets_picture"), root / "assets_picture")
    return root


def grade(course, submission, *extra):
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(course / submission),
                           "--course", str(course), *extra],
                          capture_output=True, text=True, timeout=120, cwd=str(course))


def noisy_tests(report):
    return [t for ex in report["exercises"] for t in ex["tests"]
            if t["id"].endswith("test_swap_last_two_with_noise")]


def test_what_hidden_tests_write_reaches_neither_the_report_nor_the_terminal(noisy_course):
    done = grade(noisy_course, "solutions")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # the whole of stdout is the report
    assert report["score"] == report["max_score"] > 0
    noisy = noisy_tests(report)
    assert [t["status"] for t in noisy] == ["passed"]
    for stream in (done.stdout, done.stderr):
        assert "NOISE" not in stream
    assert "shapes" in done.stderr  # the score table still reaches the terminal


def test_a_grader_started_with_its_standard_fds_closed_still_grades(noisy_course, tmp_path):
    """A closed fd 1 used to be taken by the grader's next pipe: the solutions scored 0."""
    out = tmp_path / "report.json"
    done = subprocess.run(["sh", "-c", 'exec "$@" <&- >&- 2>&-', "sh", sys.executable, "-m", "grader",
                           "grade", str(noisy_course / "solutions"), "--course", str(noisy_course),
                           "--output", str(out)], timeout=120, cwd=str(noisy_course))
    report = json.loads(out.read_text())
    assert done.returncode == 0 and report["score"] == report["max_score"] > 0, report.get("error")


def test_the_stubs_still_fail_the_noisy_test(noisy_course):
    done = grade(noisy_course, "exercises", "-q")
    report = json.loads(done.stdout)
    noisy = noisy_tests(report)
    assert [t["status"] for t in noisy] == ["not_implemented"] and report["score"] == 0
    assert "NOISE" not in done.stdout + done.stderr


def test_the_collector_runs_as_usual_once_the_grading_modules_are_imported():
    """The imports' objects are frozen once; a warm grader's later gradings freeze nothing (their
    garbage stays collectable: a batch runner grades hundreds of submissions)."""
    script = ("import gc\n"
              "from grader import engine\n"
              "engine.import_grading_modules()\n"
              "frozen = gc.get_freeze_count()\n"
              "cycle = [[]]; cycle[0].append(cycle); del cycle\n"
              "engine.import_grading_modules()\n"
              "print(gc.isenabled(), frozen > 10000, gc.get_freeze_count() == frozen, gc.collect() > 0)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=PROJECT)
    assert done.stdout.split() == ["True", "True", "True", "True"], done.stderr


def test_a_grading_leaves_torch_settings_of_its_process_as_it_found_them(noisy_course):
    """The hidden tests run with one torch thread and oneDNN off (their references are tiny; oneDNN
    sets itself up for 30 ms on a first LSTM); a notebook's check() gets its settings back."""
    script = ("import sys, torch\n"
              "from grader import course, engine\n"
              "torch.set_num_threads(2)\n"
              "before = torch.backends.mkldnn.enabled\n"
              "report = engine.grade(sys.argv[1], course=course.find(sys.argv[2]))\n"
              "print(report['score'] == report['max_score'] > 0, before, torch.backends.mkldnn.enabled,\n"
              "      torch.get_num_threads())\n")
    done = subprocess.run([sys.executable, "-c", script, str(noisy_course / "solutions"), str(noisy_course)],
                          capture_output=True, text=True, timeout=120, cwd=str(noisy_course))
    assert done.stdout.split() == ["True", "True", "True", "2"], done.stderr[-2000:]
