"""The audit's checks and figures; `render.py` turns them into text and HTML."""

import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from .. import course as courses
from . import mutation

# The course's own audit folder: the judgements of equivalent mutants (tracked) and the
# state of the last `--mutants` run (not tracked; a run resumes from it).
AUDIT_DIR = os.path.join("tests", "audit")
EQUIVALENT = os.path.join(AUDIT_DIR, "mutants_equivalent.txt")
STATE = os.path.join(AUDIT_DIR, "mutants-state.jsonl")
MISTAKES = os.path.join("tests", "mistakes")
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class Check:
    """One thing the audit demands, whether it holds, a figure and a line per failure."""
    name: str
    ok: bool
    figure: str
    details: list = field(default_factory=list)


@dataclass
class TaskMutants:
    exercise: str
    task: str
    total: int = 0
    equivalent: int = 0
    errors: int = 0
    killed_hidden: int = 0
    killed_public: int = 0
    survivors: list = field(default_factory=list)         # mutants the hidden tests miss
    public_survivors: list = field(default_factory=list)  # ids the public tests miss

    @property
    def judged(self):
        return self.total - self.equivalent - self.errors

    def share(self, killed):
        return 100.0 * killed / self.judged if self.judged else 100.0


@dataclass
class Audit:
    course: str
    problems: list = field(default_factory=list)   # the course as data; non-empty: exit 2
    checks: list = field(default_factory=list)
    mutants: dict = field(default_factory=dict)    # task -> TaskMutants (with --mutants)
    mutant_notes: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)    # part -> wall time

    @property
    def exit_code(self):
        if self.problems:
            return 2
        return 0 if all(c.ok for c in self.checks) else 1


class Progress:
    """A bar on a terminal, plain lines elsewhere (CI logs, pipes)."""

    def __init__(self, stream=None, total=1):
        self.stream = stream or sys.stderr
        self.total, self.done = max(total, 1), 0
        self.bar = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.monotonic()

    def grow(self, extra):
        self.total += extra

    def step(self, what):
        self.done += 1
        elapsed = time.monotonic() - self.started
        if self.bar:
            filled = int(30 * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} "
                              f"{what[:50]:50} {elapsed:4.0f} s")
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"audit: {self.done}/{self.total} {what} ({elapsed:.0f} s)\n")
        self.stream.flush()

    def finish(self):
        if self.bar and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------- the course as tests
def tests_of(report):
    """[(exercise, test name, test dict)] of a report, the test name without parameters."""
    return [(ex["name"], t["id"].split("::")[-1].split("[")[0], t)
            for ex in report["exercises"] for t in ex["tests"]]


def scores_by_task(report, only=None):
    """{task: [score, max]} over the tests that ran (and that `only(test)` keeps)."""
    out = {}
    for _, name, t in tests_of(report):
        if t["status"] == "skipped" or (only is not None and not only(name, t)):
            continue
        got = out.setdefault(t["task"], [0.0, 0.0])
        got[0] += t["score"]
        got[1] += t["max_score"]
    return out


def public_course(course, exercises, folder):
    """A handout's view of `course` in `folder`: the stubs, the pictures and the public tests
    exactly as `grader release` cuts them. Returns ({exercise: {visible test left out: why}},
    the course)."""
    from ..instructor import release

    shutil.copytree(course.exercises_dir, os.path.join(folder, "exercises"))
    if os.path.isdir(course.assets_dir):
        os.symlink(course.assets_dir, os.path.join(folder, "assets_picture"))
    public = os.path.join(folder, courses.PUBLIC_TESTS)
    os.makedirs(public)
    solutions = release.solution_functions(course.solutions_dir)
    dropped = {}
    for ex in exercises:
        with open(os.path.join(course.hidden_tests_dir, f"test_{ex.name}.py"), encoding="utf-8") as fh:
            tests = release.public_tests(fh.read(), solutions)
        with open(os.path.join(public, f"test_{ex.name}.py"), "w", encoding="utf-8") as fh:
            fh.write(tests.text)
        dropped[ex.name] = dict(tests.dropped)
    return dropped, courses.open_course(folder)


