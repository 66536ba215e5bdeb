"""The student's side: finding the course, list / check / hint / watch, and check() from Python."""

import os
import shutil
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import grader
from grader import course as courses
from grader.cli import main
from helpers import EXERCISES, PROJECT, SOLUTIONS, make_submission, make_venv

SHAPES_AS_REVIEW = '''
def swap_last_two(t):
    print("debug: swapping", tuple(t.shape))
    return t.reshape(*t.shape[:-2], t.shape[-1], t.shape[-2])
'''
NUMPY_WITHOUT_DETACH = '''
def to_numpy(t):
    return t.numpy()
'''


def run(*args, cwd=PROJECT, env=None, timeout=180):
    """`python -m grader ARGS` in a subprocess (grading runs pytest, which must not nest in ours)."""
    full_env = dict(os.environ, NO_COLOR="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=timeout)


def stubs_with(tmp_path, name, extra):
    """A copy of the stubs where module `name` is the stub plus `extra` (its definitions win)."""
    with open(os.path.join(EXERCISES, f"{name}.py")) as fh:
        text = fh.read() + "\n" + extra
    return make_submission(str(tmp_path / "mywork"), {f"{name}.py": text}, base=EXERCISES)


# ---------------------------------------------------------------- the course is a folder
def test_course_found_from_a_folder_inside_it(tmp_path):
    course = courses.find(cwd=os.path.join(PROJECT, "exercises"), environ={})
    assert course.root == os.path.realpath(PROJECT)
    assert [ex.name for ex in course.exercises][:2] == ["tensor_numpy", "shapes"]
    assert not course.is_handout and course.tests_dir.endswith(os.path.join("tests", "exercises"))


def test_course_option_and_variable_come_first(tmp_path):
    other = tmp_path / "other"
    (other / "exercises").mkdir(parents=True)
    shutil.copy(os.path.join(EXERCISES, "manifest.toml"), other / "exercises" / "manifest.toml")
    assert courses.find(str(other), cwd=PROJECT, environ={}).root == os.path.realpath(other)
    assert courses.find(cwd=PROJECT, environ={"GRADER_COURSE": str(other)}).root == os.path.realpath(other)
    with pytest.raises(grader.errors.UsageError, match="GRADER_COURSE"):
        courses.find(cwd=PROJECT, environ={"GRADER_COURSE": str(tmp_path / "nowhere")})


def test_outside_any_course_every_command_says_what_it_looked_for(tmp_path, monkeypatch):
    monkeypatch.setattr(courses, "CHECKOUT", str(tmp_path / "no-checkout"))
    monkeypatch.delenv("GRADER_COURSE", raising=False)
    monkeypatch.chdir(tmp_path)
    for args in (["grade"], ["list"], ["check"], ["hint", "to_numpy"], ["watch"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "no course found" in lines[0] and "manifest.toml" in lines[0], result.output


def test_a_folder_without_any_module_is_an_error_with_did_you_mean(tmp_path):
    sub = tmp_path / "upload"
    sub.mkdir()
    shutil.copy(os.path.join(SOLUTIONS, "creation.py"), sub / "Creation.py")
    shutil.copy(os.path.join(SOLUTIONS, "shapes.py"), sub / "shapes (1).py")
    result = CliRunner().invoke(main, ["grade", str(sub)])
    assert result.exit_code == 2
    assert "holds none of the course's modules" in result.output and "tensor_numpy.py" in result.output
    assert "Creation.py: did you mean creation.py?" in result.output
    assert "shapes (1).py: did you mean shapes.py?" in result.output


def test_a_task_given_as_an_exercise_names_its_exercise():
    result = CliRunner().invoke(main, ["grade", "-e", "to_numpy"])
    assert result.exit_code == 2
    assert "'to_numpy' is a task of the exercise 'tensor_numpy'" in result.output


def test_python_dash_m_grader_is_the_command():
    proc = run("--help")
    assert proc.returncode == 0 and "check" in proc.stdout and "watch" in proc.stdout


# ---------------------------------------------------------------- check
def test_check_a_correct_task_exits_0_and_names_the_next_one():
    proc = run("check", "swap_last_two", "--submission", SOLUTIONS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "shapes.swap_last_two: done" in proc.stdout
    assert "Next: `grader check rows_view`" in proc.stdout


def test_check_a_stub_reads_not_started_and_exits_1():
    proc = run("check", "to_numpy", "--submission", EXERCISES)
    assert proc.returncode == 1
    assert "tensor_numpy.to_numpy: not started" in proc.stdout
    assert "failing" not in proc.stdout
    assert "grader hint to_numpy" in proc.stdout


def test_check_a_wrong_task_explains_in_a_few_lines(tmp_path):
    sub = stubs_with(tmp_path, "shapes", SHAPES_AS_REVIEW)
    proc = run("check", "swap_last_two", "--submission", sub, cwd=str(tmp_path))
    out = proc.stdout
    assert proc.returncode == 1
    assert "shapes.swap_last_two: failing" in out
    assert "swap_last_two(tensor float32 (3, 5)) returned wrong values" in out  # what was called
    assert "got " in out and "expected " in out
    assert "np.float64" not in out  # numbers printed plainly
    assert "This looks like a re-view (view/reshape), not a transpose" in out  # the lesson, in words
    assert "debug: swapping (3, 5)" in out  # the student's own output
    assert "swap_last_two is defined in mywork/shapes.py, line" in out  # the student's path
    assert "/submission" not in out
    assert "Next: fix swap_last_two" in out and "grader hint swap_last_two" in out


def test_check_points_at_detach_when_numpy_is_refused(tmp_path):
    sub = stubs_with(tmp_path, "tensor_numpy", NUMPY_WITHOUT_DETACH)
    proc = run("check", "to_numpy", "--submission", sub, cwd=str(tmp_path))
    assert proc.returncode == 1
    assert "Can't call numpy() on Tensor that requires grad" in proc.stdout
    assert "Tip:" in proc.stdout and ".detach()" in proc.stdout
    assert 'File "mywork/tensor_numpy.py", line' in proc.stdout


def test_check_without_a_target_takes_the_next_unfinished_task(tmp_path):
    sub = make_submission(str(tmp_path / "sub"), modules={"tensor_numpy"})
    for name in os.listdir(EXERCISES):
        if name.endswith(".py") and not os.path.exists(os.path.join(sub, name)):
            shutil.copy(os.path.join(EXERCISES, name), os.path.join(sub, name))
    proc = run("check", "--submission", sub)
    assert proc.returncode == 1
    assert "3 of " in proc.stdout.splitlines()[0] and "tasks done" in proc.stdout.splitlines()[0]
    assert "shapes.swap_last_two: not started" in proc.stdout


def test_check_an_unknown_name_suggests_the_nearest():
    result = CliRunner().invoke(main, ["check", "swap_last_tow"])
    assert result.exit_code == 2
    assert "did you mean swap_last_two" in result.output


def test_check_from_python_prints_and_returns_the_result(capsys):
    pytest.importorskip("pytest_jsonreport")
    # Grading runs pytest in-process: run it in a fresh interpreter, as a notebook kernel would.
    code = ("import grader; r = grader.check('add_batch_dim', submission=%r); "
            "print('RESULT', r.passed, r.exit_code, len(r.tasks))" % SOLUTIONS)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT,
                          timeout=120)
    assert "shapes.add_batch_dim: done" in proc.stdout, proc.stderr[-2000:]
    assert "RESULT True 0 1" in proc.stdout


# ---------------------------------------------------------------- list and hint
def test_list_shows_every_task_in_order_with_its_state(tmp_path):
    sub = stubs_with(tmp_path, "shapes", SHAPES_AS_REVIEW)
    shutil.copy(os.path.join(SOLUTIONS, "tensor_numpy.py"), os.path.join(sub, "tensor_numpy.py"))
    proc = run("list", sub)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert out.index("Tensor <-> NumPy") < out.index("(shapes.py)") < out.index("(gpu.py)")
    assert "to_numpy" in out and "done" in out.split("to_numpy", 1)[1].splitlines()[0]
    assert "failing" in out.split("swap_last_two", 1)[1].splitlines()[0]
    assert "not started" in out.split("rows_view", 1)[1].splitlines()[0]
    assert "[" in out and "tasks done" in out and "points" in out
    assert "Next: `grader check swap_last_two`" in out


def test_hint_gives_one_more_each_time_then_says_none_are_left(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    total = len(courses.find().by_name()["shapes"].task("swap_last_two").hints)
    assert total >= 2
    runner = CliRunner(env=env)
    outputs = [runner.invoke(main, ["hint", "swap_last_two", "-s", str(tmp_path)]) for _ in range(total + 1)]
    assert all(r.exit_code == 0 for r in outputs)
    assert f"Hint 1 of {total}" in outputs[0].output and "Hint 2" not in outputs[0].output
    assert f"Hint 2 of {total}" in outputs[1].output
    assert "no more" in outputs[total].output
    # Another folder starts again from the first hint.
    other = runner.invoke(main, ["hint", "swap_last_two", "-s", str(tmp_path / "x")])
    assert "Hint 2" not in other.output


def test_hint_for_an_unknown_or_an_exercise_name(tmp_path):
    runner = CliRunner(env={"XDG_CACHE_HOME": str(tmp_path)})
    wrong = runner.invoke(main, ["hint", "to_nupmy"])
    assert wrong.exit_code == 2 and "did you mean to_numpy" in wrong.output
    exercise = runner.invoke(main, ["hint", "shapes"])
    assert exercise.exit_code == 2 and "swap_last_two" in exercise.output


def test_help_texts_explain_the_loop():
    for command, words in (("check", "next unfinished task"), ("list", "progress bar"),
                           ("hint", "one more hint"), ("watch", "save")):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and words in result.output, (command, result.output)


# ---------------------------------------------------------------- watch: when a save is over
def test_a_save_in_several_steps_is_checked_once_the_file_stops_changing(tmp_path):
    """An editor that truncates, then writes (or writes in pieces): watch waits until the file
    has stayed the same for one settle step, not for a fixed time."""
    from grader.student import watch as watching
    course = courses.find(PROJECT)
    sub = make_submission(str(tmp_path / "steps"), base=EXERCISES)
    path = os.path.join(sub, "shapes.py")
    steps = ["", "def swap_last_two(t):\n", "def swap_last_two(t):\n    return t.T\n"]
    clock = [0.0]

    def sleep(seconds):  # each settle step, the editor writes its next piece (if any is left)
        clock[0] += seconds
        if steps:
            with open(path, "w") as fh:
                fh.write(steps.pop(0))
            os.utime(path, ns=(int(clock[0] * 1e9), int(clock[0] * 1e9)))
    before = watching.snapshot(sub, course)
    sleep(0)
    now = watching.snapshot(sub, course)
    assert watching.changed_modules(before, now) == ["shapes"]
    final = watching.settled(sub, course, now, sleep=sleep, clock=lambda: clock[0])
    assert not steps and open(path).read().endswith("return t.T\n")
    assert final == watching.snapshot(sub, course)
    assert clock[0] == pytest.approx(3 * watching.SETTLE_S)  # two more pieces, then one quiet step


def test_a_file_that_never_stops_changing_is_checked_after_the_longest_settle(tmp_path):
    from grader.student import watch as watching
    course = courses.find(PROJECT)
    sub = make_submission(str(tmp_path / "busy"), base=EXERCISES)
    path = os.path.join(sub, "shapes.py")
    clock = [0.0]

    def sleep(seconds):  # a program that appends a line at every step, for ever
        clock[0] += seconds
        with open(path, "a") as fh:
            fh.write("# more\n")
    watching.settled(sub, course, watching.snapshot(sub, course), sleep=sleep, clock=lambda: clock[0])
    assert watching.SETTLE_MAX_S <= clock[0] < watching.SETTLE_MAX_S + 2 * watching.SETTLE_S


# ---------------------------------------------------------------- watch, in a real terminal
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_watch_in_a_terminal_rechecks_on_save_and_stops_on_ctrl_c(tmp_path):
    sub = make_submission(str(tmp_path / "mywork"), base=EXERCISES)
    session = f"grader-watch-{os.getpid()}"
    # A server of our own (-L), so that no other tmux on the machine is involved.
    tmux = ["tmux", "-L", session]
    env = dict(os.environ, TERM=os.environ.get("TERM") or "xterm-256color")
    env.pop("TMUX", None)
    status = tmp_path / "status"
    command = (f"cd {PROJECT} && NO_COLOR=1 {sys.executable} -m grader watch -s {sub}; "
               f"echo $? > {status}; sleep 30")
    subprocess.run([*tmux, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command],
                   check=True, env=env)

    def screen():
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", session, "-S", "-200"],
                              capture_output=True, text=True, env=env).stdout

    def wait_for(text, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in screen():
                return True
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared on the screen:\n{screen()}")

    try:
        wait_for("Watching")
        time.sleep(0.5)
        with open(os.path.join(sub, "shapes.py"), "a") as fh:
            fh.write(SHAPES_AS_REVIEW)
        wait_for("shapes.swap_last_two: failing")
        shutil.copy(os.path.join(SOLUTIONS, "shapes.py"), os.path.join(sub, "shapes.py"))
        wait_for("shapes.remove_batch_dim: done")
        assert "checked shapes.py in" in screen()
        subprocess.run([*tmux, "send-keys", "-t", session, "C-c"], check=True, env=env)
        deadline = time.monotonic() + 20
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status.read_text().strip() == "0", screen()
        assert "Stopped watching." in screen()
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, env=env)


# ---------------------------------------------------------------- installed, not editable
def test_a_non_editable_install_grades_from_inside_a_course_in_the_same_sandbox(tmp_path):
    """`pip install .` into an environment's own site-packages: the grader finds the course from
    the folder it is run in, and its sandbox still shows the worker that environment's torch."""
    import json
    env_dir = tmp_path / "venv"
    python = make_venv(str(env_dir))  # sees this interpreter's torch, also from inside a venv
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                              "--no-build-isolation", "--target", site, PROJECT],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    # The installed copy, not a checkout that PYTHONPATH or a course would put first.
    installed_env = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "PYTHONPATH")}
    course = tmp_path / "course"
    for part in ("exercises", "tests/exercises", "assets_picture"):
        shutil.copytree(os.path.join(PROJECT, part), course / part)
    shutil.copytree(os.path.join(PROJECT, "solutions"), course / "solutions")
    proc = subprocess.run([python, "-m", "grader", "grade", "solutions", "-e", "shapes", "-q"],
                          capture_output=True, text=True, cwd=str(course / "exercises"), timeout=300,
                          env=installed_env)
    assert proc.returncode == 2 and "does not exist" in proc.stderr  # relative to exercises/
    proc = subprocess.run([python, "-m", "grader", "grade", "../solutions", "-e", "shapes", "-q"],
                          capture_output=True, text=True, cwd=str(course / "exercises"), timeout=300,
                          env=installed_env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["score"] == report["max_score"] > 0
    reference = run("grade", SOLUTIONS, "-e", "shapes", "-q")
    assert report["environment"]["sandbox"] == json.loads(reference.stdout)["environment"]["sandbox"], \
        report["environment"].get("sandbox_notes")
    imported = subprocess.run([python, "-c", "import grader; print(grader.__file__)"], cwd=str(tmp_path),
                              capture_output=True, text=True, env=installed_env).stdout
    assert imported.startswith(site), imported


def test_a_task_no_test_checks_is_said_so_and_does_not_pass(tmp_path):
    """A handout may hold no public test of a task: check says so and exits 1, list counts it apart."""
    from grader.student import check as checking
    from grader.student import progress
    course = courses.find(PROJECT)

    class NoTestsFor:
        """A grader whose report holds the exercise's tests except those of `task`."""
        def __init__(self, task):
            self.task = task

        def grade(self, submission, exercise_names=(), tasks=()):
            tests = [{"id": f"test_transforms.py::test_{t.name}", "task": t.name, "status": "passed",
                      "score": 1.0, "max_score": 1.0, "visibility": "visible", "message": ""}
                     for t in course.by_name()["transforms"].tasks if t.name != self.task]
            tests = [t for t in tests if not tasks or t["task"] in tasks]
            return {"exercises": [{"name": "transforms", "status": "partial", "score": len(tests),
                                   "max_score": len(tests), "tests": tests}],
                    "score": len(tests), "max_score": len(tests), "percentage": 100.0}

    result = checking.run_check(NoTestsFor("pad"), course, "pad", str(tmp_path))
    assert not result.passed and result.exit_code == 1
    assert "transforms.pad: no test checks it here" in result.text
    assert "Nothing here checks pad" in result.text
    other = checking.run_check(NoTestsFor("pad"), course, "random_crop", str(tmp_path))
    assert other.passed and "transforms.random_crop: done" in other.text
    listing = progress.render(NoTestsFor("pad").grade(str(tmp_path)), course, str(tmp_path))
    assert "no test here" in listing.split(" pad ", 1)[1].splitlines()[0]
    assert "1 task has no test here" in listing
