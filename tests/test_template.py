"""The worker template (`batch --worker-template`, the default): one grading process imports
torch once and forks each submission's worker from it. Nothing may pass from one student to
the next, and every score, status and message is the one a fresh worker gives.

The pair cases live in tests/hostile/pairs/: each `leave_*.py` is a student who leaves something
behind (appended to the reference tensor_numpy.py), graded right before `canary.py` (the
reference plus a check that raises if it sees anything of the student before). A control
student holds both parts in one module: it shows that the canary sees each leftover where it
is really there.
"""

import glob
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from grader import course as courses
from grader import engine
from grader.sandbox import levels
from grader.sandbox import template as template_module
from grader.sandbox.template import MAX_BYTES, TemplateChild, WorkerTemplate
from grader.worker import codec
from helpers import EXERCISES, PROJECT, SOLUTIONS, make_submission

PAIRS = os.path.join(PROJECT, "tests", "hostile", "pairs")
LEAVES = sorted(f[:-3] for f in os.listdir(PAIRS) if f.startswith("leave_"))
MISTAKES = os.path.join(PROJECT, "tests", "mistakes")

needs_bubblewrap = pytest.mark.skipif(not levels.bubblewrap_works()[0],
                                      reason="the template needs bubblewrap, which cannot run here")


def read(path):
    with open(path) as fh:
        return fh.read()


def run_batch(root, out, *args, timeout=600):
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", root, "--out", out, "-q", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=PROJECT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def verdicts(out):
    """{student: (score, max, [(exercise, status, [(test, status, score, message)])])} and
    {student: the report's environment}."""
    found, environments = {}, {}
    for path in sorted(glob.glob(os.path.join(out, "*.json"))):
        report = json.loads(read(path))
        if "exercises" not in report:
            continue
        name = report["submission"]
        found[name] = (report["score"], report["max_score"], [
            (ex["name"], ex["status"], [(t["id"], t["status"], t["score"], t["message"]) for t in ex["tests"]])
            for ex in report["exercises"]])
        environments[name] = report["environment"]
    return found, environments


@pytest.fixture(scope="module")
def pair_class(tmp_path_factory):
    """Each leaver followed by a canary (named so that the batch takes them in that order), and
    one control per leaver."""
    root = str(tmp_path_factory.mktemp("pairs") / "class")
    reference = read(os.path.join(SOLUTIONS, "tensor_numpy.py"))
    canary = read(os.path.join(PAIRS, "canary.py"))
    for i, case in enumerate(LEAVES):
        leave = read(os.path.join(PAIRS, case + ".py"))
        for name, parts in ((f"{i:02d}a-{case}", [leave]), (f"{i:02d}b-canary", [canary]),
                            (f"control-{case}", [leave, canary])):
            make_submission(os.path.join(root, name), {
                "tensor_numpy.py": "\n\n".join([reference] + parts)}, modules=set())
    return root


@pytest.fixture(scope="module")
def pair_runs(pair_class, tmp_path_factory):
    """The pair class graded three ways: a fresh worker per student (each graded as if alone),
    then the template with one and with two grading processes."""
    out = tmp_path_factory.mktemp("pair-runs")
    runs = {}
    for label, args in (("fresh", ["--fresh-workers", "--jobs", "2"]),
                        ("template-1", ["--jobs", "1"]), ("template-2", ["--jobs", "2"])):
        run_batch(pair_class, str(out / label), "-e", "tensor_numpy", "--timeout", "5", *args)
        runs[label] = verdicts(str(out / label))
    return runs


@needs_bubblewrap
def test_the_canary_sees_each_leftover_where_it_is_there(pair_runs):
    found, environments = pair_runs["fresh"]
    assert all(env["worker"] == "fresh" and "worker_note" not in env for env in environments.values())
    for case in LEAVES:
        score, _, exercises = found[f"control-{case}"]
        (_, status, tests), = exercises
        assert (score, status) == (0.0, "import_error"), (case, exercises)
        assert "left behind by another student" in tests[0][3], (case, tests[0])
    canaries = [name for name in found if name.endswith("-canary")]
    assert len(canaries) == len(LEAVES) >= 9
    for name in canaries:
        assert found[name][0] == found[name][1] > 0, found[name]