def garbage_folder(course, exercises, folder):
    for m in mutation.garbage_mutants(course.solutions_dir, {ex.name: [t.name for t in ex.tasks]
                                                               for ex in exercises}):
        with open(os.path.join(folder, f"{m['module']}.py"), "w", encoding="utf-8") as fh:
            fh.write(m["source"])
    return folder


def pitfall_fixtures(course, exercises):
    """[(path, module, task, pitfall words)] of tests/mistakes/<module>/*.py with a PITFALL line."""
    found = []
    root = os.path.join(course.root, MISTAKES)
    for ex in exercises:
        folder = os.path.join(root, ex.name)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            pitfall = re.search(r"^PITFALL: *(.*)$", text, re.M)
            task = re.search(r"^TASK: *(\w+)", text, re.M)
            if pitfall and task:
                found.append((path, ex.name, task.group(1), pitfall.group(1).strip()))
    return found


def resolve(name):
    """The object a dotted name such as torch.nn.functional.softmax names, or None."""
    import importlib
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
            break
        except ImportError:
            continue
    else:
        return None
    for attr in parts[cut:]:
        obj = getattr(obj, attr, None)
        if obj is None:
            return None
    return obj


def forget_modules_of(folder):
    """Drop the test modules imported from `folder`: pytest's importlib mode reuses a module of
    the same name (test_shapes) from sys.modules, so the public tests would run as the hidden."""
    folder = os.path.realpath(folder) + os.sep
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and os.path.realpath(path).startswith(folder):
            del sys.modules[name]


def not_passing(report, where, after_status):
    """One line per test of `report` that neither passed nor was skipped: where (from the
    exercise's name), the test, its task and status, and the first line of its message."""
    return [f"{where(ex)}: {name} ({t['task']}) {t['status']}{after_status}: "
            f"{t['message'].splitlines()[0][:160] if t['message'] else ''}"
            for ex, name, t in tests_of(report) if t["status"] not in ("passed", "skipped")]


