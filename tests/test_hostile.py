"""Hostile submissions score exactly what their honest code earns, and harm nothing.

See tests/hostile/README.md for the format of the cases.
"""

import glob
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from grader.sandbox import cgroup
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
    fields = dict(re.findall(r"^(?:\"\"\")?(TASK|STATUS|EXERCISE|MESSAGE|REQUIRES|NEIGHBOUR|GPU|WAITS|TIMEOUT): (.+)$",
                             text, re.M))
    return {
        "task": fields["TASK"].strip(),
        "status": set(fields["STATUS"].strip().split("|")),
        "exercise": set(fields["EXERCISE"].strip().split("|")) if "EXERCISE" in fields else None,
        "message": fields.get("MESSAGE", "").strip(),
        "requires": fields.get("REQUIRES", "").strip(),
        "gpu": fields.get("GPU", "").strip(),
        "neighbour": fields.get("NEIGHBOUR", "").strip(),
        "waits": int(fields["WAITS"]) if "WAITS" in fields else None,
        "timeout": fields.get("TIMEOUT", "1.5").strip(),
    }


def stripped_lines(paths):
    lines = set()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            lines.update(line.strip() for line in fh)
    return lines


def hidden_test_lines():
    """The lines of the hidden tests (over 20 characters) that neither the reference nor a hostile case
    holds as well: none of them may reach anything that grading prints or writes."""
    own = stripped_lines(glob.glob(os.path.join(SOLUTIONS, "*.py")) + glob.glob(os.path.join(HOSTILE, "*.py")))
    hidden = stripped_lines(glob.glob(os.path.join(PROJECT, "tests", "exercises", "*.py")))
    return sorted(line for line in hidden - own if len(line) > 20)


HIDDEN_LINES = hidden_test_lines()
TAMPERING = "tampering with the grader"


