"""`grader batch` and `grader merge`: a class graded at once, crash-safe, sharded and merged.

Submissions are graded on the `shapes` exercise only (-e shapes, --timeout 2) to keep the runs
short; what is checked (scores equal `grader grade`, rows independent of one another, shards,
restarts) does not depend on how many exercises there are.
"""

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.instructor import batch as batches
from grader.instructor import submissions
from helpers import EXERCISES, PROJECT, SOLUTIONS, grade, make_submission

HOSTILE = os.path.join(PROJECT, "tests", "hostile")
NARROW = ["-e", "shapes", "--timeout", "2"]


def shapes_with(extra):
    with open(os.path.join(SOLUTIONS, "shapes.py")) as fh:
        return fh.read() + "\n\n# ---- appended\n" + extra


def hostile(name, marker=""):
    with open(os.path.join(HOSTILE, name)) as fh:
        return fh.read().replace("@MARKER@", marker)


def write_zip(path, members):
    """`members`: {name: text}, or {name: (text, unix mode)} for links and other special files."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            if isinstance(text, tuple):
                info = zipfile.ZipInfo(name)
                info.external_attr = text[1] << 16
                zf.writestr(info, text[0])
            else:
                zf.writestr(name, text)


def run_batch(*args, timeout=240):
    cmd = [sys.executable, "-m", "grader", "batch", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=PROJECT)


def run_merge(*args):
    cmd = [sys.executable, "-m", "grader", "merge", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=PROJECT)


def gradebook(out):
    with open(os.path.join(out, "gradebook.csv"), newline="") as fh:
        return fh.read()


def rows(out):
    return {row["name"]: row for row in csv.DictReader(io.StringIO(gradebook(out)))}


def report(out, name):
    with open(os.path.join(out, f"{name}.json")) as fh:
        return json.load(fh)


def verdicts(rep):
    return [(t["id"], t["status"], t["score"]) for ex in rep["exercises"] for t in ex["tests"]]


# ------------------------------------------------------------------------------- one class, graded
MARKER = f"grader-batch-forks-{os.getpid()}-{time.time_ns()}"


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A class whose hostile members sort first, so honest ones follow them in the same processes."""
    root = tmp_path_factory.mktemp("class")
    make_submission(root / "a_exits", {"shapes.py": shapes_with(hostile("exit_at_import.py"))})
    make_submission(root / "a_forks", {"shapes.py": shapes_with(hostile("spawn_processes.py", MARKER))})
    make_submission(root / "a_loops", {"shapes.py": shapes_with(hostile("loop_at_import.py"))})
    make_submission(root / "alice")
    make_submission(root / "bob", base=EXERCISES)
    make_submission(root / "carol", {"shapes.py": shapes_with(
        "def swap_last_two(t):\n    return t.transpose(0, 1)\n")})
    with open(root / "carol" / "weights.bin", "wb") as fh:  # enormous, and sparse
        fh.truncate(4 << 30)
    with zipfile.ZipFile(root / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("shapes.py", b"#" * (65 << 20))  # 65 MiB from about 64 KiB
    with open(os.path.join(SOLUTIONS, "shapes.py")) as fh:
        write_zip(root / "dave.zip", {"hw1/shapes.py": fh.read(), "__MACOSX/hw1/._shapes.py": "junk"})
    (root / "empty").mkdir()
    (root / "empty" / "notes.txt").write_text("I will hand it in tomorrow\n")
    write_zip(root / "evil.zip", {"../shapes.py": "print('outside')\n"})
    (root / "README.txt").write_text("not a submission\n")
    out = tmp_path_factory.mktemp("out")
    proc = run_batch(str(root), "--out", str(out), "--jobs", "2", *NARROW)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, out, proc


def test_gradebook_has_one_row_per_submission_with_its_status(klass):
    root, out, proc = klass
    text = gradebook(out)
    assert text.splitlines()[0] == "name,shapes,total,max,percentage,status"
    book = rows(out)
    assert list(book) == sorted(book) == ["a_exits", "a_forks", "a_loops", "alice", "bob", "bomb",
                                          "carol", "dave", "empty", "evil"]
    full = book["alice"]["max"]
    assert book["alice"]["total"] == full and book["alice"]["percentage"] == "100"
    assert book["a_forks"]["total"] == full  # its honest code is the reference's
    assert book["bob"]["total"] == "0" and book["bob"]["status"] == "graded"
    assert 0 < float(book["carol"]["total"]) < float(full)
    for name in ("a_exits", "a_loops"):  # the module never imports: no points, still graded
        assert book[name]["total"] == "0" and book[name]["status"].startswith("graded (import error")
    assert book["a_loops"]["status"] == "graded (import error, timeout)"  # as the class report flags it
    assert report(out, "a_exits")["exercises"][0]["status"] == "import_error"
    assert book["empty"]["status"] == "empty" and book["empty"]["total"] == "0"
    assert book["empty"]["max"] == full
    assert book["evil"]["status"].startswith("error: zip refused") and "'..'" in book["evil"]["status"]
    assert book["evil"]["total"] == ""
    assert book["bomb"]["status"] == "error: zip refused: unpacks to more than 64 MiB"
    assert "[10/10]" in proc.stderr and "10 submissions: 7 graded, 1 empty, 2 error" in proc.stderr
    # a timeout or a crash beside another grading process is confirmed alone; the rest is not
    again = {line.split("] ")[1].split(":")[0] for line in proc.stderr.splitlines()
             if line.startswith("[again, alone]")}
    assert again == {"a_exits", "a_loops"}
    assert not any("unconfirmed" in report(out, name)["batch"] for name in book)
    assert "README" not in text


def test_batch_scores_equal_grade_alone(klass):
    root, out, _ = klass
    for name in ("alice", "carol", "a_forks", "a_exits"):
        alone, _ = grade(str(root / name), "shapes", timeout=2.0)
        batch = report(out, name)
        assert (batch["score"], batch["max_score"]) == (alone["score"], alone["max_score"]), name
        assert verdicts(batch) == verdicts(alone), name
        assert batch["submission"] == name and batch["batch_status"] == "graded"
        assert batch["batch"]["hash"]


def test_a_zip_is_unpacked_and_its_modules_found_one_folder_down(klass):
    _, out, _ = klass
    dave, alice = report(out, "dave"), report(out, "alice")
    assert dave["submission"] == "dave" and dave["submission_path"].endswith("dave.zip")
    assert verdicts(dave) == verdicts(alice)


def test_hostile_submissions_leave_no_process_behind(klass):
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert MARKER not in ps


def test_html_report_lists_everyone(klass):
    _, out, _ = klass
    with open(os.path.join(out, "report.html"), encoding="utf-8") as fh:
        page = fh.read()
    assert page.startswith("<!DOCTYPE html>")
    for name in ("alice", "carol", "dave", "empty", "evil"):
        assert name in page
    assert 'href="alice.json"' in page


def test_a_second_run_grades_only_what_changed(klass, tmp_path):
    root, out, _ = klass
    before = gradebook(out)
    mtimes = {f: os.stat(os.path.join(out, f)).st_mtime_ns for f in os.listdir(out) if f.endswith(".json")}
    proc = run_batch(str(root), "--out", str(out), "--jobs", "2", *NARROW)
    assert proc.returncode == 0, proc.stderr[-3000:]
    kept = [line for line in proc.stderr.splitlines() if line.startswith("[") and "unchanged, kept" in line]
    assert len(kept) == 8  # all but the refused zips, whose errors are tried again
    assert "evil: error: zip refused" in proc.stderr and "bomb: error: zip refused" in proc.stderr
    assert gradebook(out) == before
    for name, mtime in mtimes.items():
        if name not in ("evil.json", "bomb.json"):
            assert os.stat(os.path.join(out, name)).st_mtime_ns == mtime, name


# ------------------------------------------------------------------------------- shards and merge
def test_shards_partition_root_exactly():
    subs = [submissions.Submission(f"student{i:03d}", f"/x/{i}", "folder") for i in range(60)]
    for count in range(1, 6):
        parts = [submissions.select_shard(subs, i, count) for i in range(1, count + 1)]
        names = [s.name for part in parts for s in part]
        assert sorted(names) == [s.name for s in subs] and len(set(names)) == len(names)
    # a student stays in the shard it was in when the class grows
    grown = subs + [submissions.Submission("zz_late", "/x/late", "folder")]
    assert submissions.select_shard(subs, 2, 3) == [s for s in submissions.select_shard(grown, 2, 3)
                                                    if s.name != "zz_late"]


def test_merged_shards_equal_one_unsharded_batch(klass, tmp_path):
    root, out, _ = klass
    shards = [tmp_path / "shard1", tmp_path / "shard2"]
    procs = [subprocess.Popen([sys.executable, "-m", "grader", "batch", str(root), "--out", str(d),
                               "--jobs", "1", "--shard", f"{i}/2", *NARROW], cwd=PROJECT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, d in enumerate(shards, 1)]
    for p in procs:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err[-3000:]
    names = [set(rows(d)) for d in shards]
    assert not names[0] & names[1] and names[0] | names[1] == set(rows(out))
    merged = tmp_path / "merged"
    proc = run_merge(*map(str, shards), "--out", str(merged))
    assert proc.returncode == 0, proc.stderr
    assert gradebook(merged) == gradebook(out)
    with open(merged / "report.html") as a, open(os.path.join(out, "report.html")) as b:
        assert a.read() == b.read()
    assert sorted(f for f in os.listdir(merged) if f.endswith(".json")) == \
        sorted(f for f in os.listdir(out) if f.endswith(".json"))


# ------------------------------------------------------------------------------- killed and restarted
def scratch_folders():
    import tempfile
    return [e for e in os.listdir(tempfile.gettempdir()) if e.startswith(batches.SCRATCH_PREFIX)]


def test_a_batch_killed_midway_finishes_where_it_stopped(tmp_path, klass):
    _, class_out, _ = klass
    root, out = tmp_path / "root", tmp_path / "out"
    for name in ("s1", "s2", "s3", "s4"):
        make_submission(root / name, base=SOLUTIONS if name in ("s1", "s3") else EXERCISES,
                        modules=["shapes"])
    cmd = [sys.executable, "-m", "grader", "batch", str(root), "--out", str(out), "--jobs", "1", *NARROW]
    scratch = set(scratch_folders())
    first = subprocess.Popen(cmd, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.exists() and any(f.endswith(".json") for f in os.listdir(out)):
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    written = {f: os.stat(out / f).st_mtime_ns for f in os.listdir(out) if f.endswith(".json")}
    assert written and len(written) < 4 and not (out / "gradebook.csv").exists()
    for f in written:
        json.loads((out / f).read_text())  # whole, never half-written

    assert set(scratch_folders()) - scratch  # what the killed batch could not clean up...
    proc = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not set(scratch_folders()) - scratch  # ...the next one swept away
    kept = {line.split("] ")[1].split(":")[0] for line in proc.stderr.splitlines()
            if line.startswith("[") and "unchanged, kept" in line}
    assert kept == {f[:-5] for f in written}
    for f, mtime in written.items():
        assert os.stat(out / f).st_mtime_ns == mtime
    book, reference = rows(out), rows(class_out)
    assert list(book) == ["s1", "s2", "s3", "s4"]
    numbers = ("shapes", "total", "max", "percentage", "status")
    for name, like in (("s1", "alice"), ("s2", "bob"), ("s3", "alice"), ("s4", "bob")):
        assert [book[name][k] for k in numbers] == [reference[like][k] for k in numbers], name

    # a student who hands in again is graded again, and only that student
    with open(root / "s2" / "shapes.py", "a") as fh:
        fh.write("\n# handed in again\n")
    proc = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    graded = [line for line in proc.stderr.splitlines() if line.startswith("[") and "kept" not in line]
    assert len(graded) == 1 and "] s2: graded" in graded[0], proc.stderr


def test_a_grading_process_past_its_guard_is_an_error_row_and_the_batch_goes_on(tmp_path):
    root, out = tmp_path / "root", tmp_path / "out"
    make_submission(root / "slow1", modules=["shapes"])
    make_submission(root / "slow2", modules=["shapes"])
    code = ("import sys; from grader import course; from grader.instructor import batch as b\n"
            "outs, paths = b.run_batch(sys.argv[1], sys.argv[2], course.find(), jobs=1, timeout=2, "
            "exercise_names=['shapes'], guard=0.5)\n"
            "print(b.summary(outs, paths))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(root), str(out)], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    book = rows(out)
    for name in ("slow1", "slow2"):
        assert book[name]["status"].startswith("error: grading took longer than 0.5 s"), book[name]
        assert book[name]["total"] == ""


def test_a_full_disk_loses_one_report_whole_and_nothing_else(tmp_path):
    root, out = tmp_path / "root", tmp_path / "out"
    make_submission(root / "alice", modules=["shapes"])
    make_submission(root / "bob", base=EXERCISES, modules=["shapes"])
    code = ("import errno, os, sys; from grader import course; from grader.instructor import batch as b\n"
            "calls, real = [], os.fsync\n"
            "def fsync(fd):  # the second report meets a full disk\n"
            "    calls.append(fd)\n"
            "    if len(calls) == 2:\n"
            "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
            "    real(fd)\n"
            "os.fsync = fsync\n"
            "outs, paths = b.run_batch(sys.argv[1], sys.argv[2], course.find(), jobs=1, timeout=2, "
            "exercise_names=['shapes'])\n"
            "print({o.name: o.write_error for o in outs})\n")
    proc = subprocess.run([sys.executable, "-c", code, str(root), str(out)], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "{'alice': None, 'bob': 'No space left on device'}" in proc.stdout
    assert sorted(os.listdir(out)) == ["alice.json", "gradebook.csv", "report.html"]  # no stray .tmp
    assert report(out, "alice")["score"] == report(out, "alice")["max_score"] > 0
    assert list(rows(out)) == ["alice"]  # bob is graded again by the next run


def test_grading_processes_that_cannot_start_give_error_rows_not_a_hang(tmp_path):
    root, out = tmp_path / "root", tmp_path / "out"
    make_submission(root / "alice", modules=["shapes"])
    make_submission(root / "bob", modules=["shapes"])
    code = ("import sys; from grader import course; from grader.instructor import batch as b\n"
            "sys.executable = '/bin/false'  # every grading process exits at once\n"
            "outs, paths = b.run_batch(sys.argv[1], sys.argv[2], course.find(), jobs=2)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(root), str(out)], cwd=PROJECT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for row in rows(out).values():
        assert row["status"] == "error: grading processes die as they start (exit status 1)", row


# ------------------------------------------------------------------------------- hashes, csv, merge
def test_the_course_hash_follows_what_changes_a_score():
    from grader import course as courses
    course = courses.find(PROJECT)
    base = {"timeout": 2.0, "memory_mib": 2048, "sandbox": "auto", "exercises": ["shapes"]}
    key = submissions.course_hash(course, base)
    assert key == submissions.course_hash(course, dict(base))
    for change in ({"timeout": 3.0}, {"memory_mib": 1024}, {"exercises": []}, {"sandbox": "process"},
                   {"total_timeout": 60.0}):
        assert submissions.course_hash(course, {**base, **change}) != key, change


def fake_report(name, score, status="graded", digest="h"):
    return {"schema_version": 1, "submission": name, "score": score, "max_score": 10.0,
            "percentage": score * 10.0, "batch_status": status, "batch": {"hash": digest},
            "exercises": [{"name": "shapes", "title": "Shapes", "score": score, "max_score": 10.0,
                           "status": "partial", "tests": []}]}


def test_gradebook_defuses_formulas_in_names():
    from grader.instructor import gradebook
    text = gradebook.gradebook_csv([fake_report("=HYPERLINK(1)", 5.0), fake_report("ann", 10.0)])
    assert text.splitlines() == ["name,shapes,total,max,percentage,status",
                                 "'=HYPERLINK(1),5,5,10,50,graded", "ann,10,10,10,100,graded"]


def test_merge_refuses_one_student_graded_two_ways(tmp_path):
    from grader.instructor import gradebook
    from grader.reports import formats
    for folder, digest in (("a", "h1"), ("b", "h2")):
        (tmp_path / folder).mkdir()
        formats.write_atomic(str(tmp_path / folder / "ann.json"),
                             formats.to_json(fake_report("ann", 5.0, digest=digest)))
    line = one_line_error(["merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "m")])
    assert "'ann' was graded differently" in line


# ------------------------------------------------------------------------------- zips
def test_unsafe_zips_are_refused(tmp_path):
    cases = {
        "traversal": {"../../etc/x.py": "x"},
        "absolute": {"/etc/shapes.py": "x"},
        "windows": {"C:\\shapes.py": "x"},
        "link": {"shapes.py": ("/etc/passwd", 0o120777)},
        "many": {f"f{i}.py": "x" for i in range(12)},
        "big": {"shapes.py": "x" * 5000},
    }
    for label, members in cases.items():
        archive = tmp_path / f"{label}.zip"
        write_zip(archive, members)
        target = tmp_path / label
        target.mkdir()
        with pytest.raises(submissions.UnsafeZip):
            submissions.unpack_zip(archive, str(target), max_files=10, max_bytes=4096)
        assert not (tmp_path / "x.py").exists() and not (tmp_path / "shapes.py").exists()
    (tmp_path / "garbage.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(submissions.UnsafeZip):
        submissions.unpack_zip(tmp_path / "garbage.zip", str(tmp_path / "many"))


def test_a_zip_wrapping_its_modules_in_one_folder(tmp_path):
    write_zip(tmp_path / "a.zip", {"alice_hw/shapes.py": "x = 1\n", "alice_hw/notes/readme.txt": "hi"})
    target = tmp_path / "a"
    target.mkdir()
    submissions.unpack_zip(tmp_path / "a.zip", str(target))
    assert submissions.module_folder(str(target), ["shapes.py"]) == str(target / "alice_hw")


# ------------------------------------------------------------------------------- progress
def test_progress_bar_on_a_terminal_counts_and_estimates():
    stream = io.StringIO()
    bar = batches.Progress(3, stream=stream, tty=True)
    bar.add(batches.Outcome("alice", "graded", {"score": 1, "max_score": 1, "percentage": 100}))
    bar.add(batches.Outcome("bob", "error: boom", {}))
    bar.finish()
    text = stream.getvalue()
    assert "2/3 done, 1 failed" in text and "ETA" in text and text.endswith("\n")


# ------------------------------------------------------------------------------- bad input: exit 2
def one_line_error(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    root = tmp_path / "root"
    make_submission(root / "alice", modules=["shapes"])
    (tmp_path / "afile").write_text("x")
    (tmp_path / "nothing").mkdir()
    out = str(tmp_path / "out")
    assert "does not exist" in one_line_error(["batch", str(tmp_path / "nope"), "--out", out])
    assert "is a file" in one_line_error(["batch", str(tmp_path / "afile"), "--out", out])
    assert "holds no submissions" in one_line_error(["batch", str(tmp_path / "nothing"), "--out", out])
    for shard in ("0/2", "3/2", "1/0", "two", "1/2/3", ""):
        assert "--shard" in one_line_error(["batch", str(root), "--out", out, "--shard", shard])
    assert "is a file" in one_line_error(["batch", str(root), "--out", str(tmp_path / "afile")])
    assert "unknown exercise" in one_line_error(["batch", str(root), "--out", out, "-e", "shapez"])
    result = CliRunner().invoke(main, ["batch", str(root), "--out", out, "--jobs", "0"])
    assert result.exit_code == 2 and "Invalid value" in result.output  # click's own usage message
    assert "not a folder" in one_line_error(["merge", str(tmp_path / "nope"), "--out", out])
    assert "is a file" in one_line_error(["merge", str(tmp_path / "nothing"),
                                          "--out", str(tmp_path / "afile")])
    assert not os.path.exists(out)


# ------------------------------------------------------------------------------- the examples
def shard_args_partition(shard_args):
    """The shards the example's tasks ask for are valid and partition any ROOT exactly."""
    subs = [submissions.Submission(f"s{i}", "/x", "folder") for i in range(40)]
    parsed = [submissions.parse_shard(arg) for arg in shard_args]
    names = [s.name for shard in parsed for s in submissions.select_shard(subs, *shard)]
    assert sorted(names) == sorted(s.name for s in subs) and len(names) == len(set(names))


def test_examples_shard_the_class_and_end_in_merge():
    yaml = pytest.importorskip("yaml")
    examples = os.path.join(PROJECT, "examples")
    with open(os.path.join(examples, "slurm", "grade_class.sh")) as fh:
        submit = fh.read()
    with open(os.path.join(examples, "slurm", "grade_class.sbatch")) as fh:
        task = fh.read()
    with open(os.path.join(examples, "slurm", "merge.sbatch")) as fh:
        slurm_merge = fh.read()
    # The shard count is set once, on the submitting side, and the array follows it.
    count = re.search(r'SHARDS="\$\{SHARDS:-(\d+)\}"', submit)
    assert count and 'indices="1-$SHARDS"' in submit and '--array="$indices"' in submit
    assert "SLURM_ARRAY_TASK_COUNT" not in task and "--array" not in task
    assert '--shard "$shard/$shards"' in task
    assert slurm_merge.startswith("#!/bin/bash") and "--root" in slurm_merge
    shard_args_partition([f"{i}/{count.group(1)}" for i in range(1, int(count.group(1)) + 1)])

    with open(os.path.join(examples, "github-actions", "grade-class.yml")) as fh:
        flow = yaml.safe_load(fh)
    shards = flow["jobs"]["grade"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(flow["env"]["SHARDS"]) + 1))
    steps = " ".join(s.get("run", "") + str(s.get("env", "")) for s in flow["jobs"]["grade"]["steps"])
    assert "--shard" in steps and "matrix.shard" in steps
    assert flow["jobs"]["merge"]["needs"] == "grade"
    assert any("grader merge" in s.get("run", "") and "--root" in s["run"]
               for s in flow["jobs"]["merge"]["steps"])
    shard_args_partition([f"{i}/{len(shards)}" for i in shards])

    with open(os.path.join(examples, "kubernetes", "grade-class.yaml")) as fh:
        job = yaml.safe_load(fh)
    with open(os.path.join(examples, "kubernetes", "merge.yaml")) as fh:
        merge_job = yaml.safe_load(fh)
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["SHARDS"]) == spec["completions"]
    command = container["args"][0]
    assert "JOB_COMPLETION_INDEX + 1" in command and "--shard $SHARD/$SHARDS" in command
    shard_args_partition([f"{i + 1}/{spec['completions']}" for i in range(spec["completions"])])
    merge_container = merge_job["spec"]["template"]["spec"]["containers"][0]
    assert "grader merge" in merge_container["args"][0] and "--root" in merge_container["args"][0]
    assert {e["name"]: e["value"] for e in merge_container["env"]}["SHARDS"] == env["SHARDS"]