def quick_checks(course, exercises, audit, progress, timeout):
    """The course graded as it stands: solutions, stubs, constants, public tests, pitfalls."""
    from .. import engine

    names = [ex.name for ex in exercises]
    rel = lambda path: os.path.relpath(path, course.root)  # noqa: E731
    grader = engine.Grader(course, timeout=timeout)
    work = tempfile.mkdtemp(prefix="grader-audit-")
    try:
        solutions = grader.grade(course.solutions_dir, names)
        progress.step("solutions graded with the hidden tests")
        failing = not_passing(solutions, lambda ex: f"{rel(course.solutions_dir)}/{ex}.py", "")
        skipped = [t for _, _, t in tests_of(solutions) if t["status"] == "skipped"]
        audit.checks.append(Check(
            "solutions score full", not failing,
            f"solutions: {solutions['score']:g}/{solutions['max_score']:g}"
            + (f" ({len(skipped)} tests skipped here: {skipped[0]['message'][:60]})" if skipped else ""),
            failing))

        # What the tests declare (read without importing them, as every command does) against
        # what pytest collects: a test the quick reading misses would escape the data checks.
        declared = {}
        for ex in exercises:
            with open(os.path.join(course.tests_dir, f"test_{ex.name}.py"), encoding="utf-8") as fh:
                for info in courses.declared_tests(fh.read()):
                    declared[(ex.name, info.name)] = info
        collected = {(ex, name): t for ex, name, t in tests_of(solutions)}
        unread = [f"{rel(course.tests_dir)}/test_{ex}.py: {name} grades {t['task']!r} "
                  f"({t['visibility']}), but reads as "
                  + (f"{declared[(ex, name)].task!r} ({'visible' if declared[(ex, name)].visible else 'hidden'})"
                     if (ex, name) in declared else "no test")
                  for (ex, name), t in collected.items()
                  if (ex, name) not in declared or declared[(ex, name)].task != t["task"]
                  or declared[(ex, name)].visible != (t["visibility"] == "visible")]
        unread += [f"{rel(course.tests_dir)}/test_{ex}.py: {name} is not collected by pytest"
                   for (ex, name) in declared if (ex, name) not in collected]
        tasks = len({t["task"] for t in collected.values()})
        audit.checks.append(Check(
            "tests read as pytest collects them", not unread,
            f"tests: {len(collected)} collected for {tasks} tasks, "
            f"{sum(t['visibility'] == 'visible' for t in collected.values())} of them visible", unread))

        stubs = grader.grade(course.exercises_dir, names)
        progress.step("stubs graded")
        free = [f"{rel(course.exercises_dir)}/{ex}.py: {name} ({t['task']}) is {t['status']}, not "
                f"not_implemented" + (f" and gives {t['score']:g} points" if t["score"] else "")
                for ex, name, t in tests_of(stubs) if t["status"] not in ("not_implemented", "skipped")]
        ran = [t for _, _, t in tests_of(stubs) if t["status"] != "skipped"]
        audit.checks.append(Check(
            "stubs score 0", not free,
            f"stubs: {stubs['score']:g}/{stubs['max_score']:g}, "
            f"{sum(t['status'] == 'not_implemented' for t in ran)} of {len(ran)} tests not_implemented",
            free))

        garbage = grader.grade(garbage_folder(course, exercises, tempfile.mkdtemp(dir=work)), names)
        progress.step("constants of the right type and shape graded")
        earning = {task: got for task, (got, _) in scores_by_task(garbage).items() if got > 0}
        passing = {}
        for ex, name, t in tests_of(garbage):
            if t["status"] == "passed":
                passing.setdefault(t["task"], []).append(name)
        total_tasks = sum(len(ex.tasks) for ex in exercises)
        audit.checks.append(Check(
            "constants score 0", not earning,
            f"constants: {len(earning)} of {total_tasks} tasks earn points",
            [f"{task}: a constant of the right type and shape earns {got:g} points "
             f"({', '.join(passing[task])})" for task, got in earning.items()]))

        banned = sorted({(task.name, name) for ex in exercises for task in ex.tasks
                         for name in task.forbidden if name != "torch"})
        unresolved = [f"{courses.MANIFEST}: task {task!r}: forbidden {name!r} names nothing in torch"
                      for task, name in banned if resolve(name) is None]
        audit.checks.append(Check("forbidden names exist", not unresolved,
                                  f"forbidden calls: {len(banned)} named, {len(unresolved)} unknown",
                                  unresolved))
    finally:
        grader.close()

    dropped, handout = public_course(course, exercises, tempfile.mkdtemp(dir=work))
    forget_modules_of(course.tests_dir)
    public_grader = engine.Grader(handout, timeout=timeout)
    try:
        public = public_grader.grade(course.solutions_dir, names)
        progress.step("solutions graded with the public tests")
        failing = not_passing(public, lambda ex: f"{courses.PUBLIC_TESTS}/test_{ex}.py", " on the solutions")
        covered = {t["task"] for _, _, t in tests_of(public)}
        failing += [f"{courses.MANIFEST}: task {task.name!r} has no public test"
                    + (f" (left out of the handout: {', '.join(dropped[ex.name])})" if dropped[ex.name] else "")
                    for ex in exercises for task in ex.tasks if task.name not in covered]
        left_out = [f"{rel(course.tests_dir)}/test_{ex}.py: {name} is visible but left out of the "
                    f"handout: {why}" for ex, tests in dropped.items() for name, why in tests.items()]
        count = len(tests_of(public))
        audit.checks.append(Check(
            "public tests pass on the solutions", not failing,
            f"public tests: {count - len([f for f in failing if ' on the solutions' in f])} of {count} "
            f"pass on the solutions; {len(covered)} of {total_tasks} tasks have one"
            + (f"; {len(left_out)} visible tests left out" if left_out else ""),
            failing + left_out))

        fixtures = pitfall_fixtures(course, exercises)
        if os.path.isdir(os.path.join(course.root, MISTAKES)):
            pitfall_check(course, fixtures, public_grader, work, audit, progress)
    finally:
        public_grader.close()
        shutil.rmtree(work, ignore_errors=True)


