"""How much grading a submission costs next to the floor of starting Python with torch and pytest.

    python benchmarks/grade_speed.py [--runs 5] [--submission solutions] [--vs CHECKOUT] [--warm N]

Runs, side by side and interleaved so that machine noise hits both alike:
  floor:  python -c "import torch, pytest"
  grade:  grader grade SUBMISSION --output /dev/null -q
and prints the median wall time of each, their ratio (the README records it), and the CPU
seconds (user + sys) of the grading process and what it waited for.

--vs CHECKOUT also grades with another checkout of the project (an older commit, say: PYTHONPATH
points at it, and it grades its own course and submission), interleaved with this one, and prints
the ratio of each pair.

--warm N grades the submission N + 1 times in one process, as a batch's runner does (a warm
engine.Grader, OMP_NUM_THREADS=1, the next worker started during the current grading), and prints
the trusted side's CPU seconds per submission (the grading process alone, not its workers; the
first grading, which pays the imports, left out), for this checkout and for --vs.

Both checkouts' bytecode is written first, as an install has it. The machine's load average is
printed before and after: read the figures with it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


def env_for(checkout, **extra):
    return dict(os.environ, PYTHONPATH=checkout, **extra)


def timed(cmd, checkout=PROJECT):
    """(wall seconds, CPU seconds of the process and the children it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=checkout, env=env_for(checkout), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read()
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


FLOOR = [sys.executable, "-c", "import torch, pytest"]


def figures(values):
    return f"median {statistics.median(values):.2f} s  ({', '.join(f'{x:.2f}' for x in values)})"


def against_floor(label, cmd, runs, other=None):
    """Median wall time of `cmd` and of the floor, interleaved; prints both and their ratio.
    With `other` (a checkout), `cmd` run there as well, in the same rounds."""
    timed(FLOOR), timed(cmd)  # warm the file cache
    if other:
        timed(cmd, other)
    floors, times, cpus, others, other_cpus = [], [], [], [], []
    for _ in range(runs):
        floors.append(timed(FLOOR)[0])
        wall, cpu = timed(cmd)
        times.append(wall), cpus.append(cpu)
        if other:
            wall, cpu = timed(cmd, other)
            others.append(wall), other_cpus.append(cpu)
    floor, median = statistics.median(floors), statistics.median(times)
    print(f"floor  {'python -c ' + repr('import torch, pytest'):<36} {figures(floors)}")
    print(f"{label:<43} {figures(times)}")
    print(f"{'       its CPU (user + sys)':<43} {figures(cpus)}")
    print(f"ratio  {median / floor:.2f}x the floor")
    if other:
        print(f"{'       the same with ' + os.path.basename(os.path.normpath(other)):<43} {figures(others)}")
        print(f"{'       its CPU (user + sys)':<43} {figures(other_cpus)}")
        print(f"ratio  {statistics.median(others) / floor:.2f}x the floor; this checkout / the other, "
              f"paired: wall {statistics.median(a / b for a, b in zip(times, others)):.2f}, "
              f"CPU {statistics.median(a / b for a, b in zip(cpus, other_cpus)):.2f}")


# Runs in a child process with PYTHONPATH at the checkout: one warm Grader, as a batch runner.
WARM = r"""
import json, os, sys, time
from grader import course, engine
submission, rounds = sys.argv[1], int(sys.argv[2])
grader = engine.Grader(course.find(), timeout=5.0)
spent = []
for i in range(rounds):
    started = time.process_time()
    grader.grade(submission, prepare_next=submission if i + 1 < rounds else None)
    spent.append(time.process_time() - started)
grader.close()
sys.stdout.write(json.dumps(spent))
sys.stdout.flush()
os._exit(0)
"""


def warm_cpu(checkout, submission, rounds):
    proc = subprocess.run([sys.executable, "-c", WARM, os.path.join(checkout, submission), str(rounds + 1)],
                          cwd=checkout, env=env_for(checkout, OMP_NUM_THREADS="1"),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"the warm grader failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)[1:]


def warm(submission, rounds, other=None, processes=4):
    """Trusted CPU seconds per submission in a warm grader; with `other`, both, in turn, each in
    `processes` processes of rounds / processes gradings (the load moves within minutes)."""
    mine, theirs, pairs = [], [], []
    each = max(1, -(-rounds // processes))
    for _ in range(processes):
        mine_now = warm_cpu(PROJECT, submission, each)
        mine += mine_now
        if other:
            theirs_now = warm_cpu(other, submission, each)
            theirs += theirs_now
            pairs.append(statistics.median(mine_now) / statistics.median(theirs_now))
    print(f"warm   trusted CPU per submission, {'this checkout':<29} {figures(mine)}")
    if other:
        print(f"warm   trusted CPU per submission, {os.path.basename(os.path.normpath(other)):<29} "
              f"{figures(theirs)}")
        print(f"ratio  this checkout / the other: {statistics.median(mine) / statistics.median(theirs):.2f} "
              f"(medians); process by process {', '.join(f'{r:.2f}' for r in pairs)}")


def compile_bytecode(checkout):
    """Write the checkout's bytecode, as `pip install` does for the package it installs: a
    checkout edited since its last run (or run with PYTHONDONTWRITEBYTECODE) would otherwise
    compile the grader's own modules and the hidden tests in every timed run."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "grader", os.path.join("tests", "exercises")],
                   cwd=checkout, stdout=subprocess.DEVNULL, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="0: the warm figures alone")
    parser.add_argument("--submission", default="solutions")
    parser.add_argument("--vs", metavar="CHECKOUT", help="another checkout of the project to compare with")
    parser.add_argument("--warm", type=int, default=0, metavar="N",
                        help="also N gradings in one warm process: the trusted side's CPU per submission")
    opts = parser.parse_args()
    other = os.path.abspath(opts.vs) if opts.vs else None
    for checkout in (PROJECT, other):
        if checkout:
            compile_bytecode(checkout)
    print(f"load average before: {load()}")
    grade_cmd = [sys.executable, "-m", "grader.cli", "grade", opts.submission, "--output", os.devnull, "-q"]
    if opts.runs:
        against_floor(f"grade  grader grade {opts.submission}", grade_cmd, opts.runs, other)
    if opts.warm:
        warm(opts.submission, opts.warm, other)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