def strings_of(value):
    """Every string in a report (messages, names), for searching."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_of(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_of(v)


def assert_no_hidden_test_lines(*texts):
    text = "\n".join(texts)
    leaked = [line for line in HIDDEN_LINES if line in text]
    assert not leaked, f"lines of the hidden tests reached the output: {leaked[:5]}"


def assert_tampering_shown(test, spec):
    """A case that reaches for the grader gets the tampering verdict: forbidden, its own words first."""
    if spec["message"].startswith(TAMPERING):
        assert test["status"] == "forbidden" and test["message"].startswith(TAMPERING), test


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
FALLBACK_CASES = ["spawn_processes", "rewrite_report_later", "sigterm_ignored", "exit_in_call", "fork_bomb",
                  "own_environ", "loop_one_task"]
# Cases whose messages show the environments the worker could read: none may hold a variable of
# the grader's own environment (where the sandbox's value differs).
ENVIRONMENT_CASES = ["read_environ", "own_environ"]
# Planted in the grader's environment for every case: it must never come back in any output.
SECRET = f"planted-{os.getpid()}-{time.time_ns()}"
# Where no cgroup can be made (forced here with GRADER_CGROUPS=off), the memory-backed
# filesystems are still sized and the report says the bound is per process.
NO_CGROUP_CASES = ["files_in_tmp", "files_in_dev_shm", "memory_bomb", "spawn_processes"]

MEMORY_MIB = 1024  # the tests' --memory
CPUS = 1.0  # the default --cpus
# What grading may take of the machine's memory besides the submission's budget: the grader
# itself (torch and pytest, about 450 MB), plus slack for other work on a shared machine.
GRADER_SHARE_MIB = 1024
REQUIREMENTS = {  # REQUIRES: -> the report's field that must say "cgroup"
    "cgroup": "process_limit", "memory-cgroup": "memory_limit", "cpu-cgroup": "cpu_limit"}


def mem_available_mib():
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) >> 10
    return 0


class Sampler:
    """While grading runs: the machine's MemAvailable, and the worker cgroups of one grader
    process (CPU quota, memory limit and peak, CPU used over time), every 50 ms."""

    def __init__(self):
        self.before = max(mem_available_mib() for _ in range(3))
        self.lowest = self.before
        self.bases = [base for _, base, _ in cgroup.hierarchies()]
        self.groups = {}  # folder name -> facts
        self.pid = None
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            self.lowest = min(self.lowest, mem_available_mib())
            if self.pid is not None:
                for base in self.bases:
                    for path in glob.glob(os.path.join(base, f"grader-{self.pid}-*")):
                        self.read_group(path)
            time.sleep(0.05)

    def read_group(self, path):
        facts = self.groups.setdefault(os.path.basename(path), {"cpu": []})
        for name in ("cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.max", "memory.limit_in_bytes",
                     "memory.max", "memory.max_usage_in_bytes", "memory.peak", "cpuacct.usage",
                     "cpu.stat"):
            try:
                with open(os.path.join(path, name)) as fh:
                    text = fh.read().strip()
            except OSError:
                continue
            if name in ("cpuacct.usage", "cpu.stat"):  # v1, v2
                usage = int(text) if name == "cpuacct.usage" else cgroup.keyed(text, "usage_usec")
                if usage is not None:
                    facts["cpu"].append((time.monotonic(), usage * (1 if name == "cpuacct.usage" else 1000)))
            elif name in ("memory.max_usage_in_bytes", "memory.peak"):
                facts["peak"] = max(facts.get("peak", 0), int(text))
            else:
                facts[name] = text

    def stop(self):
        self.running = False
        self.thread.join()

    @property
    def drop_mib(self):
        return self.before - self.lowest

    def cpu_rates(self):
        """The most cores each worker group used over any window of 1 s or more."""
        rates = []
        for facts in self.groups.values():
            samples, best = facts["cpu"], None
            for i, (t0, u0) in enumerate(samples):
                later = next(((t1, u1) for t1, u1 in samples[i + 1:] if t1 - t0 >= 1.0), None)
                if later is not None:
                    rate = (later[1] - u0) / 1e9 / (later[0] - t0)
                    best = rate if best is None else max(best, rate)
            if best is not None:
                rates.append(best)
        return rates


def grader_env(env=None):
    return dict(os.environ, GRADER_HOSTILE_SECRET=SECRET, **(env or {}))


def start_grader(*args, env=None):
    return subprocess.Popen([sys.executable, "-m", "grader.cli", "grade", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT,
                            env=grader_env(env))


def assert_no_grader_variable(message, environment):
    """No NAME=value of the grader's environment in `message` (the sandbox's own, such as
    LANG=C.UTF-8 or OMP_NUM_THREADS=1, may coincide)."""
    from grader.sandbox.levels import sandbox_env
    own = sandbox_env()
    assert "GRADER_HOSTILE_SECRET" not in message and SECRET not in message, message
    leaked = [k for k, v in environment.items()
              if v and own.get(k) != v and f"{k}={v}" in message]
    assert leaked == [], f"the grader's variables {leaked} reached the sandbox: {message[:1000]}"


def make_case(case, folder, values):
    """The case's submission in `folder` (the reference tensor_numpy with the case appended, and
    the reference shapes), placeholders filled from `values`; returns (folder, spec)."""
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
    sub = make_submission(folder, files, modules={"shapes"})
    if case in LINKS:
        os.unlink(os.path.join(sub, "tensor_numpy.py"))
        os.symlink(fill(LINKS[case]), os.path.join(sub, "tensor_numpy.py"))
    return sub, spec


def assert_verdicts(case, spec, report, honest_report):
    """The case's report says what its spec demands: the hostile task loses, with the status and
    message named; the module's honest tasks keep their points; the neighbour module is untouched."""
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
            if case in ENVIRONMENT_CASES:
                assert_no_grader_variable(test["message"], grader_env())
            assert_tampering_shown(test, spec)
        else:
            assert (test["status"], test["score"]) == (honest["status"], honest["score"]), test
    if spec["exercise"]:
        assert tensor_numpy["status"] in spec["exercise"], tensor_numpy
    if spec["waits"] is not None:  # one endless loop costs one timeout per task, not per test
        hits = [t for t in tensor_numpy["tests"]
                if spec["task"] in ("*", t["task"]) and t["status"] != "skipped"]
        waited = [t for t in hits if not t["message"].startswith("not run: an earlier test")]
        assert len(hits) > spec["waits"] and len(waited) <= spec["waits"], \
            [(t["id"], t["message"]) for t in hits]
    # The neighbour is untouched.
    shapes = next(ex for ex in report["exercises"] if ex["name"] == "shapes")
    assert shapes["status"] == "complete" and shapes["score"] == shapes["max_score"], shapes