@needs_bubblewrap
@pytest.mark.parametrize("run", ["template-1", "template-2"])
def test_nothing_passes_from_one_student_to_the_next(pair_runs, run):
    fresh, _ = pair_runs["fresh"]
    templated, environments = pair_runs[run]
    assert set(templated) == set(fresh)
    assert {env["worker"] for env in environments.values()} == {"template"}, environments
    for name in sorted(fresh):
        assert templated[name] == fresh[name], name


@pytest.fixture(scope="module")
def mixed_class(tmp_path_factory):
    """Full marks, stubs, and partial submissions (one classic mistake per module), every
    exercise: the benchmark's kind of class, smaller."""
    root = str(tmp_path_factory.mktemp("mixed") / "class")
    make_submission(os.path.join(root, "full"))
    make_submission(os.path.join(root, "stubs"), base=EXERCISES)
    for k in range(2):
        files = {}
        for module in sorted(os.listdir(MISTAKES)):
            fixtures = sorted(glob.glob(os.path.join(MISTAKES, module, "*.py")))
            if fixtures:
                files[module + ".py"] = read(os.path.join(SOLUTIONS, module + ".py")) + "\n\n" \
                    + read(fixtures[(k * 3) % len(fixtures)])
        make_submission(os.path.join(root, f"partial-{k}"), files)
    return root


@needs_bubblewrap
def test_scores_statuses_and_messages_are_the_same_with_and_without_the_template(mixed_class, tmp_path):
    run_batch(mixed_class, str(tmp_path / "fresh"), "--fresh-workers", "--jobs", "2")
    run_batch(mixed_class, str(tmp_path / "template"), "--jobs", "2")
    fresh, _ = verdicts(str(tmp_path / "fresh"))
    templated, environments = verdicts(str(tmp_path / "template"))
    assert {env["worker"] for env in environments.values()} == {"template"}
    assert fresh["full"][0] == fresh["full"][1] and fresh["stubs"][0] == 0
    assert 0 < fresh["partial-0"][0] < fresh["partial-0"][1]
    assert templated == fresh


def grade_with_template(submissions, **options):
    """Grade each submission in turn with one Grader holding a template; the reports."""
    grader = engine.Grader(courses.open_course(PROJECT), timeout=5.0, memory_mib=512, template=True,
                           **options)
    try:
        return [grader.grade(sub, ["shapes"]) for sub in submissions], grader
    finally:
        grader.close()


@needs_bubblewrap
def test_without_bubblewrap_fresh_workers_grade_and_the_report_says_why():
    (report,), _ = grade_with_template([SOLUTIONS], sandbox="process")
    assert report["environment"]["worker"] == "fresh"
    assert "the template needs bubblewrap" in report["environment"]["worker_note"]
    assert report["score"] == report["max_score"] > 0


@needs_bubblewrap
def test_a_submission_too_large_to_send_is_graded_by_a_fresh_worker(tmp_path):
    big = make_submission(str(tmp_path / "big"), modules={"shapes"})
    with open(os.path.join(big, "data.bin"), "wb") as fh:
        fh.write(b"\0" * (MAX_BYTES + 1))
    small = make_submission(str(tmp_path / "small"), modules={"shapes"})
    (first, second), _ = grade_with_template([big, small])
    assert first["environment"]["worker"] == "fresh"
    assert f"more than {MAX_BYTES >> 20} MiB" in first["environment"]["worker_note"]
    assert second["environment"]["worker"] == "template"  # the template still serves the next
    assert first["score"] == second["score"] == first["max_score"] > 0


