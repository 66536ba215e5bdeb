"""The report: the native JSON of report-contract.md, its other formats, and the summary table."""

import json
import os
import tempfile
from xml.sax.saxutils import escape, quoteattr

SCHEMA_VERSION = 1
TEST_STATUSES = ("passed", "failed", "error", "not_implemented", "timeout", "crashed", "forbidden",
                 "skipped")


def exercise_status(tests, unavailable):
    if unavailable is not None:
        return unavailable.exercise_status
    ran = [t for t in tests if t["status"] != "skipped"]
    if ran and all(t["status"] == "not_implemented" for t in ran):
        return "not_started"
    if all(t["status"] == "passed" for t in ran):
        return "complete"
    return "partial"


def build(submission, exercises, results, modules, environment, duration):
    report_exercises = []
    for ex in exercises:
        tests = []
        for r in results:
            if r["exercise"] != ex.name:
                continue
            tests.append({
                "id": r["id"], "task": r["task"], "status": r["status"],
                "score": r["score"] if r["status"] != "skipped" else 0.0,
                "max_score": r["max_score"], "visibility": r["visibility"],
                "message": r["message"], "duration_s": r["duration_s"],
            })
        ran = [t for t in tests if t["status"] != "skipped"]
        entry = {
            "name": ex.name,
            "title": ex.title,
            "score": sum(t["score"] for t in ran),
            "max_score": sum(t["max_score"] for t in ran),
            "skipped_score": sum(t["max_score"] for t in tests if t["status"] == "skipped"),
            "status": exercise_status(tests, modules.get(ex.name)),
            "tests": tests,
        }
        if modules.get(ex.name) is not None:
            entry["message"] = str(modules[ex.name])
        report_exercises.append(entry)
    score = sum(e["score"] for e in report_exercises)
    max_score = sum(e["max_score"] for e in report_exercises)
    return {
        "schema_version": SCHEMA_VERSION,
        "submission": os.path.basename(os.path.normpath(submission)),
        "score": score,
        "max_score": max_score,
        "skipped_score": sum(e["skipped_score"] for e in report_exercises),
        "percentage": round(100.0 * score / max_score, 1) if max_score else 0.0,
        "duration_s": round(duration, 2),
        "environment": environment,
        "exercises": report_exercises,
    }


# ---------------------------------------------------------------- formats
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
    """Write via a temporary file in the same folder and a rename: readers see old or new, never half."""
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


def summary_table(report):
    """The human summary: one row per exercise, then the total."""
    rows = [("exercise", "score", "status")]
    for ex in report["exercises"]:
        score = f"{ex['score']:g}/{ex['max_score']:g}"
        if ex["skipped_score"]:
            score += f" (+{ex['skipped_score']:g} skipped)"
        rows.append((ex["name"], score, ex["status"]))
    rows.append(("total", f"{report['score']:g}/{report['max_score']:g}", f"{report['percentage']:g}%"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(len(lines) - 1, "  ".join("-" * w for w in widths))
    env = report["environment"]
    lines.append(f"sandbox: {env.get('sandbox')}; {report['duration_s']:g} s")
    return "\n".join(lines) + "\n"
