"""What the student's loop costs: `grader check TASK` next to the floor, and a re-check in watch.

    python benchmarks/student_speed.py [--runs 5] [--task swap_last_two]

1. Side by side, interleaved: the floor `python -c "import torch, pytest"` and
   `grader check TASK --submission solutions` (a correct task), median of --runs.
2. `grader watch`'s loop, in this process: a module of a copy of solutions/ is saved --runs
   times; each time, the seconds from the save to the printed result (polling included).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

from grade_speed import PROJECT, against_floor, compile_bytecode  # the benchmarks folder is on sys.path (the script's own)

sys.path.insert(0, PROJECT)


def watch_latencies(task, runs):
    from grader import course as courses
    from grader.engine import Grader
    from grader.student import watch

    course = courses.find(PROJECT)
    module = course.task_owner(task).name
    folder = tempfile.mkdtemp(prefix="grader-watch-bench-")
    for name in course.module_files:
        shutil.copy(os.path.join(course.solutions_dir, name), os.path.join(folder, name))
    path = os.path.join(folder, f"{module}.py")
    grader = Grader(course)
    results, checks, stop = [], [], threading.Event()

    def echo(text, nl=True):
        if text.startswith("(checked"):
            results.append(time.perf_counter())
            checks.append(float(text.split(" in ", 1)[1].split(" s;", 1)[0]))  # the check alone

    thread = threading.Thread(target=watch.watch, args=(grader, course, folder, echo),
                              kwargs={"stop": stop.is_set}, daemon=True)
    thread.start()
    latencies = []
    try:
        for i in range(runs + 1):
            time.sleep(1.0)
            # As between two saves of a person: the next worker has started and imported torch.
            while grader.next is None:
                time.sleep(0.01)
            grader.next[1].start()
            with open(path, "a") as fh:
                fh.write(f"\n# save {i}\n")
            saved = time.perf_counter()
            while len(results) <= i:
                time.sleep(0.005)
            if i:  # the first save pays for loading the test modules once
                latencies.append((results[i] - saved, checks[i]))
    finally:
        stop.set()
        thread.join(5)
        grader.close()
        shutil.rmtree(folder, ignore_errors=True)
    return latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--task", default="swap_last_two")
    opts = parser.parse_args()
    check_cmd = [sys.executable, "-m", "grader", "check", opts.task, "--submission", "solutions"]
    compile_bytecode(PROJECT)
    against_floor(f"check  grader check {opts.task}", check_cmd, opts.runs)
    latencies = watch_latencies(opts.task, opts.runs)
    saves, checks = [x for x, _ in latencies], [c for _, c in latencies]
    print(f"watch  save -> result ({opts.task}'s module)   median {statistics.median(saves):.3f} s  "
          f"({', '.join(f'{x:.3f}' for x in saves)}); the re-check itself median "
          f"{statistics.median(checks):.2f} s (the rest is noticing the save: polling and settling)")


if __name__ == "__main__":
    main()