def pitfall_check(course, fixtures, grader, work, audit, progress):
    """Each PITFALL fixture (a mistake a stub's docstring warns about) must lose points on the
    public tests of its task, so the handout never calls it done."""
    by_module = {}
    for fixture in fixtures:
        by_module.setdefault(fixture[1], []).append(fixture)
    rounds = [{m: items[i] for m, items in by_module.items() if i < len(items)}
              for i in range(max((len(v) for v in by_module.values()), default=0))]
    progress.grow(len(rounds))
    caught, missed = [], []
    for round_ in rounds:
        folder = tempfile.mkdtemp(dir=work)
        for module, (path, _, _, _) in round_.items():
            with open(os.path.join(course.solutions_dir, f"{module}.py"), encoding="utf-8") as fh, \
                    open(path, encoding="utf-8") as mistake:
                text = fh.read() + "\n\n# ---- the mistake\n" + mistake.read()
            with open(os.path.join(folder, f"{module}.py"), "w", encoding="utf-8") as fh:
                fh.write(text)
        report = grader.grade(folder, sorted(round_))
        progress.step(f"pitfalls: {', '.join(os.path.basename(p[0]) for p in round_.values())}")
        scores = scores_by_task(report)
        for path, module, task, words in round_.values():
            got, full = scores.get(task, [0.0, 0.0])
            name = os.path.relpath(path, course.root)
            (caught if full and got < full else missed).append(
                f"{name} ({task}): \"{words}\" is called done by the public tests"
                if not (full and got < full) else name)
    figure = (f"pitfalls: {len(caught)} of {len(fixtures)} fixtures marked PITFALL fail the public "
              f"tests ({100.0 * len(caught) / len(fixtures):.0f} %)" if fixtures else
              f"pitfalls: none of the fixtures in {MISTAKES} is marked PITFALL")
    audit.checks.append(Check("pitfalls fail the public tests", not missed, figure, missed))


# ---------------------------------------------------------------- mutants
def load_equivalent(path):
    found = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                key, _, reason = line.partition("#")
                if key.strip():
                    found[key.strip()] = reason.strip()
    return found


RUNNING = set()  # the grading processes of the rounds in flight
STOPPING = threading.Event()


def stop_rounds():
    """An interrupted audit stops the gradings it started (by their process, one by one)."""
    STOPPING.set()
    for proc in list(RUNNING):
        if proc.poll() is None:
            proc.terminate()