@pytest.mark.parametrize("case, level", [(c, "bubblewrap") for c in CASES]
                         + [(c, "process") for c in FALLBACK_CASES]
                         + [(c, "bubblewrap/no-cgroup") for c in NO_CGROUP_CASES])
def test_hostile_submission(case, level, tmp_path, honest_report):
    level, _, variant = level.partition("/")
    marker = f"grader-hostile-{case}-{os.getpid()}-{time.time_ns()}"
    outside = str(tmp_path / "outside-sentinel")
    report_path = str(tmp_path / "report.json")
    listener = Listener()
    values = {"@MARKER@": marker, "@PROJECT@": PROJECT, "@REPORT@": report_path,
              "@PORT@": str(listener.port), "@OUTSIDE@": outside}

    sub, spec = make_case(case, str(tmp_path / "sub"), values)
    before = digest(PROTECTED)
    sampler = Sampler()
    neighbour = None
    try:
        proc = start_grader(sub, "-e", "tensor_numpy", "-e", "shapes", "--timeout", spec["timeout"],
                            "--memory", str(MEMORY_MIB), "--output", report_path, "--sandbox", level,
                            env={"GRADER_CGROUPS": "off"} if variant == "no-cgroup" else None)
        sampler.pid = proc.pid
        if spec["neighbour"]:  # an honest submission graded at the same time, once the case is busy
            deadline = time.monotonic() + 60
            while not processes_with(marker) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            neighbour = start_grader(os.path.join(PROJECT, spec["neighbour"]), "-e", "tensor_numpy",
                                     "-e", "shapes", "--timeout", "1.5", "--memory", str(MEMORY_MIB))
        stdout, stderr = proc.communicate(timeout=300)
        if neighbour is not None:
            neighbour_out, neighbour_err = neighbour.communicate(timeout=300)
    finally:
        for p in (proc, neighbour):
            if p is not None and p.poll() is None:
                p.kill()
        sampler.stop()
        listener.close()
    assert proc.returncode == 0, stderr[-2000:]
    assert stdout == "", "with --output, nothing but the table may be printed (on stderr)"
    with open(report_path) as fh:
        report_text = fh.read()
    report = json.loads(report_text)
    grading_done = time.monotonic()
    assert SECRET not in stdout + stderr + report_text, "the grader's environment reached an output"
    assert_no_hidden_test_lines(stdout, stderr, *strings_of(report))
    environment = report["environment"]
    if variant == "no-cgroup":
        assert (environment["process_limit"], environment["memory_limit"], environment["cpu_limit"]) \
            == ("rlimit", "per-process", "per-process"), environment
        assert sampler.groups == {}
    if spec["requires"]:
        field = REQUIREMENTS[spec["requires"]]
        if not environment[field].startswith("cgroup"):
            pytest.skip(f"this machine gives the grader no cgroup for its {field}")

    # One budget: the machine lost no more memory than the submission's limit and the grader's
    # share; each worker group held the limits the report names.
    allowance = MEMORY_MIB + GRADER_SHARE_MIB * (2 if neighbour else 1)
    print(f"{case} [{level} {variant}]: MemAvailable drop {sampler.drop_mib} MiB; worker groups' "
          f"peaks {[f.get('peak', 0) >> 20 for f in sampler.groups.values()]} MiB, "
          f"CPU {[round(r, 2) for r in sampler.cpu_rates()]} cores")
    assert sampler.drop_mib <= allowance, \
        f"MemAvailable dropped by {sampler.drop_mib} MiB while grading (at most {allowance} expected)"
    for name, facts in sampler.groups.items():
        assert facts.get("peak", 0) <= MEMORY_MIB << 20, (name, facts.get("peak"))
        if environment["cpu_limit"] == "cgroup" and "cpu.cfs_quota_us" in facts:
            assert int(facts["cpu.cfs_quota_us"]) == int(CPUS * int(facts["cpu.cfs_period_us"])), facts
        if environment["cpu_limit"] == "cgroup" and "cpu.max" in facts:
            quota, period = facts["cpu.max"].split()
            assert int(quota) == int(CPUS * int(period)), facts
    if environment["cpu_limit"] == "cgroup":
        assert all(rate <= CPUS * 1.15 for rate in sampler.cpu_rates()), sampler.cpu_rates()
    if neighbour is not None:
        assert neighbour.returncode == 0, neighbour_err[-2000:]
        graded = json.loads(neighbour_out)
        assert graded["score"] == graded["max_score"], \
            [t for ex in graded["exercises"] for t in ex["tests"] if t["status"] != "passed"]

    assert_verdicts(case, spec, report, honest_report)
    assert environment["sandbox"] == level

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


