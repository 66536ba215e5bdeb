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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--submission", default="solutions")
    opts = parser.parse_args()
    floor_cmd = [sys.executable, "-c", "import torch, pytest"]
    grade_cmd = [sys.executable, "-m", "grader.cli", "grade", opts.submission, "--output", os.devnull, "-q"]
    timed(floor_cmd), timed(grade_cmd)  # warm the file cache
    floors, grades = [], []
    for _ in range(opts.runs):
        floors.append(timed(floor_cmd))
        grades.append(timed(grade_cmd))
    floor, grade = statistics.median(floors), statistics.median(grades)
    print(f"floor  python -c 'import torch, pytest'   median {floor:.2f} s  ({', '.join(f'{x:.2f}' for x in floors)})")
    print(f"grade  grader grade {opts.submission:<19} median {grade:.2f} s  ({', '.join(f'{x:.2f}' for x in grades)})")
    print(f"ratio  {grade / floor:.2f}x")


if __name__ == "__main__":
    main()
