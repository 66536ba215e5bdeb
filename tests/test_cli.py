"""`grader grade` as scripts and CI use it: options, exit codes, report formats, bad input."""

import json
import os
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from grader.cli import main
from helpers import EXERCISES, SOLUTIONS, make_submission, run_grader

TWO = ["-e", "tensor_numpy", "-e", "shapes"]


# ---------------------------------------------------------------- bad input: exit 2, one clear line
def invoke(*args):
    return CliRunner().invoke(main, ["grade", *args])


def one_line(result):
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_missing_folder(tmp_path):
    result = invoke(str(tmp_path / "nope"))
    assert result.exit_code == 2 and "does not exist" in one_line(result)


def test_file_instead_of_folder(tmp_path):
    path = tmp_path / "shapes.py"
    path.write_text("x = 1\n")
    result = invoke(str(path))
    assert result.exit_code == 2 and "is a file" in one_line(result)


def test_unknown_exercise_lists_the_known_ones():
    result = invoke(SOLUTIONS, "-e", "tensor_numpi")
    assert result.exit_code == 2
    line = one_line(result)
    assert "unknown exercise 'tensor_numpi'" in line and "tensor_numpy" in line


@pytest.mark.parametrize("args", [["--format", "xml"], ["--timeout", "0"], ["--memory", "10"],
                                  ["--cpus", "0"], ["--fail-under", "150"], ["--sandbox", "none"]])
def test_bad_options(args):
    result = invoke(SOLUTIONS, *args)
    assert result.exit_code == 2 and "Invalid value" in result.output


def test_help_explains_the_options():
    result = CliRunner().invoke(main, ["grade", "--help"])
    assert result.exit_code == 0
    for option in ("--output", "--format", "--exercise", "--timeout", "--memory", "--cpus",
                   "--fail-under"):
        assert option in result.output


# ---------------------------------------------------------------- full runs
@pytest.fixture(scope="module")
def solutions_run():
    proc = run_grader(SOLUTIONS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout), proc


def test_solutions_score_full_marks(solutions_run):
    report, proc = solutions_run
    assert report["schema_version"] == 1 and report["submission"] == "solutions"
    assert report["max_score"] > 0 and report["score"] == report["max_score"]
    assert report["percentage"] == 100.0
    bad = [(t["id"], t["status"], t["message"]) for ex in report["exercises"] for t in ex["tests"]
           if t["status"] not in ("passed", "skipped")]
    assert bad == []
    assert all(ex["status"] == "complete" for ex in report["exercises"])
    names = [ex["name"] for ex in report["exercises"]]
    assert names[:2] == ["tensor_numpy", "shapes"] and len(names) == 11
    assert "total" in proc.stderr and "100%" in proc.stderr


def test_gpu_tests_skip_without_cuda_and_count_as_skipped_score(solutions_run):
    report, _ = solutions_run
    if report["environment"]["cuda_available"]:
        pytest.skip("this machine has CUDA")
    skipped = [t for ex in report["exercises"] for t in ex["tests"] if t["status"] == "skipped"]
    assert skipped and all("CUDA" in t["message"] and t["score"] == 0 for t in skipped)
    assert report["skipped_score"] == sum(t["max_score"] for t in skipped)
    ran = sum(t["max_score"] for ex in report["exercises"] for t in ex["tests"] if t["status"] != "skipped")
    assert report["max_score"] == ran


def test_report_fields_follow_the_contract(solutions_run):
    report, _ = solutions_run
    env = report["environment"]
    for key in ("python", "torch", "numpy", "cuda_available", "gpu_count", "sandbox"):
        assert key in env
    assert env["sandbox"] == "bubblewrap"
    assert env["memory_limit"] in ("cgroup", "per-process") and env["cpu_limit"] in ("cgroup", "per-process")
    assert env["process_limit"] == "rlimit" or env["process_limit"].startswith("cgroup")
    for ex in report["exercises"]:
        assert set(ex) >= {"name", "title", "score", "max_score", "status", "tests"}
        for t in ex["tests"]:
            assert set(t) >= {"id", "task", "status", "score", "max_score", "visibility", "message",
                              "duration_s"}
            assert t["visibility"] in ("visible", "hidden")
            assert t["id"].startswith(f"test_{ex['name']}.py::")


def test_stubs_score_zero_not_implemented():
    proc = run_grader(EXERCISES, "-q")
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["score"] == 0
    statuses = {t["status"] for ex in report["exercises"] for t in ex["tests"]}
    assert statuses <= {"not_implemented", "skipped"}
    assert all(ex["status"] == "not_started" for ex in report["exercises"])
    assert proc.stderr == ""