def grade_round(course, round_, timeout):
    """Grade one round ({module: mutant}) in a subprocess, so that rounds run in parallel;
    returns {mutant id: report tests of its module} or {mutant id: {"error": why}}."""
    folder = tempfile.mkdtemp(prefix="grader-mutants-")
    try:
        for name in os.listdir(course.solutions_dir):
            if name.endswith(".py"):
                shutil.copy(os.path.join(course.solutions_dir, name), folder)
        for module, mutant in round_.items():
            with open(os.path.join(folder, f"{module}.py"), "w", encoding="utf-8") as fh:
                fh.write(mutant["source"])
        cmd = [sys.executable, "-m", "grader", "grade", folder, "-q", "--timeout", str(timeout),
               "--course", course.root]
        for module in sorted(round_):
            cmd += ["-e", module]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [PACKAGE_PARENT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        if STOPPING.is_set():
            return {}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env, cwd=course.root)
        RUNNING.add(proc)
        try:
            stdout, stderr = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return {m["id"]: {"error": "the grading took more than 600 s"} for m in round_.values()}
        finally:
            RUNNING.discard(proc)
        if STOPPING.is_set():
            return {}  # stopped by the audit's interruption: not a result
        if proc.returncode != 0:
            return {m["id"]: {"error": stderr.strip()[-300:]} for m in round_.values()}
        report = json.loads(stdout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {round_[ex["name"]]["id"]: {"tests": [
        {"name": t["id"].split("::")[-1].split("[")[0], "task": t["task"], "status": t["status"],
         "score": t["score"], "max_score": t["max_score"], "visibility": t["visibility"]}
        for t in ex["tests"]]} for ex in report["exercises"] if ex["name"] in round_}


def judge(mutant, result, shipped):
    """(hidden verdict, public verdict, tasks): killed / survivor / collateral / error. `shipped`
    is the set of (exercise, test) of the handout's public tests."""
    if "error" in result:
        return "error", "error", []
    tests = [t for t in result["tests"] if t["status"] != "skipped"]
    own = set(mutant["tasks"])
    lost = lambda t: t["score"] < t["max_score"]  # noqa: E731
    others = sorted({t["task"] for t in tests if t["task"] not in own and lost(t)})
    hidden = "collateral" if others else (
        "killed" if any(lost(t) for t in tests if t["task"] in own) else "survivor")
    public = "killed" if any(lost(t) for t in tests if t["task"] in own
                             and (mutant["module"], t["name"]) in shipped) else "survivor"
    return hidden, public, others


def interrupted(signum, frame):
    raise KeyboardInterrupt


def mutant_check(course, exercises, tasks_wanted, audit, progress, jobs, timeout, fresh, shipped):
    modules = {ex.name: [t.name for t in ex.tasks] for ex in exercises}
    mutants = [m for module, tasks in modules.items()
               for m in mutation.module_mutants(course.solutions_dir, module, tasks)]
    if tasks_wanted:
        mutants = [m for m in mutants if set(m["tasks"]) & set(tasks_wanted)]
    state_path = os.path.join(course.root, STATE)
    os.makedirs(os.path.dirname(state_path), exist_ok=True)
    done = {}
    if os.path.exists(state_path) and not fresh:
        with open(state_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by an interrupted run
                if isinstance(entry, dict) and entry.get("source_hash"):
                    done[entry["id"]] = entry
    by_hash = {m["id"]: hashlib.sha1(m["source"].encode()).hexdigest() for m in mutants}
    todo = [m for m in mutants if done.get(m["id"], {}).get("source_hash") != by_hash[m["id"]]
            or "error" in done[m["id"]]["result"]]
    queues = {}
    for m in todo:
        queues.setdefault(m["module"], []).append(m)
    rounds = [{mod: q[i] for mod, q in queues.items() if i < len(q)}
              for i in range(max((len(q) for q in queues.values()), default=0))]
    audit.mutant_notes.append(f"{len(mutants)} mutants, {len(mutants) - len(todo)} graded before "
                              f"(resumed from {STATE}), {len(rounds)} rounds to grade")
    progress.grow(len(rounds))
    mode = "w" if fresh else "a"
    if not fresh and os.path.exists(state_path) and os.path.getsize(state_path):
        with open(state_path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            cut_short = fh.read(1) != b"\n"
        if cut_short:  # a run killed mid-line: the next result starts on a line of its own
            with open(state_path, "a", encoding="utf-8") as fh:
                fh.write("\n")
    STOPPING.clear()
    pool = concurrent.futures.ThreadPoolExecutor(max(1, jobs))
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupted)
    try:
        with open(state_path, mode, encoding="utf-8") as state:
            futures = {pool.submit(grade_round, course, r, timeout): r for r in rounds}
            for future in concurrent.futures.as_completed(futures):
                round_ = futures[future]
                results = future.result()
                for mutant in round_.values():
                    entry = {"id": mutant["id"], "source_hash": by_hash[mutant["id"]],
                             "result": results.get(mutant["id"], {"error": "no result"})}
                    done[mutant["id"]] = entry
                    state.write(json.dumps(entry) + "\n")
                state.flush()  # an interrupted run keeps every round finished so far
                progress.step(f"mutants: {', '.join(sorted(round_))}")
    except BaseException:
        stop_rounds()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)

    equivalent = load_equivalent(os.path.join(course.root, EQUIVALENT))
    owner = {t.name: ex.name for ex in exercises for t in ex.tasks}
    for m in mutants:
        hidden, public, others = judge(m, done[m["id"]]["result"], shipped)
        for task in m["tasks"]:
            if tasks_wanted and task not in tasks_wanted:
                continue
            row = audit.mutants.setdefault(task, TaskMutants(owner.get(task, m["module"]), task))
            row.total += 1
            if hidden == "error":
                row.errors += 1
                row.survivors.append((m, "error: " + done[m["id"]]["result"]["error"][-200:]))
                continue
            if hidden == "survivor" and m["id"] in equivalent:
                row.equivalent += 1
                continue
            row.killed_hidden += hidden == "killed"
            row.killed_public += public == "killed"
            if hidden in ("survivor", "collateral"):
                row.survivors.append((m, "survivor" if hidden == "survivor"
                                      else f"collateral: {', '.join(others)} lost points"))
            if public == "survivor":
                row.public_survivors.append(m["id"])
    bad = sum(len(r.survivors) for r in audit.mutants.values())
    judged = sum(r.judged for r in audit.mutants.values())
    killed = sum(r.killed_hidden for r in audit.mutants.values())
    killed_public = sum(r.killed_public for r in audit.mutants.values())
    all_modules = len(exercises) == len(courses.open_course(course.root).exercises) and not tasks_wanted
    stale = sorted(set(equivalent) - {m["id"] for m in mutants}) if all_modules else []
    if stale:
        audit.mutant_notes.append(f"{len(stale)} ids in {EQUIVALENT} match no mutant (a solution "
                                  f"changed; judge its mutants again): {', '.join(stale)}")
    equivalents = sum(r.equivalent for r in audit.mutants.values())
    audit.checks.append(Check(
        "mutants are killed by the hidden tests", not bad,
        f"mutants: {len(mutants)}, {equivalents} judged equivalent in {EQUIVALENT}; hidden tests "
        f"kill {killed} of {judged} ({100.0 * killed / judged if judged else 100:.1f} %), public "
        f"tests {killed_public} ({100.0 * killed_public / judged if judged else 100:.1f} %)",
        [f"{m['id']} (line {m['line']}: {m['kind']}): {what}"
         for r in audit.mutants.values() for m, what in r.survivors]))


# ---------------------------------------------------------------- the whole audit
def run(course, exercise_names=(), tasks=(), mutants=False, jobs=1, timeout=2.0, fresh=False,
        stream=None):
    """Audit `course` (a grader.course.Course); returns an Audit. Raises UsageError for bad
    usage and GraderError when the grader could not grade."""
    from ..engine import UsageError, select

    audit = Audit(course.root)
    if course.is_handout:
        raise UsageError(f"{course.root} is a handout (no {courses.HIDDEN_TESTS}/): audit the "
                         "instructor's copy, which has the solutions and the hidden tests")
    if not os.path.isdir(course.solutions_dir):
        raise UsageError(f"{course.root} has no solutions/: the audit grades them")
    started = time.monotonic()
    audit.problems = courses.problems(course)
    audit.seconds["data"] = time.monotonic() - started
    if audit.problems:
        return audit
    exercises = select(course.exercises, list(exercise_names), tasks)
    unknown = [t for t in tasks if not course.task_owner(t)]
    if unknown:
        raise UsageError(f"unknown task {unknown[0]!r}")
    progress = Progress(stream, total=4)
    try:
        started = time.monotonic()
        quick_checks(course, exercises, audit, progress, timeout=max(timeout, 5.0))
        audit.seconds["quick"] = time.monotonic() - started
        if mutants:
            started = time.monotonic()
            from ..instructor import release
            solutions = release.solution_functions(course.solutions_dir)
            shipped = set()
            for ex in exercises:
                with open(os.path.join(course.hidden_tests_dir, f"test_{ex.name}.py"), encoding="utf-8") as fh:
                    shipped |= {(ex.name, name) for name in release.public_tests(fh.read(), solutions).shipped}
            mutant_check(course, exercises, tasks, audit, progress, jobs, timeout, fresh, shipped)
            audit.seconds["mutants"] = time.monotonic() - started
    finally:
        progress.finish()
    return audit
