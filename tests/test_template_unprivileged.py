"""The worker template when the grader does not run as root (a student's or a TA's machine).

Unprivileged, bubblewrap makes a user namespace, no cgroup can be made, and the template's forks
clear their capabilities instead of dropping to uid 65534 (see `grader/worker/template.py`).
The rest of the suite runs as root on CI, so this file grades a small class as uid 65534:
in a private mount namespace made as root, the folders above the Python installation and the
checkout that uid 65534 cannot pass (/root is 0700 here) are covered by a 0755 tmpfs with those
folders bound back, and `setpriv` drops to uid/gid 65534 with no capabilities, groups or
bounding set. The class is graded with the template and with fresh workers: the verdicts must
be the same, the template must really serve, and a probe submission reports what its forked
worker sees of itself.
"""

import glob
import json
import ast
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile

import pytest

from grader import course as courses
from grader.sandbox import levels
from helpers import EXERCISES, PROJECT, SOLUTIONS, make_submission

PAIRS = os.path.join(PROJECT, "tests", "hostile", "pairs")
NOBODY = 65534

if os.geteuid() != 0:
    # Not root: the grader already runs unprivileged in every other test of the template.
    pytest.skip("the suite runs as a non-root user, so tests/test_template.py already covers "
                "the unprivileged template", allow_module_level=True)

PROBE = r'''
import os


def _attempt(action):
    try:
        action()
        return "done"
    except OSError as exc:
        return type(exc).__name__


def swap_last_two(t):
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    facts = {"uid": os.getuid(), "gid": os.getgid(), "pid": os.getpid(),
             "caps": {k: int(status[k], 16) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb", "CapBnd")},
             "nnp": status["NoNewPrivs"].strip(),
             "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
             "tmp": sorted(os.listdir("/tmp")), "shm": sorted(os.listdir("/dev/shm")),
             "files": sorted(os.listdir("/submission")),
             "write_submission": _attempt(lambda: open("/submission/mine", "w").close()),
             "grader_files": {p: _attempt(lambda p=p: open(p, "rb").read(1)) for p in GRADER_FILES}}
    raise RuntimeError("FACTS" + repr(facts) + "FACTS")
'''


# Run as uid 65534 before grading: its uid and the package it imports, or what it cannot read
# of that package (the worker's files are read inside the sandbox as that user).
READABLE = """
import os, grader, torch
package = os.path.dirname(grader.__file__)
unreadable = [os.path.join(d, f) for d, _, files in os.walk(package) for f in files
              if f.endswith(".py") and not os.access(os.path.join(d, f), os.R_OK)]
print(os.getuid(), package, *unreadable)
"""


def read(path):
    with open(path) as fh:
        return fh.read()


def closed_folders(paths):
    """The highest folders above `paths` that others cannot pass (no o+x), with the paths
    below each: {folder: [path, ...]}."""
    closed = {}
    paths = sorted({os.path.realpath(p) for p in paths})
    for path in [p for p in paths if not any(levels.under(p, q) and p != q for q in paths)]:
        parts = path.split("/")
        for i in range(2, len(parts)):
            folder = "/".join(parts[:i])
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                closed.setdefault(folder, []).append(path)
                break
    return closed


def as_nobody_script(work, needed):
    """A shell script, run by root in a new private mount namespace, that makes `needed` paths
    reachable for uid 65534 and then runs its arguments as that user."""
    lines = ["set -e"]
    for n, (folder, paths) in enumerate(sorted(closed_folders(needed).items())):
        stash = [os.path.join(work, f"stash-{n}-{i}") for i in range(len(paths))]
        for path, keep in zip(paths, stash):
            lines += [f"mkdir -p {shlex.quote(keep)}", f"mount --bind {shlex.quote(path)} {shlex.quote(keep)}"]
        lines.append(f"mount -t tmpfs -o mode=755 tmpfs {shlex.quote(folder)}")
        for path, keep in zip(paths, stash):
            lines += [f"mkdir -p {shlex.quote(path)}", f"mount --move {shlex.quote(keep)} {shlex.quote(path)}"]
    home = shlex.quote("HOME=" + os.path.join(work, "home"))
    lines.append(f"exec setpriv --reuid {NOBODY} --regid {NOBODY} --clear-groups --inh-caps=-all "
                 f"--bounding-set=-all env -i {home} PATH=/usr/bin:/bin LANG=C.UTF-8 "
                 f"{shlex.quote('PYTHONPATH=' + PROJECT)} \"$@\"")
    return "\n".join(lines) + "\n"


