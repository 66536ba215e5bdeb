"""How long `grader grade` takes on a submission whose every function loops forever.

    python benchmarks/all_looping.py [--total-timeout SECONDS] [--timeout SECONDS]

Writes every module of the course with each function, and each class's constructor, an
endless loop (from the stubs' names), grades it once with `grader grade` (default options
unless given) and prints the wall time, whether the time budget ran out, and how many tests
waited for a call's timeout, were `timeout` at once because an earlier test of their task
timed out, or were not run once the budget was spent. The README records the figures.
"""

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUBS = os.path.join(PROJECT, "exercises")


def looping_module(stub_path):
    with open(stub_path) as fh:
        tree = ast.parse(fh.read())
    parts = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(f"def {node.name}(*args, **kwargs):\n    while True:\n        pass\n")
        elif isinstance(node, ast.ClassDef):
            parts.append(f"class {node.name}:\n    def __init__(self, *args, **kwargs):\n"
                         "        while True:\n            pass\n")
    return "\n\n".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total-timeout", default=None, help="passed on to grader grade")
    parser.add_argument("--timeout", default=None, help="passed on to grader grade")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sub = os.path.join(tmp, "looping")
        os.makedirs(sub)
        for name in sorted(os.listdir(STUBS)):
            if name.endswith(".py") and name != "__init__.py":
                with open(os.path.join(sub, name), "w") as fh:
                    fh.write(looping_module(os.path.join(STUBS, name)))
        report_path = os.path.join(tmp, "report.json")
        cmd = [sys.executable, "-m", "grader", "grade", sub, "-q", "--output", report_path]
        for flag, value in (("--total-timeout", args.total_timeout), ("--timeout", args.timeout)):
            if value is not None:
                cmd += [flag, value]
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.monotonic() - started
        if proc.returncode != 0:
            sys.exit(f"grader exited {proc.returncode}: {proc.stderr[-2000:]}")
        with open(report_path) as fh:
            report = json.load(fh)
    tests = [t for ex in report["exercises"] for t in ex["tests"] if t["status"] != "skipped"]
    counts = {"waited for a timeout": 0, "at once (an earlier test of the task timed out)": 0,
              "cut or not run (budget)": 0, "other": 0}
    for t in tests:
        message = t["message"]
        if "time budget" in message:
            counts["cut or not run (budget)"] += 1
        elif message.startswith("not run: an earlier test"):
            counts["at once (an earlier test of the task timed out)"] += 1
        elif "did not finish within" in message or t["status"] == "timeout":
            counts["waited for a timeout"] += 1
        else:
            counts["other"] += 1
    env = report["environment"]
    print(f"wall {wall:.1f} s; score {report['score']:g}/{report['max_score']:g}; "
          f"{len(tests)} tests; budget {env.get('total_timeout')} s, "
          f"ran out: {env.get('total_timeout_reached')}; sandbox {env.get('sandbox')}")
    for label, n in counts.items():
        print(f"  {n:4d} {label}")


if __name__ == "__main__":
    main()
