"""The report in its formats (native JSON, Gradescope, JUnit XML, GitHub Classroom), and writing it
atomically."""

import json
import os
import stat
import tempfile
from xml.sax.saxutils import escape, quoteattr

from .table import markdown_table


def to_json(report):
    return json.dumps(report, indent=2) + "\n"


# Gradescope shows a test's output to the student as soon as the test is visible: a hidden test
# (ours) shows once grades are published, a visible one at once.
GRADESCOPE_VISIBILITY = {"visible": "visible", "hidden": "after_published"}


def gradescope_results(report):
    """Gradescope's results.json as a dict (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

    One entry per test: name, number ("exercise.test"), score, max_score, status, output,
    visibility, tags (the task). A test skipped for want of hardware has no score and says why.
    The top-level output is the score table in Markdown."""
    tests = []
    for i, ex in enumerate(report["exercises"], 1):
        for j, t in enumerate(ex["tests"], 1):
            entry = {
                "name": f"{ex['title']}: {t['task']} ({t['id'].split('::')[-1]})",
                "number": f"{i}.{j}",
                "visibility": GRADESCOPE_VISIBILITY.get(t["visibility"], "after_published"),
                "tags": [t["task"]],
            }
            if t["status"] == "skipped":
                entry["output"] = (f"[skipped] {t['message']} ({t['max_score']:g} points, "
                                   "not counted)").strip()
                tests.append(entry)
                continue
            entry.update(score=t["score"], max_score=t["max_score"],
                         status="passed" if t["status"] == "passed" else "failed")
            if t["status"] == "passed":
                entry["output"] = ""
            elif t["status"] == "failed":
                entry["output"] = t["message"]
            else:
                entry["output"] = f"[{t['status']}] {t['message']}".strip()
            tests.append(entry)
    return {
        "score": report["score"],
        "execution_time": report["duration_s"],
        "output": markdown_table(report, failed_tasks_of="visible"),
        "output_format": "md",
        "stdout_visibility": "hidden",
        "visibility": "visible",
        "tests": tests,
    }


def gradescope_failure(message):
    """The results.json of a run where the grader itself could not grade: score 0, and why."""
    return {
        "score": 0.0,
        "output": f"The autograder could not grade this submission: {message}",
        "output_format": "text",
        "stdout_visibility": "hidden",
        "visibility": "visible",
        "tests": [],
    }


def to_gradescope(report):
    return json.dumps(gradescope_results(report), indent=2) + "\n"


def classroom_result(report):
    """The result of a GitHub Classroom runner, as `autograding-grading-reporter` reads it.

    The reporter decodes `<RUNNER>_RESULTS` (base64 of this JSON), fails the job when `status` is
    `fail` or `error`, sends the sum of the tests' `score` out of `max_score` to the classroom, and
    counts a test as passed when its `status` is `pass`. Tests skipped for want of hardware are left
    out: the reporter knows no skipped status and would count them as failed."""
    tests = []
    for ex in report["exercises"]:
        for t in ex["tests"]:
            if t["status"] == "skipped":
                continue
            passed = t["status"] == "passed"
            tests.append({
                "name": f"{ex['name']}: {t['task']} ({t['id'].split('::')[-1]})",
                "status": "pass" if passed else ("fail" if t["status"] in ("failed", "not_implemented",
                                                                            "forbidden") else "error"),
                "score": t["score"],
                "max_score": t["max_score"],
                "message": "" if passed else f"[{t['status']}] {t['message']}".strip(),
                "line_no": 0,
                "execution_time": f"{t['duration_s']:.2f}s",
            })
    ran = [t for ex in report["exercises"] for t in ex["tests"] if t["status"] != "skipped"]
    return {
        "version": 1,
        "status": "pass" if ran and all(t["status"] == "passed" for t in ran) else "fail",
        "max_score": report["max_score"],
        "tests": tests,
    }


def classroom_failure(message):
    """A runner result that makes the reporter fail the job with the grader's reason."""
    return {"version": 1, "status": "error", "max_score": 0,
            "tests": [{"name": "grader", "status": "error", "score": 0, "message": message,
                       "line_no": 0, "execution_time": "0s"}]}


def to_classroom(report):
    return json.dumps(classroom_result(report), indent=2) + "\n"


JUNIT_FAILURE = ("failed", "forbidden", "not_implemented")
JUNIT_ERROR = ("error", "timeout", "crashed")


def junit_properties(indent, pairs):
    lines = [f"{indent}<properties>"]
    lines += [f"{indent}  <property name={quoteattr(k)} value={quoteattr(str(v))}/>" for k, v in pairs]
    lines.append(f"{indent}</properties>")
    return lines