def all_looping_source(stub_path):
    """A module whose every function, and every class's constructor, is an endless loop: the
    one benchmarks/all_looping.py times, so the README's figure and this test grade the same."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "all_looping", os.path.join(PROJECT, "benchmarks", "all_looping.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.looping_module(stub_path)


def test_an_all_looping_submission_is_cut_at_its_budget_and_still_reported(tmp_path):
    """Every function of every module loops: the grading ends at --total-timeout (plus what the
    tests still collected take), the report is written, everything is `timeout`, and each task
    waits at most once."""
    stubs = os.path.join(PROJECT, "exercises")
    files = {name: all_looping_source(os.path.join(stubs, name))
             for name in sorted(os.listdir(stubs)) if name.endswith(".py") and name != "__init__.py"}
    sub = make_submission(str(tmp_path / "sub"), files, base=None)
    report_path = str(tmp_path / "report.json")
    budget = 12
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "grade", sub, "--timeout", "1",
                           "--total-timeout", str(budget), "--output", report_path],
                          capture_output=True, text=True, cwd=PROJECT, timeout=600,
                          env=grader_env())
    wall = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(report_path) as fh:
        report = json.load(fh)
    assert report["environment"]["total_timeout"] == budget
    assert report["environment"]["total_timeout_reached"] is True
    assert report["score"] == 0
    tests = [t for ex in report["exercises"] for t in ex["tests"] if t["status"] != "skipped"]
    assert len(tests) > 150 and {t["status"] for t in tests} == {"timeout"}, \
        sorted({(t["status"], t["message"][:80]) for t in tests})
    cut = [t for t in tests if "time budget" in t["message"]]
    assert cut and all("--total-timeout" in t["message"] for t in cut)
    # The last tests never ran: each says so, and none waited for a call.
    assert "was not run" in tests[-1]["message"]
    waited = {}
    for t in tests:
        if "did not finish within" in t["message"] and not t["message"].startswith("not run"):
            waited[t["task"]] = waited.get(t["task"], 0) + 1
    assert waited and max(waited.values()) == 1, waited
    # Not a timing test: only that the budget, not 179 timeouts, bounded the run.
    assert wall < budget + 150, wall


def test_tampering_is_shown_by_check(tmp_path):
    """`grader check` names the tampering (a frame walk) and shows no line of the hidden tests."""
    with open(os.path.join(SOLUTIONS, "tensor_numpy.py")) as fh, \
            open(os.path.join(HOSTILE, "grader_frame_walk.py")) as hostile:
        module = fh.read() + "\n\n" + hostile.read()
    sub = make_submission(str(tmp_path / "sub"), {"tensor_numpy.py": module}, modules=set())
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "check", "shared_tensor", "-s", sub],
                          capture_output=True, text=True, timeout=300, cwd=PROJECT)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert TAMPERING in proc.stdout and "sys._getframe" in proc.stdout, proc.stdout
    assert "(tampered with the grader" in proc.stdout, proc.stdout
    assert "0/3 points" in proc.stdout or "0 of" in proc.stdout, proc.stdout
    assert_no_hidden_test_lines(proc.stdout, proc.stderr)


def test_the_hostile_corpus_holds_with_the_worker_template(tmp_path, honest_report):
    """Every case (at the bubblewrap level) graded as one class by `batch --jobs 2`, each worker
    forked from a template: the same verdicts as graded alone, nothing outside changed, nothing
    left running, nothing connected, no secret and no hidden test in any output."""
    from grader.sandbox import levels
    if not levels.bubblewrap_works()[0]:
        pytest.skip("the worker template needs bubblewrap")
    listener = Listener()
    out = tmp_path / "out"
    classes = {}  # the call timeout -> [(case, student's name, marker, outside path, spec)]
    for case in CASES:
        with open(os.path.join(HOSTILE, case + ".py")) as fh:
            timeout = spec_of(fh.read())["timeout"]
        name, marker = case.replace("_", "-"), f"grader-hostile-{case}-{os.getpid()}-{time.time_ns()}"
        outside = str(tmp_path / f"outside-{case}")
        values = {"@MARKER@": marker, "@PROJECT@": PROJECT, "@PORT@": str(listener.port),
                  "@REPORT@": str(out / timeout / f"{name}.json"), "@OUTSIDE@": outside}
        _, spec = make_case(case, str(tmp_path / f"class-{timeout}" / name), values)
        classes.setdefault(timeout, []).append((case, name, marker, outside, spec))
    before = digest(PROTECTED)
    outputs = []
    try:
        for timeout in classes:
            proc = subprocess.run(
                [sys.executable, "-m", "grader", "batch", str(tmp_path / f"class-{timeout}"), "--out",
                 str(out / timeout), "-e", "tensor_numpy", "-e", "shapes", "--timeout", timeout,
                 "--memory", str(MEMORY_MIB), "--jobs", "2", "-q"],
                capture_output=True, text=True, timeout=900, cwd=PROJECT, env=grader_env())
            assert proc.returncode == 0, proc.stderr[-3000:]
            outputs += [proc.stdout, proc.stderr]
        batch_done = time.monotonic()
    finally:
        listener.close()
    assert SECRET not in "".join(outputs)
    assert_no_hidden_test_lines(*outputs)
    reports = {}
    for timeout, cases in classes.items():
        for case, name, marker, outside, spec in cases:
            with open(out / timeout / f"{name}.json") as fh:
                text = fh.read()
            report = reports[case] = json.loads(text)
            assert SECRET not in text, case
            assert_no_hidden_test_lines(*strings_of(report))
            environment = report["environment"]
            assert (environment["worker"], environment["sandbox"]) == ("template", "bubblewrap"), (case, environment)
            if spec["requires"] and not environment[REQUIREMENTS[spec["requires"]]].startswith("cgroup"):
                continue  # this machine gives no cgroup for what the case needs
            assert_verdicts(case, spec, report, honest_report)
            assert not os.path.exists(outside), f"{case} wrote {outside}"
            assert processes_with(marker) == [], f"a process started by {case} outlived grading"
    assert digest(PROTECTED) == before
    assert listener.connections == 0, "a submission reached a localhost socket"
    time.sleep(max(0.0, 3.5 - (time.monotonic() - batch_done)))
    late = next(c for c in classes.values() for c in c if c[0] == "rewrite_report_later")
    with open(out / "1.5" / f"{late[1]}.json") as fh:
        assert json.load(fh) == reports["rewrite_report_later"], "a report changed after grading"