def test_fail_under_sets_exit_status_1(tmp_path):
    proc = run_grader(EXERCISES, *TWO, "--fail-under", "50", "-q")
    assert proc.returncode == 1 and "below --fail-under" in proc.stderr
    assert json.loads(proc.stdout)["score"] == 0  # the report is still complete


def test_output_file_and_formats(tmp_path):
    out = tmp_path / "report.xml"
    proc = run_grader(SOLUTIONS, *TWO, "--format", "junit", "--output", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites" and len(root.findall("testsuite")) == 2
    cases = root.findall("testsuite/testcase")
    assert int(root.get("tests")) == len(cases) and int(root.get("failures")) == 0
    assert int(root.get("errors")) == 0
    assert sum(int(s.get("skipped")) for s in root.findall("testsuite")) == \
        len(root.findall("testsuite/testcase/skipped"))
    # junit-10.xsd allows no properties in a testcase: its points are in its system-out
    points = [dict(line.split("=", 1) for line in case.find("system-out").text.splitlines()) for case in cases]
    assert all(set(p) >= {"task", "score", "max_score", "visibility", "status"} for p in points)
    suites = [{p.get("name"): p.get("value") for p in suite.findall("properties/property")}
              for suite in root.findall("testsuite")]
    assert sum(float(p["score"]) for p in points) == sum(float(s["score"]) for s in suites) > 0
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".grader-")]  # no temporary left

    proc = run_grader(EXERCISES, *TWO, "--format", "gradescope", "-q")
    data = json.loads(proc.stdout)
    assert data["score"] == 0 and data["tests"]
    assert {t["visibility"] for t in data["tests"]} <= {"visible", "after_published"}
    graded = [t for t in data["tests"] if "score" in t]  # the rest: GPU tests skipped here
    assert graded and all(t["max_score"] > 0 and "not_implemented" in t["output"] for t in graded)


