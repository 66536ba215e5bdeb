"""The report in its formats (native JSON, Gradescope, JUnit XML), and writing it atomically."""

import json
import os
import stat
import tempfile
from xml.sax.saxutils import escape, quoteattr


def to_json(report):
    return json.dumps(report, indent=2) + "\n"


def to_gradescope(report):
    """Gradescope's results.json: one entry per test, with name, points, visibility and output."""
    tests = []
    for ex in report["exercises"]:
        for t in ex["tests"]:
            if t["status"] == "skipped":
                continue
            name = f"{ex['title']}: {t['task']} ({t['id'].split('::')[-1]})"
            entry = {
                "name": name,
                "score": t["score"],
                "max_score": t["max_score"],
                "status": "passed" if t["status"] == "passed" else "failed",
                "visibility": t["visibility"],
                "output": t["message"] if t["status"] != "passed" else "",
            }
            if t["status"] not in ("passed", "failed"):
                entry["output"] = f"[{t['status']}] {entry['output']}".strip()
            tests.append(entry)
    lines = [f"{ex['title']}: {ex['score']:g}/{ex['max_score']:g} ({ex['status']})"
             for ex in report["exercises"]]
    return json.dumps({
        "score": report["score"],
        "execution_time": report["duration_s"],
        "output": "\n".join(lines),
        "stdout_visibility": "hidden",
        "visibility": "visible",
        "tests": tests,
    }, indent=2) + "\n"


def to_junit(report):
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    total = sum(len(ex["tests"]) for ex in report["exercises"])
    out.append(f'<testsuites name="grader" tests="{total}" time="{report["duration_s"]}">')
    for ex in report["exercises"]:
        tests = ex["tests"]
        failures = sum(t["status"] in ("failed", "forbidden", "not_implemented") for t in tests)
        errors = sum(t["status"] in ("error", "timeout", "crashed") for t in tests)
        skipped = sum(t["status"] == "skipped" for t in tests)
        out.append(f'  <testsuite name={quoteattr(ex["name"])} tests="{len(tests)}" '
                   f'failures="{failures}" errors="{errors}" skipped="{skipped}">')
        for t in tests:
            case = (f'    <testcase classname={quoteattr(ex["name"])} '
                    f'name={quoteattr(t["id"].split("::")[-1])} time="{t["duration_s"]}"')
            status, message = t["status"], t["message"]
            if status == "passed":
                out.append(case + "/>")
                continue
            tag = {"skipped": "skipped", "error": "error", "timeout": "error",
                   "crashed": "error"}.get(status, "failure")
            out.append(case + ">")
            out.append(f'      <{tag} type="{status}" message={quoteattr(message[:200])}>'
                       f"{escape(message)}</{tag}>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


FORMATS = {"json": to_json, "gradescope": to_gradescope, "junit": to_junit}


def render(report, fmt):
    return FORMATS[fmt](report)


def write_atomic(path, text):
    """Write via a temporary file in the same folder and a rename: readers see old or new, never half.

    Something that is not a regular file (/dev/null, /dev/stdout, a pipe) is written in place:
    renaming over it would replace the device with a file."""
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False
    if special:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    folder = os.path.dirname(os.path.abspath(path)) or "."
    fd, tmp = tempfile.mkstemp(prefix=".grader-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
