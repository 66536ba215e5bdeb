"""What checking the course as data costs every command.

    python benchmarks/course_check_speed.py [--runs 7] [--against /path/to/other/checkout]

Prints the median time of `grader.course.problems` on this course (in process, the part each
command adds), and, with --against, the median wall time of `grader check swap_last_two
--submission solutions` and `grader grade solutions -q` run with this checkout and with the
other one (a checkout without the check), interleaved so that machine noise hits both alike.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PROJECT)


def timed(cmd, checkout):
    env = dict(os.environ, PYTHONPATH=checkout)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", default=None, help="another checkout to compare with")
    args = parser.parse_args()

    from grader import course as courses
    course = courses.find(PROJECT)
    times = []
    for _ in range(max(args.runs * 3, 20)):
        start = time.perf_counter()
        courses.problems(courses.open_course(PROJECT))
        times.append(time.perf_counter() - start)
    print(f"reading the manifest and checking the course: median {1000 * statistics.median(times):.1f} ms "
          f"({len(course.exercises)} exercises)")
    if not args.against:
        return
    commands = {
        "check swap_last_two": [sys.executable, "-m", "grader", "check", "swap_last_two",
                                "--submission", "solutions", "--course", PROJECT],
        "grade solutions": [sys.executable, "-m", "grader", "grade", "solutions", "-q",
                            "--output", "/dev/null", "--course", PROJECT],
    }
    for label, cmd in commands.items():
        timed(cmd, PROJECT), timed(cmd, args.against)  # warm the file cache
        mine, other = [], []
        for _ in range(args.runs):
            mine.append(timed(cmd, PROJECT))
            other.append(timed(cmd, args.against))
        a, b = statistics.median(mine), statistics.median(other)
        print(f"{label}: {a:.3f} s with the check, {b:.3f} s without ({a / b:.2f}x)")


if __name__ == "__main__":
    main()
