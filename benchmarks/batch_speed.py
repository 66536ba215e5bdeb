"""How fast `grader batch` grades a class: one grading process and two, each with the worker
template (the default) and with a fresh worker per submission (`--fresh-workers`).

    python benchmarks/batch_speed.py [--students 24] [--runs 1] [--jobs 1 2] [--modes template fresh]

Builds a class of submissions in a temporary folder (full marks, partial, untouched stubs, one
hostile module that exits at import), then grades the whole class with `grader batch --force`
for each --jobs value and mode, in turn within each run, and the floor `python -c "import torch,
pytest"` beside them (median of 3). Prints submissions per second for each (the README records
them), and checks that both modes gave every student the same scores, statuses and messages.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(PROJECT, "solutions")
STUBS = os.path.join(PROJECT, "exercises")
HOSTILE = os.path.join(PROJECT, "tests", "hostile", "exit_at_import.py")


def modules(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(".py"))


def make_class(root, students):
    """`students` submissions: a third full marks, a third partial, a third stubs, one hostile."""
    names = modules(SOLUTIONS)
    for i in range(students):
        folder = os.path.join(root, f"student{i:03d}")
        os.makedirs(folder)
        kind = ("hostile" if i == students - 1 else ("correct", "partial", "stubs")[i % 3])
        for j, name in enumerate(names):
            source = STUBS if kind == "stubs" or (kind == "partial" and (i + j) % 2) else SOLUTIONS
            shutil.copy(os.path.join(source, name), os.path.join(folder, name))
        if kind == "hostile":
            with open(os.path.join(folder, "tensor_numpy.py"), "a") as fh, open(HOSTILE) as src:
                fh.write("\n" + src.read())


CPUACCT = "/sys/fs/cgroup/cpuacct"


class CpuMeter:
    """CPU seconds spent by this process's descendants. A cpuacct cgroup (cgroup v1, where this
    process may make one) counts every descendant, even the sandboxed workers that are killed
    rather than reaped, which getrusage(RUSAGE_CHILDREN) misses; it only measures, limits nothing."""

    def __init__(self):
        self.group = None
        try:
            with open("/proc/self/cgroup") as fh:
                own = next(line.split(":", 2)[2].strip() for line in fh
                           if "cpuacct" in line.split(":", 2)[1].split(","))
            self.home = os.path.join(CPUACCT, own.lstrip("/"))
            group = os.path.join(self.home, f"grader-batch-speed-{os.getpid()}")
            os.mkdir(group)
            with open(os.path.join(group, "cgroup.procs"), "w") as fh:
                fh.write(str(os.getpid()))
            self.group = group
        except (OSError, StopIteration):
            pass

    def read(self):
        if self.group:
            with open(os.path.join(self.group, "cpuacct.usage")) as fh:
                return int(fh.read()) / 1e9
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def close(self):
        if self.group:
            try:
                with open(os.path.join(self.home, "cgroup.procs"), "w") as fh:
                    fh.write(str(os.getpid()))
                os.rmdir(self.group)
            except OSError:
                pass


METER = None


def cpu_of_children():
    return METER.read()


def timed(cmd, cpu=None):
    """Wall time of `cmd`; with `cpu` (a list), also appends the CPU seconds it and its
    descendants spent (a figure that machine load does not inflate much)."""
    start, start_cpu = time.perf_counter(), cpu_of_children()
    proc = subprocess.run(cmd, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    if cpu is not None:
        cpu.append(cpu_of_children() - start_cpu)
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--modes", nargs="+", choices=["template", "fresh"], default=["template", "fresh"])
    opts = parser.parse_args()
    global METER
    METER = CpuMeter()
    try:
        run(opts)
    finally:
        METER.close()


def run(opts):
    floor_cmd = [sys.executable, "-c", "import torch, pytest"]
    with tempfile.TemporaryDirectory(prefix="batch-speed-") as tmp:
        root = os.path.join(tmp, "class")
        make_class(root, opts.students)
        timed(floor_cmd)  # warm the file cache
        floor_cpu = []
        floors = [timed(floor_cmd, floor_cpu) for _ in range(3)]
        results, cpus = {}, {}
        for _ in range(opts.runs):
            for jobs in opts.jobs:
                for mode in opts.modes:
                    out = os.path.join(tmp, f"out-{jobs}-{mode}")
                    cmd = [sys.executable, "-m", "grader", "batch", root, "--out", out, "--jobs", str(jobs),
                           "--force", "--worker-template" if mode == "template" else "--fresh-workers"]
                    results.setdefault((jobs, mode), []).append(timed(cmd, cpus.setdefault((jobs, mode), [])))
        floor = statistics.median(floors)
        load = os.getloadavg()[0]
        print(f"cpus {os.cpu_count()}, load average {load:.1f} at the end, {opts.students} submissions "
              f"(correct, partial, stubs, 1 hostile); CPU time from "
              f"{'a cpuacct cgroup' if METER.group else 'getrusage (workers not counted)'}")
        print(f"floor   python -c 'import torch, pytest'   {floor:6.2f} s wall"
              f"   {statistics.median(floor_cpu):5.2f} s CPU"
              f"   ({1 / floor:.2f} per second if each student paid it once)")
        for (jobs, mode), times in results.items():
            wall, cpu = statistics.median(times), statistics.median(cpus[(jobs, mode)])
            print(f"batch   --jobs {jobs:<2} {mode:<9}               {wall:6.2f} s wall"
                  f"   {cpu:5.1f} s CPU   {opts.students / wall:.2f} submissions/s"
                  f"   ({wall / opts.students:.2f} s wall, {cpu / opts.students:.2f} s CPU each)")
        last = os.path.join(tmp, f"out-{opts.jobs[-1]}-{opts.modes[0]}")
        with open(os.path.join(last, "gradebook.csv")) as fh:
            rows = fh.read().splitlines()
        print(f"gradebook: {len(rows) - 1} rows; e.g. {rows[1]}  /  {rows[-1]}")
        if len(opts.modes) == 2:
            for jobs in opts.jobs:
                same = verdicts(os.path.join(tmp, f"out-{jobs}-template")) == \
                    verdicts(os.path.join(tmp, f"out-{jobs}-fresh"))
                print(f"--jobs {jobs}: template and fresh workers gave "
                      + ("the same scores, statuses and messages to every student" if same else "DIFFERENT results"))
                if not same:
                    sys.exit(1)


def verdicts(out):
    """{student: scores, statuses and messages of every exercise and test}, from NAME.json."""
    import glob
    import json
    found = {}
    for path in sorted(glob.glob(os.path.join(out, "*.json"))):
        with open(path) as fh:
            report = json.load(fh)
        if "exercises" in report:
            found[report["submission"]] = (report["score"], report["max_score"], [
                (ex["name"], ex["status"], ex["score"],
                 [(t["id"], t["status"], t["score"], t["message"]) for t in ex["tests"]])
                for ex in report["exercises"]])
    return found


if __name__ == "__main__":
    main()
