"""The sandbox's command line: what the worker sees, and what is masked."""

import os
import subprocess
import sys

from grader.sandbox import levels as sandbox


def argv_for(tmp_path, hidden):
    sub = tmp_path / "sub"
    sub.mkdir(exist_ok=True)
    return sandbox.bubblewrap_argv(str(sub), ["--memory", "1024"], hidden), str(sub)


def pairs(argv, flag):
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def test_submission_is_read_only_and_alone(tmp_path):
    argv, sub = argv_for(tmp_path, [])
    assert [sub, sandbox.SANDBOX_SUBMISSION] == argv[argv.index(sub):argv.index(sub) + 2]
    assert argv.index("--tmpfs") < argv.index(sub), "a tmpfs on /tmp after the bind would hide it"
    assert "--die-with-parent" in argv and "--clearenv" in argv
    if os.geteuid() == 0:  # no user namespace (its uid 65534 would be root's); the worker drops
        assert "--unshare-user" not in argv and "--unshare-all" not in argv and "--uid" not in argv
        assert {"--unshare-pid", "--unshare-net", "--unshare-ipc"} <= set(argv)
        assert pairs(argv, "--cap-add") == ["CAP_SETUID", "CAP_SETGID"] and "ALL" in pairs(argv, "--cap-drop")
        assert "--drop-user" in argv
    else:
        assert "--unshare-all" in argv and pairs(argv, "--uid") == ["65534"]
    # Nothing of the project is bound: only the worker's own three files and the stand-in
    # passwd, group and hosts.
    project_binds = [a for a in pairs(argv, "--ro-bind") if a.startswith(sandbox.PROJECT_DIR)]
    assert sorted(os.path.basename(a) for a in project_binds) == \
        ["codec.py", "group", "hosts", "passwd", "probe_prelude.py", "worker.py"]
    # Of /etc, only what the loader and libc read; never shadow, sudoers, ssh or token files.
    etc = [dest for i, dest in enumerate(argv) if dest.startswith("/etc/") and argv[i - 2] == "--ro-bind"]
    assert etc and set(etc) <= {f"/etc/{n}" for n in sandbox.ETC_NEEDED + ("passwd", "group", "hosts")}
    assert "/etc" not in pairs(argv, "--ro-bind") and "/" not in pairs(argv, "--ro-bind")


def test_trusted_paths_inside_the_submission_are_masked(tmp_path):
    argv, sub = argv_for(tmp_path, [])
    secret = os.path.join(sub, "tests")
    os.mkdir(secret)
    argv = sandbox.bubblewrap_argv(sub, [], [secret])
    assert f"{sandbox.SANDBOX_SUBMISSION}/tests" in pairs(argv, "--tmpfs")
    assert argv.index(f"{sandbox.SANDBOX_SUBMISSION}/tests") > argv.index(sub)


def test_trusted_paths_under_a_bound_folder_are_masked(tmp_path):
    inside = os.path.join(os.path.realpath(sys.prefix), "lib")
    argv, _ = argv_for(tmp_path, [inside])
    assert os.path.realpath(inside) in pairs(argv, "--tmpfs")


def test_environment_is_cleared_and_minimal(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "x")
    argv, _ = argv_for(tmp_path, [])
    assert "SECRET_TOKEN" not in " ".join(argv)
    allowed = {"PATH", "HOME", "LANG", "TMPDIR", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "OPENBLAS_NUM_THREADS", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES",
               "NVIDIA_VISIBLE_DEVICES", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}
    assert set(pairs(argv, "--setenv")) <= allowed and "HOME" in pairs(argv, "--setenv")


def test_a_user_that_cannot_read_python_is_not_offered(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o700)
    assert sandbox.readable_by_others(str(locked / "x")) is False
    assert sandbox.readable_by_others("/usr/bin") is True


def test_the_process_level_always_has_a_plan(tmp_path):
    plan, why = sandbox.plan("process", str(tmp_path), [], [])
    assert plan is not None and why == "" and plan.level == "process"
    assert plan.argv[:3] == [sys.executable, "-I", "-B"]