def to_junit(report):
    """JUnit XML: a testsuite per exercise, a testcase per test with its points as properties
    (score, max_score, task, visibility, status), totals on the root and on each suite."""
    every = [t for ex in report["exercises"] for t in ex["tests"]]

    def totals(tests):
        return (f'tests="{len(tests)}" failures="{sum(t["status"] in JUNIT_FAILURE for t in tests)}" '
                f'errors="{sum(t["status"] in JUNIT_ERROR for t in tests)}" '
                f'skipped="{sum(t["status"] == "skipped" for t in tests)}"')

    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<testsuites name="grader" {totals(every)} time="{report["duration_s"]}">']
    for ex in report["exercises"]:
        tests = ex["tests"]
        time = round(sum(t["duration_s"] for t in tests), 4)
        out.append(f'  <testsuite name={quoteattr(ex["name"])} {totals(tests)} time="{time}">')
        out += junit_properties("    ", [("score", f"{ex['score']:g}"), ("max_score", f"{ex['max_score']:g}"),
                                         ("skipped_score", f"{ex['skipped_score']:g}"),
                                         ("status", ex["status"])])
        for t in tests:
            status, message = t["status"], t["message"]
            out.append(f'    <testcase classname={quoteattr(ex["name"])} '
                       f'name={quoteattr(t["id"].split("::")[-1])} time="{t["duration_s"]}">')
            out += junit_properties("      ", [("task", t["task"]), ("score", f"{t['score']:g}"),
                                             ("max_score", f"{t['max_score']:g}"),
                                             ("visibility", t["visibility"]), ("status", status)])
            if status != "passed":
                tag = "skipped" if status == "skipped" else "error" if status in JUNIT_ERROR else "failure"
                out.append(f'      <{tag} type="{status}" message={quoteattr(message[:200])}>'
                           f"{escape(message)}</{tag}>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


FORMATS = {"json": to_json, "gradescope": to_gradescope, "junit": to_junit, "classroom": to_classroom}


# ---------------------------------------------------------------- the grader's own failure
def error_report(submission, message):
    """The report of a run in which the grader could not grade (docs/report.md: `status: "error"`):
    no exercise, no score, and why. Never a student's verdict."""
    return {"schema_version": 1, "status": "error", "error": message, "submission": submission,
            "score": 0.0, "max_score": 0.0, "skipped_score": 0.0, "percentage": 0.0,
            "duration_s": 0.0, "environment": {}, "exercises": []}


def junit_failure(message):
    """One testcase, `autograder`, in error: a CI dashboard shows a broken grader, not failed tests."""
    text = f"The autograder could not grade this submission: {message}"
    return "\n".join([
        '<?xml version="1.0" encoding="utf-8"?>',
        '<testsuites name="grader" tests="1" failures="0" errors="1" time="0.000">',
        '  <testsuite name="autograder" tests="1" failures="0" errors="1" skipped="0" time="0.000">',
        '    <testcase classname="autograder" name="autograder" time="0.000">',
        f'      <error type="grader_error" message={quoteattr(text[:200])}>{escape(text)}</error>',
        "    </testcase>", "  </testsuite>", "</testsuites>"]) + "\n"


FAILURE_FORMATS = {
    "json": to_json,
    "gradescope": lambda r: json.dumps(gradescope_failure(r["error"]), indent=2) + "\n",
    "junit": lambda r: junit_failure(r["error"]),
    "classroom": lambda r: json.dumps(classroom_failure(
        f"The autograder could not grade this submission: {r['error']}"), indent=2) + "\n",
}


def render(report, fmt):
    if report.get("status") == "error":
        return FAILURE_FORMATS[fmt](report)
    return FORMATS[fmt](report)


def current_umask():
    """This process's umask, read without changing it where /proc says it (os.umask can only
    set, and a thread creating a file meanwhile would get the value set)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
        os.fchmod(fd, 0o666 & ~current_umask())  # as open() would make it, not mkstemp's 0600
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


def check_writable(path):
    """None when a report can be written atomically at `path`, else why not (one line).

    Tried for real, before grading: a temporary file in the folder, then removed. That is the
    same step write_atomic takes, so a missing folder, a read-only one or a read-only file system
    is refused before any worker starts, whoever runs the grader (root ignores permission bits)."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if os.path.isdir(path):
        return f"{path} is a folder; give a file name"
    if not os.path.isdir(folder):
        return f"the folder {folder} does not exist" if not os.path.exists(folder) else f"{folder} is not a folder"
    try:
        fd, tmp = tempfile.mkstemp(prefix=".grader-", suffix=".probe", dir=folder)
    except OSError as exc:
        return f"cannot write in {folder}: {exc.strerror}"
    os.close(fd)
    os.unlink(tmp)
    return None
