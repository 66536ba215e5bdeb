"""Hostile submissions score exactly what their honest code earns, and harm nothing.

See tests/hostile/README.md for the format of the cases.
"""

import hashlib
import json
import os
import re
import socket
import threading
import time

import pytest

from helpers import PROJECT, SOLUTIONS, make_submission, run_grader

HOSTILE = os.path.join(PROJECT, "tests", "hostile")
CASES = sorted(f[:-3] for f in os.listdir(HOSTILE) if f.endswith(".py"))

EXTRA_FILES = {
    "conftest_planted": {
        "conftest.py": (
            "import pytest\n"
            "open('@OUTSIDE@', 'w').write('conftest ran')\n"
            "@pytest.hookimpl(hookwrapper=True)\n"
            "def pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n"
            "    outcome.get_result().outcome = 'passed'\n"
        ),
        "pytest.ini": "[pytest]\naddopts = -p conftest --co\n",
        "sitecustomize.py": "open('@OUTSIDE@', 'w').write('sitecustomize ran')\n",
        "usercustomize.py": "open('@OUTSIDE@', 'w').write('usercustomize ran')\n",
    },
}
# Cases whose tensor_numpy.py is a symbolic link to this target instead.
LINKS = {"symlink_to_solutions": "@PROJECT@/solutions/tensor_numpy.py"}
PROTECTED = [os.path.join(PROJECT, p) for p in (
    "tests/exercises/test_tensor_numpy.py", "grader/reports/build.py", "solutions/tensor_numpy.py")]


def spec_of(text):
    fields = dict(re.findall(r"^(?:\"\"\")?(TASK|STATUS|EXERCISE|MESSAGE|REQUIRES|GPU): (.+)$", text, re.M))
    return {
        "task": fields["TASK"].strip(),
        "status": set(fields["STATUS"].strip().split("|")),
        "exercise": set(fields["EXERCISE"].strip().split("|")) if "EXERCISE" in fields else None,
        "message": fields.get("MESSAGE", "").strip(),
        "requires": fields.get("REQUIRES", "").strip(),
        "gpu": fields.get("GPU", "").strip(),
    }


def gpu_test_names(module="tensor_numpy"):
    """The tests of `module` marked gpu=True in the hidden tests."""
    with open(os.path.join(PROJECT, "tests", "exercises", f"test_{module}.py")) as fh:
        text = fh.read()
    return set(re.findall(r"@graded\([^)]*gpu=True[^)]*\)\s*\ndef (\w+)", text))


def digest(paths):
    out = {}
    for path in paths:
        with open(path, "rb") as fh:
            out[path] = hashlib.sha256(fh.read()).hexdigest()
    return out


def processes_with(marker):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


class Listener:
    """A localhost server that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def honest_report(tmp_path_factory):
    """The reference's verdicts, test by test, for the two modules the cases use."""
    folder = str(tmp_path_factory.mktemp("honest"))
    proc = run_grader(SOLUTIONS, "-e", "tensor_numpy", "-e", "shapes", "--timeout", "2", "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    del folder
    return {t["id"]: t for ex in report["exercises"] for t in ex["tests"]}


# Without namespaces the files and the network are not hidden, but no process may outlive grading.
FALLBACK_CASES = ["spawn_processes", "rewrite_report_later", "sigterm_ignored", "exit_in_call", "fork_bomb"]


@pytest.mark.parametrize("case, level", [(c, "bubblewrap") for c in CASES]
                         + [(c, "process") for c in FALLBACK_CASES])
def test_hostile_submission(case, level, tmp_path, honest_report):
    marker = f"grader-hostile-{case}-{os.getpid()}-{time.time_ns()}"
    outside = str(tmp_path / "outside-sentinel")
    report_path = str(tmp_path / "report.json")
    listener = Listener()
    values = {"@MARKER@": marker, "@PROJECT@": PROJECT, "@REPORT@": report_path,
              "@PORT@": str(listener.port), "@OUTSIDE@": outside}

    def fill(text):
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    with open(os.path.join(HOSTILE, case + ".py")) as fh:
        hostile = fh.read()
    spec = spec_of(hostile)
    with open(os.path.join(SOLUTIONS, "tensor_numpy.py")) as fh:
        module = fh.read() + "\n\n# ---- hostile part\n" + fill(hostile)
    files = {"tensor_numpy.py": module}
    files.update({name: fill(text) for name, text in EXTRA_FILES.get(case, {}).items()})
    sub = make_submission(str(tmp_path / "sub"), files, modules={"shapes"})
    if case in LINKS:
        os.unlink(os.path.join(sub, "tensor_numpy.py"))
        os.symlink(fill(LINKS[case]), os.path.join(sub, "tensor_numpy.py"))
    before = digest(PROTECTED)
    try:
        proc = run_grader(sub, "-e", "tensor_numpy", "-e", "shapes", "--timeout", "1.5",
                          "--memory", "1024", "--output", report_path, "--sandbox", level)
    finally:
        listener.close()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout == "", "with --output, nothing but the table may be printed (on stderr)"
    with open(report_path) as fh:
        report = json.load(fh)
    grading_done = time.monotonic()
    if spec["requires"] == "cgroup" and not report["environment"]["process_limit"].startswith("cgroup"):
        pytest.skip("this machine gives the grader no cgroup to limit the number of processes")

    # The submission's own module: the hostile task loses, the honest ones keep their points.
    tensor_numpy = next(ex for ex in report["exercises"] if ex["name"] == "tensor_numpy")
    gpu_tests = gpu_test_names()
    cuda = report["environment"]["cuda_available"]
    for test in tensor_numpy["tests"]:
        honest = honest_report[test["id"]]
        if test["id"].split("::")[-1] in gpu_tests:
            if not cuda:  # no CUDA on the trusted side: skipped, whatever the submission claims
                assert test["status"] == "skipped" and test["score"] == 0, test
                continue
            if spec["gpu"] == "either":  # the submission's own patch may break its CUDA code
                continue
        hit = spec["task"] == "*" or test["task"] == spec["task"]
        if hit and honest["status"] != "skipped":
            assert test["status"] in spec["status"], (test["id"], test["status"], test["message"])
            assert test["score"] == 0, test
            if spec["message"]:
                assert spec["message"] in test["message"], test["message"]
        else:
            assert (test["status"], test["score"]) == (honest["status"], honest["score"]), test
    if spec["exercise"]:
        assert tensor_numpy["status"] in spec["exercise"], tensor_numpy
    # The neighbour is untouched.
    shapes = next(ex for ex in report["exercises"] if ex["name"] == "shapes")
    assert shapes["status"] == "complete" and shapes["score"] == shapes["max_score"], shapes
    assert report["environment"]["sandbox"] == level

    # Nothing outside the grader's temporary folders changed, nothing survives, nothing connected.
    assert digest(PROTECTED) == before
    assert not os.path.exists(outside), f"the submission wrote {outside}"
    assert not os.path.exists(os.path.join(sub, "dropped.txt"))
    assert listener.connections == 0, "the submission reached a localhost socket"
    assert processes_with(marker) == [], "a process started by the submission outlived grading"
    if case == "rewrite_report_later":
        time.sleep(max(0.0, 3.5 - (time.monotonic() - grading_done)))
        with open(report_path) as fh:
            assert json.load(fh) == report, "the report changed after grading"