def as_nobody(work, *argv, timeout=300):
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh",
                           os.path.join(work, "as-nobody.sh"), *argv],
                          capture_output=True, text=True, timeout=timeout, cwd=PROJECT)


@pytest.fixture(scope="module")
def work():
    """A 0755 folder (pytest's are 0700) holding the class, the reports and a home, and the
    script that runs a command as uid 65534. Fails, never skips, where that cannot work."""
    for tool in ("unshare", "setpriv", "bwrap"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed, so the grader cannot be run unprivileged here")
    folder = tempfile.mkdtemp(prefix="grader-unprivileged-", dir="/tmp")
    try:
        yield prepare(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepare(folder):
    os.chmod(folder, 0o755)
    home = os.path.join(folder, "home")
    os.mkdir(home)
    with open(os.path.join(home, "secret"), "w") as fh:  # the grader's own, never the student's
        fh.write("token")
    os.chown(home, NOBODY, NOBODY)
    os.chown(os.path.join(home, "secret"), NOBODY, NOBODY)
    os.chmod(os.path.join(home, "secret"), 0o600)
    needed = levels.python_roots() + [os.path.dirname(os.path.realpath(sys.executable)), PROJECT]
    with open(os.path.join(folder, "as-nobody.sh"), "w") as fh:
        fh.write(as_nobody_script(folder, needed))
    check = as_nobody(folder, sys.executable, "-c", READABLE, timeout=120)
    if check.returncode != 0 or check.stdout.split() != [str(NOBODY), os.path.join(PROJECT, "grader")]:
        pytest.fail(f"uid {NOBODY} cannot run this checkout ({PROJECT}) with {sys.executable}: every "
                    "folder above them must be passable (o+x) and their files readable (o+r), or "
                    f"sit under a folder this test covers ({sorted(closed_folders(needed))}): "
                    f"{check.stdout[-500:]} {check.stderr[-1500:]}")
    userns = as_nobody(folder, "unshare", "--user", "true", timeout=60)
    if userns.returncode != 0:
        pytest.fail("an unprivileged user cannot make a user namespace here (see "
                    f"user.max_user_namespaces), so bubblewrap cannot run for one: {userns.stderr[-500:]}")
    return folder


@pytest.fixture(scope="module")
def runs(work):
    """A small class graded as uid 65534 with the template (one grading process, so the students
    come in order: a leaver right before the probe and another right before the canary) and with
    fresh workers: {"template"|"fresh": {student: report}}."""
    root = os.path.join(work, "class")
    tensor_numpy = read(os.path.join(SOLUTIONS, "tensor_numpy.py"))
    canary = read(os.path.join(PAIRS, "canary.py"))
    hidden = courses.open_course(PROJECT).hidden_tests_dir
    grader_files = [os.path.join(work, "home", "secret"), os.path.join(SOLUTIONS, "shapes.py"),
                    sorted(glob.glob(os.path.join(hidden, "test_*.py")))[0]]
    probe = read(os.path.join(SOLUTIONS, "shapes.py")) + f"\nGRADER_FILES = {grader_files!r}\n" + PROBE
    make_submission(os.path.join(root, "0-solutions"))
    make_submission(os.path.join(root, "1-stubs"), base=EXERCISES)
    for name, parts in (("2a-leave_files", [read(os.path.join(PAIRS, "leave_files.py"))]),
                        ("3a-leave_processes", [read(os.path.join(PAIRS, "leave_processes.py"))]),
                        ("3b-canary", [canary])):
        make_submission(os.path.join(root, name), {"tensor_numpy.py": "\n\n".join([tensor_numpy] + parts)},
                        modules=set())
    make_submission(os.path.join(root, "2b-probe"), {"shapes.py": probe}, modules=set())
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chmod(os.path.join(folder, name), 0o755 if name in dirs else 0o644)
    os.chmod(root, 0o755)
    found = {}
    for label, args in (("template", ["--jobs", "1"]), ("fresh", ["--fresh-workers", "--jobs", "2"])):
        out = os.path.join(work, "out-" + label)
        os.mkdir(out)
        os.chown(out, NOBODY, NOBODY)
        proc = as_nobody(work, sys.executable, "-m", "grader", "batch", root, "--out", out, "-q",
                         "-e", "shapes", "-e", "tensor_numpy", "--timeout", "10", *args)
        assert proc.returncode == 0, (label, proc.stdout[-1000:], proc.stderr[-3000:])
        found[label] = {}
        for path in glob.glob(os.path.join(out, "*.json")):
            with open(path) as fh:
                report = json.load(fh)
            if "exercises" in report:
                found[label][report["submission"]] = report
    return found


def verdict(report):
    return (report["score"], report["max_score"], [
        (ex["name"], ex["status"], [(t["id"], t["status"], t["score"], t["message"]) for t in ex["tests"]])
        for ex in report["exercises"]])


def probe_facts(report):
    message = next(t["message"] for ex in report["exercises"] for t in ex["tests"] if t["task"] == "swap_last_two")
    return ast.literal_eval(message.split("FACTS")[1])  # our own probe's repr of plain data


def test_the_template_serves_an_unprivileged_grader_with_the_same_verdicts(runs):
    template, fresh = runs["template"], runs["fresh"]
    assert set(template) == set(fresh) == {"0-solutions", "1-stubs", "2a-leave_files", "2b-probe",
                                           "3a-leave_processes", "3b-canary"}
    for name, report in template.items():
        env = report["environment"]
        assert (env.get("sandbox"), env.get("worker")) == ("bubblewrap", "template"), \
            (name, env, report.get("batch_status"))
        assert "worker_note" not in env, (name, env)
        assert env["memory_limit"] == "per-process", env  # no cgroup for an unprivileged grader
    assert {r["environment"].get("worker") for r in fresh.values()} == {"fresh"}, \
        {name: r.get("batch_status") for name, r in fresh.items()}
    assert fresh["0-solutions"]["score"] == fresh["0-solutions"]["max_score"] > 0
    assert fresh["1-stubs"]["score"] == 0
    canary = next(ex for ex in fresh["3b-canary"]["exercises"] if ex["name"] == "tensor_numpy")
    assert canary["score"] == canary["max_score"] > 0, canary  # graded alone: full marks
    for name in sorted(fresh):  # the probe's message too: what its worker sees of itself
        assert verdict(template[name]) == verdict(fresh[name]), name


@pytest.mark.parametrize("label", ["template", "fresh"])
def test_an_unprivileged_graders_worker_is_confined(runs, label):
    """What the probe's worker sees of itself (the same either way, see above), graded right
    after a student who left files in /tmp and /dev/shm: no capability, pid 2 of a namespace of
    its own, empty /tmp and /dev/shm, a read-only /submission holding its file, and nothing of
    the grader's files."""
    report = runs[label]["2b-probe"]
    assert report["environment"]["worker"] == label
    facts = probe_facts(report)
    assert facts["uid"] == facts["gid"] == NOBODY, facts
    assert facts["caps"] == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapAmb": 0, "CapBnd": 0}, facts
    assert facts["nnp"] == "1", facts
    assert facts["pid"] == 2 and facts["pids"] == [1, 2], facts
    assert facts["tmp"] == [] and facts["shm"] == [], facts
    assert facts["files"] == ["shapes.py"] and facts["write_submission"] == "OSError", facts
    assert set(facts["grader_files"].values()) == {"FileNotFoundError"}, facts

