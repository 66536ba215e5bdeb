"""How much grading a submission costs next to the floor of starting Python with torch and pytest.

    python benchmarks/grade_speed.py [--runs 5] [--submission solutions]

Runs, side by side and interleaved so that machine noise hits both alike:
  floor:  python -c "import torch, pytest"
  grade:  grader grade SUBMISSION --output /dev/null -q
and prints the median wall time of each and their ratio (the README records it).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


FLOOR = [sys.executable, "-c", "import torch, pytest"]


def against_floor(label, cmd, runs):
    """Median wall time of `cmd` and of the floor, interleaved; prints both and their ratio."""
    timed(FLOOR), timed(cmd)  # warm the file cache
    floors, times = [], []
    for _ in range(runs):
        floors.append(timed(FLOOR))
        times.append(timed(cmd))
    floor, median = statistics.median(floors), statistics.median(times)
    print(f"floor  {'python -c ' + repr('import torch, pytest'):<36} median {floor:.2f} s  "
          f"({', '.join(f'{x:.2f}' for x in floors)})")
    print(f"{label:<43} median {median:.2f} s  ({', '.join(f'{x:.2f}' for x in times)})")
    print(f"ratio  {median / floor:.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--submission", default="solutions")
    opts = parser.parse_args()
    grade_cmd = [sys.executable, "-m", "grader.cli", "grade", opts.submission, "--output", os.devnull, "-q"]
    against_floor(f"grade  grader grade {opts.submission}", grade_cmd, opts.runs)


if __name__ == "__main__":
    main()