def verdict(report):
    return (report["score"], report["max_score"], [
        (ex["name"], ex["status"], [(t["id"], t["status"], t["score"], t["message"]) for t in ex["tests"]])
        for ex in report["exercises"]])


@needs_bubblewrap
def test_a_template_that_died_is_started_again_then_fresh_workers_grade(monkeypatch):
    """A template killed between two submissions is replaced for the next one (the students
    after the kill are graded by a new template, with the same verdicts), at most MAX_RESTARTS
    times per grading process (1 here): after that fresh workers grade, and the note says so."""
    monkeypatch.setattr(template_module, "MAX_RESTARTS", 1)
    grader = engine.Grader(courses.open_course(PROJECT), timeout=5.0, memory_mib=512, template=True)
    reports, templates = [], []
    try:
        for kill in (False, True, False, True, False):
            if kill:
                assert grader.template.host_pid, [r["environment"]["worker"] for r in reports]
                os.kill(grader.template.host_pid, 9)
            reports.append(grader.grade(SOLUTIONS, ["shapes"]))
            templates.append(grader.template.host_pid)
    finally:
        grader.close()
    kinds = [report["environment"]["worker"] for report in reports]
    assert kinds == ["template", "template", "template", "fresh", "fresh"], kinds
    assert templates[0] != templates[1] == templates[2], templates  # a new one after the kill
    assert grader.template.restarts == 1
    assert all("worker_note" not in report["environment"] for report in reports[:3])
    for report in reports[3:]:
        note = report["environment"]["worker_note"]
        assert "the template stopped" in note and "started again 1 time in" in note, note
        assert "fresh workers grade the rest" in note, note
    assert reports[0]["score"] == reports[0]["max_score"] > 0
    assert all(verdict(report) == verdict(reports[0]) for report in reports), [verdict(r) for r in reports]


@needs_bubblewrap
def test_a_template_that_stops_during_a_call_is_the_graders_failure_not_the_students(tmp_path):
    """The template stopping takes its running worker with it: the call in progress did not
    crash by the submission's doing, so the grading is the grader's failure (GraderError, an
    `error` row in a batch), never a `crashed` verdict."""
    sub = make_submission(tmp_path / "slow", {"shapes.py": (
        "import time\n"
        "def swap_last_two(t):\n"
        "    time.sleep(4)\n"
        "    return t.transpose(-2, -1)\n")}, modules=["shapes"])
    grader = engine.Grader(courses.open_course(PROJECT), timeout=8.0, memory_mib=512, template=True)
    killer = threading.Thread(target=kill_template_during_first_call, args=(grader,), daemon=True)
    try:
        killer.start()
        with pytest.raises(engine.GraderError, match="worker template stopped while swap_last_two"):
            grader.grade(sub, ["shapes"])
        killer.join()
        again = grader.grade(SOLUTIONS, ["shapes"])  # the next submission: a new template
    finally:
        grader.close()
    assert again["environment"]["worker"] == "template" and again["score"] == again["max_score"] > 0


def kill_template_during_first_call(grader):
    deadline = time.monotonic() + 60
    while grader.template.child is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(1.5)  # the import takes milliseconds; the first call sleeps 4 s
    os.kill(grader.template.host_pid, 9)


def test_a_worker_that_takes_a_while_to_end_is_waited_for_without_killing_the_template():
    """The template reports a worker's end when its whole process tree is gone, which can take
    a while: a wait that runs out is no reason to call the template stuck and kill it (a
    submission could spend the template's restarts that way), and a report that arrives in
    pieces is read whole. A worker running when the template closes is marked lost with it."""
    template = WorkerTemplate([], 512, 1.0, level="process")  # starts no sandbox itself
    ours, theirs = socket.socketpair()
    stand_in = subprocess.Popen(["sleep", "60"])  # as the template's sandbox, for close() to end
    template.proc, template.control = stand_in, ours
    child = template.child = TemplateChild(template, None)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(0.2)
        frame = codec.pack({"op": "exited", "pid": 3, "status": 0}, [])
        theirs.sendall(frame[:10])  # its length and a little more
        assert child.poll() is None
        assert template.proc is stand_in and stand_in.poll() is None and template.stopped is None
        theirs.sendall(frame[10:])
        assert child.wait(5) == 0 and template.child is None and not child.lost
        assert template.proc is stand_in and stand_in.poll() is None
        running = template.child = TemplateChild(template, None)
        template.close()  # as when the template stopped: the running worker went with it
        assert running.lost and stand_in.poll() is not None
    finally:
        template.close()
        theirs.close()