def test_unwritable_output_is_a_clear_error(tmp_path):
    proc = run_grader(SOLUTIONS, "-e", "shapes", "--output", str(tmp_path / "missing" / "r.json"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_missing_module_and_syntax_error(tmp_path):
    sub = make_submission(str(tmp_path / "sub"), {"shapes.py": "def swap_last_two(t):\n    return t.T\n  x = (\n"},
                          modules=set())
    proc = run_grader(sub, *TWO, "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    by_name = {ex["name"]: ex for ex in report["exercises"]}
    assert by_name["tensor_numpy"]["status"] == "missing"
    assert "no tensor_numpy.py" in by_name["tensor_numpy"]["message"]
    assert by_name["shapes"]["status"] == "import_error"
    assert "line 3" in by_name["shapes"]["message"]
    assert report["score"] == 0


def test_pytest_environment_of_the_caller_is_ignored(tmp_path):
    proc = run_grader(SOLUTIONS, "-e", "shapes", "-q",
                      env={"PYTEST_ADDOPTS": "--collect-only -p no:python", "PYTEST_PLUGINS": "nonexistent"})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["score"] == report["max_score"] > 0


def test_fallback_sandbox_is_named_in_the_report():
    proc = run_grader(SOLUTIONS, "-e", "shapes", "--sandbox", "process", "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["environment"]["sandbox"] == "process"
    assert report["score"] == report["max_score"]


def test_output_to_a_device_or_pipe_writes_into_it_and_leaves_it_in_place(tmp_path):
    import stat
    import threading

    from grader.reports.formats import write_atomic
    fifo = str(tmp_path / "pipe")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()), daemon=True)
    reader.start()
    write_atomic(fifo, '{"score": 1}\n')
    reader.join(5)
    assert got == ['{"score": 1}\n']
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the pipe was replaced by a file"
    assert os.listdir(tmp_path) == ["pipe"], "a temporary file was left behind"


# ---------------------------------------------------------------- platforms and exact exit codes
def fake_report(score, max_score):
    """A report as engine.grade returns it, for options that act on the result alone."""
    return {"schema_version": 1, "submission": "solutions", "submission_path": SOLUTIONS,
            "score": score, "max_score": max_score, "skipped_score": 0.0,
            "percentage": round(100.0 * score / max_score, 1), "duration_s": 0.1,
            "environment": {"sandbox": "none"}, "exercises": []}


@pytest.fixture
def no_grading(monkeypatch):
    """engine.grade replaced: a test that reaches it fails (refusals must come first)."""
    import grader.engine

    def refuse(*args, **kwargs):
        raise AssertionError("grading started")
    monkeypatch.setattr(grader.engine, "grade", refuse)


@pytest.mark.parametrize("threshold, code", [(6.1, 1), (6.0606, 0), (6.07, 1), (6.06, 0)])
def test_fail_under_compares_the_exact_percentage(monkeypatch, threshold, code):
    import grader.engine
    monkeypatch.setattr(grader.engine, "grade", lambda *a, **k: fake_report(14.0, 231.0))
    result = invoke(SOLUTIONS, "--fail-under", str(threshold), "-q")
    assert json.loads(result.stdout)["percentage"] == 6.1  # the report keeps its rounded figure
    assert result.exit_code == code, result.output
    if code:
        assert "14/231 = 6.06061% is below --fail-under" in result.stderr


@pytest.mark.parametrize("where", ["missing/r.json", "a_file/r.json", "."])
def test_unwritable_output_is_refused_before_grading(tmp_path, no_grading, where):
    (tmp_path / "a_file").write_text("")
    result = invoke(SOLUTIONS, "--output", str(tmp_path / where))
    assert result.exit_code == 2
    line = one_line(result)
    assert line.startswith("Error: ") and "--output" in line and str(tmp_path) in line


def test_unwritable_output_is_refused_fast_in_a_real_run(tmp_path):
    import time
    started = time.monotonic()
    proc = run_grader(SOLUTIONS, "--output", str(tmp_path / "missing" / "r.json"))
    elapsed = time.monotonic() - started
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "does not exist" in proc.stderr and elapsed < 2.0, elapsed  # no worker, no torch


def test_github_output_needs_the_variable(monkeypatch, no_grading):
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    result = invoke(SOLUTIONS, "--github-output", "result")
    assert result.exit_code == 2 and "$GITHUB_OUTPUT" in one_line(result)


def usage_error_cases():
    cases = [["grade", "--format", "xml"], ["grade", "--timeout", "0"], ["no-such-command"]]
    cases += [[name, "--no-such-option"] for name in sorted(main.commands)]
    return cases


@pytest.mark.parametrize("args", usage_error_cases(), ids=" ".join)
def test_option_errors_are_one_line_exit_2(args, no_grading):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    line = one_line(result)
    assert line.startswith("Error: ") and "-h for help" in line


def test_classroom_output_step_summary_and_junit(tmp_path):
    import base64
    github_output, summary = tmp_path / "github_output", tmp_path / "summary.md"
    summary.write_text("earlier steps\n")
    sub = make_submission(str(tmp_path / "sub"), {"tensor_numpy.py": open(
        os.path.join(EXERCISES, "tensor_numpy.py")).read()}, modules={"shapes"})
    proc = run_grader(sub, *TWO, "--format", "classroom", "--github-output", "result", "-q",
                      env={"GITHUB_OUTPUT": str(github_output), "GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    printed = json.loads(proc.stdout)
    name, _, encoded = github_output.read_text().strip().partition("=")
    assert name == "result" and json.loads(base64.b64decode(encoded)) == printed
    # what autograding-grading-reporter reads
    assert printed["version"] == 1 and printed["status"] == "fail" and printed["max_score"] > 0
    for test in printed["tests"]:
        assert set(test) >= {"name", "status", "score", "message", "execution_time"}
        assert test["status"] in ("pass", "fail", "error")
    passed = [t for t in printed["tests"] if t["status"] == "pass"]
    assert passed and all(t["name"].startswith("shapes:") for t in passed)
    assert all("[not_implemented]" in t["message"] for t in printed["tests"] if t["status"] != "pass")
    text = summary.read_text()
    assert text.startswith("earlier steps\n") and "| Exercise | Score | Status | Tasks to fix |" in text
    assert "| not_started |" in text and "| complete |" in text and "**Total**" in text


def test_github_output_says_error_when_nothing_could_be_graded(tmp_path):
    import base64
    github_output = tmp_path / "github_output"
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_grader(str(empty), "--github-output", "result", env={"GITHUB_OUTPUT": str(github_output)})
    assert proc.returncode == 2 and "none of the course's modules" in proc.stderr
    result = json.loads(base64.b64decode(github_output.read_text().strip().partition("=")[2]))
    assert result["status"] == "error" and "none of the course's modules" in result["tests"][0]["message"]
