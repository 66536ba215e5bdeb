"""examples/slurm on a real single-node Slurm: munged, slurmctld and slurmd started here for the
session, on a slurm.conf written for this one node (2 CPUs), and stopped after.

Skipped with the reason where Slurm or munge is not installed (.ci/run installs Debian's
slurmctld, slurmd, slurm-client and munge where apt can) or where the daemons cannot start.
One class of six, graded on one exercise: the example's full run equals an unsharded
`grader batch` byte for byte; one index re-submitted grades that shard alone and is merged; a task
cancelled before it ran is noticed by the merge, which names its students and fails.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from grader.instructor.submissions import shard_of
from helpers import EXERCISES, PROJECT, SOLUTIONS

EXAMPLE = os.path.join(PROJECT, "examples", "slurm", "grade_class.sh")
SHARDS = 3
BATCH_OPTIONS = ["-e", "tensor_numpy", "--timeout", "2"]
DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel")


def find_daemon(name):
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}")
                                       if os.path.exists(p)), None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gone(pid):
    """Whether `pid` has ended. A daemon that ended may be left a zombie of this process (the
    grader's client makes the test process a subreaper, so the daemons were re-parented to it):
    reaped here, or else the stop waited its whole 20 s for a process already dead."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
    except ChildProcessError:  # not ours to reap: its state says
        pass
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


class Cluster:
    """A one-node Slurm in `base`; its commands run with SLURM_CONF pointing at it."""

    def __init__(self, base):
        self.base = base
        self.node = socket.gethostname().split(".")[0]
        self.env = dict(os.environ, SLURM_CONF=os.path.join(base, "slurm.conf"))
        self.munged_pid = None

    def write_config(self):
        run = os.path.join(self.base, "run")
        for folder in ("run", "ctld", "d"):
            os.makedirs(os.path.join(self.base, folder), exist_ok=True)
        os.chmod(run, 0o755)  # munge's socket must be reachable by every user
        key = os.path.join(self.base, "munge.key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as fh:
            fh.write(os.urandom(1024))
        b = self.base
        config = f"""\
ClusterName=graderci
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={run}/munge.sock
StateSaveLocation={b}/ctld
SlurmdSpoolDir={b}/d
SlurmctldPidFile={run}/slurmctld.pid
SlurmdPidFile={run}/slurmd.pid
SlurmctldLogFile={b}/slurmctld.log
SlurmdLogFile={b}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=900
MpiDefault=none
NodeName={self.node} NodeAddr=127.0.0.1 CPUs=2 RealMemory=8192 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""
        with open(self.env["SLURM_CONF"], "w") as fh:
            fh.write(config)

    def start(self):
        self.write_config()
        run = os.path.join(self.base, "run")
        proc = subprocess.run([find_daemon("munged"), "--force", f"--socket={run}/munge.sock",
                               f"--key-file={self.base}/munge.key", f"--log-file={self.base}/munged.log",
                               f"--pid-file={run}/munged.pid", f"--seed-file={self.base}/munged.seed"],
                              capture_output=True, text=True, timeout=30)
        if proc.returncode != 0:
            return f"munged did not start: {proc.stderr.strip()[-300:]}"
        self.munged_pid = self.pid("munged")
        for daemon in (["slurmctld", "-i"], ["slurmd", "-N", self.node]):
            proc = subprocess.run([find_daemon(daemon[0]), *daemon[1:]], capture_output=True, text=True,
                                  env=self.env, timeout=30)
            if proc.returncode != 0:
                return f"{daemon[0]} did not start: {proc.stderr.strip()[-300:]}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            out = self.cmd("sinfo", "-h", "-o", "%t", check=False).stdout.strip()
            if out in ("idle", "mix", "alloc"):
                return None
            time.sleep(0.5)
        return f"the node never became idle: {self.log_tail('slurmd.log')}"

    def pid(self, name):
        try:
            with open(os.path.join(self.base, "run", f"{name}.pid")) as fh:
                return int(fh.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self):
        """Stop the daemons this fixture started, by their pids: Slurm's through scontrol first."""
        self.cmd("scontrol", "shutdown", check=False)
        pids = [self.pid("slurmd"), self.pid("slurmctld"), self.munged_pid]
        if self.munged_pid:
            try:
                os.kill(self.munged_pid, 15)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 20
        for pid in filter(None, pids):
            while time.monotonic() < deadline:
                if gone(pid):
                    break
                time.sleep(0.2)
            else:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass

    def cmd(self, *args, check=True, env=None):
        proc = subprocess.run([find_daemon(args[0]) or args[0], *args[1:]], capture_output=True, text=True,
                              env=dict(self.env, **(env or {})), timeout=60)
        if check:
            assert proc.returncode == 0, f"{args}: {proc.stdout}{proc.stderr}"
        return proc

    def log_tail(self, name):
        try:
            with open(os.path.join(self.base, name), errors="replace") as fh:
                return fh.read()[-800:]
        except OSError:
            return "(no log)"

    def job(self, job_id):
        """{field: value} of `scontrol show job` for one job (an array's tasks: a list)."""
        out = self.cmd("scontrol", "show", "job", "-o", str(job_id)).stdout
        return [dict(f.split("=", 1) for f in line.split() if "=" in f) for line in out.splitlines()]

    def wait(self, job_id, timeout=300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.cmd("squeue", "-h", "-j", str(job_id), check=False).stdout.strip():
                return self.job(job_id)
            time.sleep(0.25)  # squeue is cheap; a job's end is seen within a quarter second
        raise AssertionError(f"job {job_id} still queued after {timeout} s: "
                             f"{self.cmd('squeue', check=False).stdout}{self.log_tail('slurmctld.log')}")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    missing = [d for d in DAEMONS if not find_daemon(d)]
    if missing:
        pytest.skip(f"Slurm is not installed here (no {', '.join(missing)}); "
                    ".ci/run installs slurmctld, slurmd, slurm-client and munge with apt")
    if os.geteuid() != 0:
        pytest.skip("the one-node Slurm of this test runs its daemons as root")
    c = Cluster(str(tmp_path_factory.mktemp("slurm")))
    why = c.start()
    if why:
        c.stop()
        pytest.skip(f"a one-node Slurm could not start here: {why}")
    yield c
    c.stop()


def pick_students(count_per_shard=2):
    """Names (one non-ASCII) that give every shard of SHARDS at least `count_per_shard` students."""
    names, per = [], {i: 0 for i in range(1, SHARDS + 1)}
    for candidate in ["zoë", *(f"student{i:02d}" for i in range(100))]:
        shard = shard_of(candidate, SHARDS)
        if per[shard] < count_per_shard:
            names.append(candidate)
            per[shard] += 1
        if all(v >= count_per_shard for v in per.values()):
            return names
    raise AssertionError("no names fill every shard")


@pytest.fixture(scope="module")
def klass(tmp_path_factory, cluster):
    """ROOT (a folder with a space and a non-ASCII letter) of six students, alternately full marks
    and the stub; a `grader` on PATH that runs this checkout; the unsharded batch of ROOT."""
    base = tmp_path_factory.mktemp("klass")
    root = base / "class ü"
    for i, name in enumerate(pick_students()):
        (root / name).mkdir(parents=True)
        shutil.copy(os.path.join(SOLUTIONS if i % 2 == 0 else EXERCISES, "tensor_numpy.py"),
                    root / name / "tensor_numpy.py")
    bindir = base / "bin"
    bindir.mkdir()
    (bindir / "grader").write_text(f'#!/bin/bash\nexec {sys.executable} -m grader "$@"\n')
    (bindir / "grader").chmod(0o755)
    env = {"PATH": f"{bindir}:{os.environ['PATH']}", "PYTHONPATH": PROJECT, "COURSE": PROJECT,
           "SHARDS": str(SHARDS)}
    unsharded = base / "unsharded"
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(root), "--out", str(unsharded),
                           "--jobs", "1", *BATCH_OPTIONS], capture_output=True, text=True, cwd=PROJECT,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, unsharded, env, base


def submit(cluster, klass, out, *args):
    root, _, env, _ = klass
    proc = cluster.cmd("bash", EXAMPLE, str(root), str(out), *args, "--", *BATCH_OPTIONS,
                       check=False, env=env)
    return proc


def job_ids(proc):
    """(grading job, merge job) from the example's last line."""
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    grading = line.split("job ", 1)[1].split()[0]
    merging = line.split("merge: job ", 1)[1].split()[0]
    return grading, merging


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


def merge_log(out, merge_id):
    with open(os.path.join(out, "logs", f"merge-{merge_id}.log"), encoding="utf-8") as fh:
        return fh.read()


def test_full_run_resubmitted_index_and_cancelled_task(cluster, klass):
    root, unsharded, env, base = klass
    out = base / "grades é"

    # The whole class: SHARDS tasks, then the merge: what one unsharded batch writes, byte for byte.
    grading, merging = job_ids(submit(cluster, klass, out))
    tasks = cluster.wait(grading)
    assert sorted(int(t["ArrayTaskId"]) for t in tasks) == list(range(1, SHARDS + 1))
    assert all(t["JobState"] == "COMPLETED" for t in tasks), tasks
    merge = cluster.wait(merging)[0]
    assert (merge["JobState"], merge["ExitCode"]) == ("COMPLETED", "0:0"), merge_log(out, merging)
    assert read(out / "all" / "gradebook.csv") == read(unsharded / "gradebook.csv")
    assert read(out / "all" / "report.html") == read(unsharded / "report.html")
    reports = sorted(f for f in os.listdir(unsharded) if f.endswith(".json"))
    assert sorted(f for f in os.listdir(out / "all") if f.endswith(".json")) == reports
    for name in reports:
        assert json.loads(read(out / "all" / name))["score"] == json.loads(read(unsharded / name))["score"]

    # Shard 2 again, after one of its students resubmitted: that shard alone, of the same N, merged.
    student = next(n for n in sorted(os.listdir(root)) if shard_of(n, SHARDS) == 2)
    shutil.copy(os.path.join(SOLUTIONS, "tensor_numpy.py"), root / student / "tensor_numpy.py")
    others = {i: os.stat(out / f"shard-{i}" / "gradebook.csv").st_mtime_ns for i in (1, 3)}
    grading, merging = job_ids(submit(cluster, klass, out, "2"))
    tasks = cluster.wait(grading)
    assert [t["ArrayTaskId"] for t in tasks] == ["2"] and tasks[0]["JobState"] == "COMPLETED"
    with open(out / "logs" / f"grade-{grading}_2.log", encoding="utf-8") as fh:
        assert f"{student}: graded 14/14" in fh.read()
    merge = cluster.wait(merging)[0]
    assert merge["ExitCode"] == "0:0", merge_log(out, merging)
    assert {i: os.stat(out / f"shard-{i}" / "gradebook.csv").st_mtime_ns for i in (1, 3)} == others
    assert json.loads(read(out / "all" / f"{student}.json"))["score"] == 14

    # An index outside 1..SHARDS, or another shard count for the same OUT, is refused up front.
    proc = submit(cluster, klass, out, str(SHARDS + 1))
    assert proc.returncode == 2 and f"not a shard of 1-{SHARDS}" in proc.stderr
    proc = cluster.cmd("bash", EXAMPLE, str(root), str(out), "1", check=False,
                       env=dict(env, SHARDS=str(SHARDS + 1)))
    assert proc.returncode == 2 and f"graded in {SHARDS} shards" in proc.stderr

    # A fresh run whose last task is cancelled before it starts: the merge names its students and
    # fails; the gradebook holds the others.
    out2 = base / "grades-cancelled"
    grading, merging = job_ids(submit(cluster, klass, out2))
    cluster.cmd("scancel", f"{grading}_{SHARDS}")
    tasks = {t["ArrayTaskId"]: t["JobState"] for t in cluster.wait(grading)}
    # A pending task cancelled leaves the array's record or stays as CANCELLED; it never ran.
    assert tasks.get(str(SHARDS), "CANCELLED") == "CANCELLED", tasks
    assert not (out2 / f"shard-{SHARDS}").exists()
    merge = cluster.wait(merging)[0]
    log = merge_log(out2, merging)
    assert merge["JobState"] == "FAILED" and merge["ExitCode"] == "1:0", log
    lost = sorted(n for n in os.listdir(root) if shard_of(n, SHARDS) == SHARDS)
    assert "incomplete: 2 of the 6 submissions" in log
    for name in lost:
        assert repr(name) in log
    with open(out2 / "all" / "gradebook.csv", encoding="utf-8") as fh:
        names = [line.split(",")[0] for line in fh.read().splitlines()[1:]]
    assert sorted(names) == sorted(n for n in os.listdir(root) if n not in lost)
