"""Time the Gradescope package on a fake /autograder tree: setup.sh once, then run_autograder
per submission (the course's solutions, and its stubs), as tests/test_platforms.py runs them.

    python benchmarks/gradescope_speed.py [--runs 3]

setup.sh runs with GRADER_SETUP_SKIP_SYSTEM=1 (no apt, no torch download: this machine has them):
what it times is the grader's install into the venv. The torch download and install that
Gradescope does on top depends on its network; time it with `pip install torch==X
--index-url https://download.pytorch.org/whl/cpu` in a fresh venv.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, env):
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"{cmd} failed: {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return time.monotonic() - started, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gradescope-speed-")
    try:
        package = os.path.join(work, "autograder.zip")
        subprocess.run([sys.executable, "-m", "grader", "gradescope-package", package, "--course", PROJECT],
                       check=True, cwd=PROJECT, capture_output=True)
        root = os.path.join(work, "autograder")
        with zipfile.ZipFile(package) as zf:
            zf.extractall(os.path.join(root, "source"))
        env = dict(os.environ, AUTOGRADER_ROOT=root, GRADER_SETUP_SKIP_SYSTEM="1")
        env.pop("PYTHONPATH", None)  # the packaged grader, as on Gradescope
        seconds, _ = timed(["bash", os.path.join(root, "source", "setup.sh")], env)
        print(f"setup.sh (grader into the venv, no apt/torch): {seconds:.1f} s")
        for label, source in (("solutions", "solutions"), ("stubs", "exercises")):
            times = []
            for _ in range(args.runs):
                sub = os.path.join(root, "submission")
                shutil.rmtree(sub, ignore_errors=True)
                shutil.copytree(os.path.join(PROJECT, source), sub,
                                ignore=shutil.ignore_patterns("*.toml", "__pycache__"))
                seconds, proc = timed(["bash", os.path.join(root, "source", "run_autograder")], env)
                times.append(seconds)
            print(f"run_autograder, {label}: median {statistics.median(times):.1f} s "
                  f"(min {min(times):.1f}, max {max(times):.1f}, {args.runs} runs); {proc.stdout.strip()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
