"""The sandbox's command line: what the worker sees, and what is masked."""

import os
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
    assert "--unshare-all" in argv and "--die-with-parent" in argv and "--clearenv" in argv
    # Nothing of the project is bound: only the worker's own three files.
    project_binds = [a for a in pairs(argv, "--ro-bind") if a.startswith(sandbox.PROJECT_DIR)]
    assert sorted(os.path.basename(a) for a in project_binds) == ["codec.py", "probe_prelude.py", "worker.py"]


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