@needs_bubblewrap
def test_a_forked_worker_is_confined_as_a_fresh_one(tmp_path):
    """What the worker sees of itself: uid 65534, no capabilities (none to gain either: an
    empty bounding set), pid 2 under an init of its own, its own empty /tmp and /dev/shm,
    /submission read-only with the student's files."""
    probe = (
        "import os\n"
        "def swap_last_two(t):\n"
        "    status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)\n"
        "    facts = {'uid': os.getuid(), 'pid': os.getpid(),\n"
        "             'caps': [int(status[k], 16) for k in ('CapPrm', 'CapEff', 'CapBnd', 'CapAmb')],\n"
        "             'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),\n"
        "             'tmp': sorted(os.listdir('/tmp')), 'shm': sorted(os.listdir('/dev/shm')),\n"
        "             'files': sorted(os.listdir('/submission')), 'writable': os.access('/submission', os.W_OK)}\n"
        "    open('/tmp/mine', 'w').write('x')\n"
        "    raise RuntimeError(repr(facts))\n")
    sub = make_submission(str(tmp_path / "probe"), {"shapes.py": read(os.path.join(SOLUTIONS, "shapes.py"))
                                                    + "\n" + probe}, modules={"shapes"})
    reports, _ = grade_with_template([sub, sub])
    for report in reports:
        assert report["environment"]["worker"] == "template"
        assert report["environment"]["sandbox"] == "bubblewrap"
        messages = [t["message"] for ex in report["exercises"] for t in ex["tests"]
                    if t["task"] == "swap_last_two"]
        facts = eval(messages[0].split("RuntimeError: ", 1)[1].split("\n")[0])  # our own probe's repr
        assert facts["uid"] == 65534 and facts["pid"] == 2 and facts["caps"] == [0, 0, 0, 0], facts
        assert facts["pids"] == [1, 2], facts
        assert facts["tmp"] == [] and facts["shm"] == [], facts  # the first student's /tmp/mine is gone
        assert facts["files"] == ["shapes.py"] and facts["writable"] is False, facts


@needs_bubblewrap
def test_a_forked_workers_memory_limit_leaves_what_a_fresh_worker_has_left():
    """A forked worker shares torch's pages with the template, which its group is not charged
    for: its limit is --memory less the template's charge (plus the little it copied itself)."""
    from grader.sandbox.client import WorkerClient
    hidden = engine.hidden_paths(courses.open_course(PROJECT))
    template = WorkerTemplate(hidden, 512, 1.0)
    client = WorkerClient(SOLUTIONS, memory_mib=512, hidden=hidden, template=template)
    try:
        client.start()
        group = client.group
        if group is None or "memory" not in group.limited:
            pytest.skip("no memory cgroup here")
        assert client.worker_kind == "template"
        limit = group.memory_bytes
        path = group.path_of("memory")
        written = [read(os.path.join(path, name)).strip() for name in ("memory.limit_in_bytes", "memory.max")
                   if os.path.exists(os.path.join(path, name))]
        assert written == [str(limit)]
        assert template.charged > 64 << 20  # torch and the worker's code are in the template's group
        assert (512 << 20) - template.charged < limit <= (512 << 20) - template.charged + (64 << 20)
    finally:
        client.close()
        template.close()