def test_memory_backed_folders_are_sized_and_the_rest_is_read_only(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bubblewrap_sizes_tmpfs", lambda: True)
    secret = tmp_path / "sub" / "tests"
    secret.mkdir(parents=True)
    argv = sandbox.bubblewrap_argv(str(tmp_path / "sub"), [], [str(secret)], tmpfs_bytes=5 << 20)
    # /tmp and /dev/shm: each a tmpfs of the given size (--size applies to the next --tmpfs).
    for folder in ("/tmp", "/dev/shm"):
        at = argv.index(folder)
        assert argv[at - 3:at] == ["--size", str(5 << 20), "--tmpfs"], folder
    assert argv.index("/dev/shm") > argv.index("--dev"), "--dev /dev would hide an earlier /dev/shm"
    # bwrap's own tmpfs for /, /dev and the masks take no files: read-only after the last mount.
    read_only = pairs(argv, "--remount-ro")
    assert {"/", "/dev", f"{sandbox.SANDBOX_SUBMISSION}/tests"} <= set(read_only)
    last_mount = max(i for i, a in enumerate(argv) if a in ("--ro-bind", "--tmpfs", "--dev-bind", "--bind"))
    assert min(i for i, a in enumerate(argv) if a == "--remount-ro") > last_mount


def test_an_old_bwrap_without_size_still_gets_its_tmpfs(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bubblewrap_sizes_tmpfs", lambda: False)
    argv, _ = argv_for(tmp_path, [])
    assert "--size" not in argv and "/tmp" in pairs(argv, "--tmpfs") and "/dev/shm" in pairs(argv, "--tmpfs")


# ---------------------------------------------------------------- the worker's cgroup, on a fake tree
from grader.sandbox import cgroup  # noqa: E402


def fake_tree(tmp_path, monkeypatch, mounts, own):
    """Point the cgroup module at folders under tmp_path, as mountinfo and /proc/self/cgroup
    would describe them; mkdir there makes the files a kernel would show in a new group."""
    info, lines = tmp_path / "mountinfo", []
    for i, (fstype, opts, point) in enumerate(mounts):
        (tmp_path / point).mkdir(parents=True, exist_ok=True)
        lines.append(f"{30 + i} 20 0:{30 + i} / {tmp_path / point} rw,relatime - {fstype} {fstype} rw,{opts}")
    info.write_text("\n".join(lines) + "\n")
    (tmp_path / "cgroup").write_text(own)
    monkeypatch.setattr(cgroup, "MOUNTINFO", str(info))
    monkeypatch.setattr(cgroup, "PROC_CGROUP", str(tmp_path / "cgroup"))
    monkeypatch.setattr(cgroup.os, "geteuid", lambda: 0)
    monkeypatch.delenv("GRADER_CGROUPS", raising=False)
    real_mkdir = os.mkdir

    def mkdir(path, mode=0o777):
        real_mkdir(path, mode)
        path = str(path)
        parent = os.path.dirname(path)
        if os.path.exists(os.path.join(parent, "cgroup.subtree_control")):  # v2
            with open(os.path.join(parent, "cgroup.subtree_control")) as fh:
                (open(os.path.join(path, "cgroup.controllers"), "w")).write(fh.read())
            for name in ("memory.swap.max", "memory.oom.group"):
                open(os.path.join(path, name), "w").close()
        elif "memory" in path:
            open(os.path.join(path, "memory.memsw.limit_in_bytes"), "w").close()
    monkeypatch.setattr(cgroup.os, "mkdir", mkdir)


def contents(path):
    with open(path) as fh:
        return fh.read()


def test_a_v1_group_is_made_in_every_hierarchy_and_holds_the_budget(tmp_path, monkeypatch):
    fake_tree(tmp_path, monkeypatch,
              [("cgroup", "cpu,cpuacct", "cpu,cpuacct"), ("cgroup", "memory", "memory"),
               ("cgroup", "pids", "pids"), ("cgroup2", "", "unified")],
              "5:pids:/\n4:memory:/box/me\n1:cpu,cpuacct:/\n0::/\n")
    (tmp_path / "memory" / "box" / "me").mkdir(parents=True)
    (tmp_path / "unified" / "cgroup.controllers").write_text("hugetlb\n")
    group = cgroup.WorkerCgroup.make(256, 1024 << 20, 1.5)
    assert group.limited == {"pids", "memory", "cpu"}
    memory = group.path_of("memory")
    assert memory.startswith(str(tmp_path / "memory" / "box" / "me" / "grader-"))  # under our own
    assert contents(os.path.join(memory, "memory.limit_in_bytes")) == str(1024 << 20)
    assert contents(os.path.join(memory, "memory.memsw.limit_in_bytes")) == str(1024 << 20)
    cpu = group.path_of("cpu")
    assert cpu == group.path_of("cpuacct")  # one folder for a shared hierarchy
    assert (contents(os.path.join(cpu, "cpu.cfs_quota_us")), contents(os.path.join(cpu, "cpu.cfs_period_us"))) \
        == ("150000", "100000")
    assert contents(os.path.join(group.path_of("pids"), "pids.max")) == "256"
    # The shell joins every group, then becomes the command.
    argv = group.wrap(["/bin/sh", "-c", "echo started"])
    result = subprocess.run(argv, capture_output=True, text=True)
    assert result.stdout == "started\n" and len(group.procs_files) == 3
    pids = {contents(f).strip() for f in group.procs_files}
    assert len(pids) == 1 and pids.pop().isdigit()
    # What the kernel says after a kill at the limit. (Its files are there from the group's
    # start, and the group reads each through one descriptor: they are written in place here.)
    for name, text in (("memory.failcnt", "0"), ("memory.max_usage_in_bytes", "0")):
        with open(os.path.join(memory, name), "w") as fh:
            fh.write(text)
    with open(os.path.join(memory, "memory.oom_control"), "w") as fh:
        fh.write("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    assert group.oom_kills() == 2
    assert group.memory_limit_hits() == 0
    with open(os.path.join(memory, "memory.max_usage_in_bytes"), "w") as fh:
        fh.write(str(1024 << 20))  # the peak met the limit (some kernels keep failcnt at 0)
    assert group.memory_limit_hits() == 1
    for _, path, _ in group.groups:  # a kernel's group folder empties itself
        for name in os.listdir(path):
            os.unlink(os.path.join(path, name))
    group.remove()
    assert not any("grader-" in d for root, dirs, _ in os.walk(tmp_path) for d in dirs)


def test_a_v2_group_gets_memory_max_without_swap_and_cpu_max(tmp_path, monkeypatch):
    fake_tree(tmp_path, monkeypatch, [("cgroup2", "", "unified")], "0::/job\n")
    base = tmp_path / "unified" / "job"
    base.mkdir()
    (base / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (base / "cgroup.subtree_control").write_text("cpu memory pids\n")
    group = cgroup.WorkerCgroup.make(256, 768 << 20, 0.5)
    assert group.limited == {"pids", "memory", "cpu"} and len(group.groups) == 1
    path = group.path_of("memory")
    assert contents(os.path.join(path, "memory.max")) == str(768 << 20)
    assert contents(os.path.join(path, "memory.swap.max")) == "0"
    assert contents(os.path.join(path, "memory.oom.group")) == "1"
    assert contents(os.path.join(path, "cpu.max")) == "50000 100000"
    with open(os.path.join(path, "memory.events"), "w") as fh:
        fh.write("low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n")
    assert group.oom_kills() == 1 and group.memory_limit_hits() == 7


def test_no_cgroup_where_forbidden_or_switched_off(tmp_path, monkeypatch):
    fake_tree(tmp_path, monkeypatch, [("cgroup", "pids", "pids")], "5:pids:/\n")
    monkeypatch.setenv("GRADER_CGROUPS", "off")
    assert cgroup.WorkerCgroup.make(256, 1 << 30, 1.0) is None
    monkeypatch.delenv("GRADER_CGROUPS")
    monkeypatch.setattr(cgroup.os, "geteuid", lambda: 1000)
    assert cgroup.WorkerCgroup.make(256, 1 << 30, 1.0) is None


def test_groups_left_by_a_grader_that_is_gone_are_removed(tmp_path, monkeypatch):
    fake_tree(tmp_path, monkeypatch, [("cgroup", "pids", "pids")], "5:pids:/\n")
    monkeypatch.setattr(cgroup, "_swept", set())
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer runs
    stale = tmp_path / "pids" / f"grader-{gone.pid}-0"
    alive = tmp_path / "pids" / f"grader-{os.getpid()}-99"
    other = tmp_path / "pids" / "someone-else"
    for folder in (stale, alive, other):
        folder.mkdir()
    group = cgroup.WorkerCgroup.make(256, 1024 << 20, 1.0)
    assert group is not None and group.limited == {"pids"}
    assert not stale.exists(), "the group of a grader that is gone was left behind"
    assert alive.exists() and other.exists(), "a running grader's group, or someone else's, was removed"
    group.remove()


def test_a_folder_the_sandbox_user_cannot_read_is_staged_as_a_readable_copy(tmp_path):
    sub = tmp_path / "sub"
    (sub / "data").mkdir(parents=True)
    (sub / "tests").mkdir()
    (sub / "shapes.py").write_text("x = 1\n")
    (sub / "data" / "a.txt").write_text("a")
    (sub / "tests" / "hidden.py").write_text("secret")
    os.symlink("/etc/shadow", sub / "link")
    os.mkfifo(sub / "fifo")
    sub.chmod(0o700)
    if os.geteuid() != 0:
        assert sandbox.needs_staging(str(sub)) is False  # the sandbox's user is this user
        return
    assert sandbox.needs_staging(str(sub)) is True
    copy = sandbox.stage_submission(str(sub), [str(sub / "tests"), str(tmp_path)])
    try:
        assert sorted(os.listdir(copy)) == ["data", "link", "shapes.py"]  # no fifo, no mask
        assert os.readlink(os.path.join(copy, "link")) == "/etc/shadow"  # a link stays a link
        assert open(os.path.join(copy, "data", "a.txt")).read() == "a"
        assert sandbox.needs_staging(copy) is False
        for folder, dirs, files in os.walk(copy):
            assert os.stat(folder).st_mode & 0o005 == 0o005
            assert all(os.lstat(os.path.join(folder, f)).st_mode & 0o004 for f in files if f != "link")
    finally:
        import shutil
        shutil.rmtree(copy)


def test_batch_grades_with_the_budget_and_one_wait_per_looping_task(tmp_path):
    """`batch --total-timeout` reaches the grading processes (and the report says the budget);
    a looping task waits once, its other tests are `timeout` at once."""
    import json

    from helpers import PROJECT, SOLUTIONS, make_submission
    root = tmp_path / "class"
    looping = "\n\ndef swap_last_two(t):\n    while True:\n        pass\n"
    with open(os.path.join(SOLUTIONS, "shapes.py")) as fh:
        make_submission(str(root / "ann"), {"shapes.py": fh.read() + looping}, base=None)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "batch", str(root), "--out", str(out),
                           "-e", "shapes", "--timeout", "1", "--total-timeout", "90", "--jobs", "1"],
                          capture_output=True, text=True, cwd=PROJECT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out / "ann.json") as fh:
        report = json.load(fh)
    assert report["environment"]["total_timeout"] == 90
    assert report["environment"]["total_timeout_reached"] is False
    tests = [t for t in report["exercises"][0]["tests"] if t["task"] == "swap_last_two"]
    assert len(tests) >= 2 and {t["status"] for t in tests} == {"timeout"}
    assert [t["message"].startswith("not run: an earlier test of swap_last_two timed out")
            for t in tests] == [False] + [True] * (len(tests) - 1), [t["message"] for t in tests]
    others = [t for t in report["exercises"][0]["tests"] if t["task"] != "swap_last_two"]
    assert others and all(t["status"] == "passed" for t in others)
