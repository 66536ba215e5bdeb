"""The report in its formats (native JSON, Gradescope, JUnit XML, GitHub Classroom), and writing it
atomically."""

import json
import os
import stat
import tempfile

from .. import safe_text
from .table import visible_summary


def to_json(report):
    return safe_text.json_dumps(report, indent=2) + "\n"


# Gradescope shows a test's output to the student as soon as the test is visible: a hidden test
# (ours) shows once grades are published, a visible one at once.
GRADESCOPE_VISIBILITY = {"visible": "visible", "hidden": "after_published"}


def gradescope_results(report):
    """Gradescope's results.json as a dict (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

    One entry per test: name, number ("exercise.test"), score, max_score, status, output,
    visibility, tags (the task). A test skipped for want of hardware has no score and says why.
    The top-level output, which students see at once, is built from the visible tests alone
    (`table.visible_summary`): a hidden test's verdict shows with that test, once published."""
    report = safe_text.clean_tree(report)
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
        "output": visible_summary(report),
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
    return safe_text.json_dumps(gradescope_results(report), indent=2) + "\n"


# The reporter receives the result as one environment variable, base64 of the JSON: Linux caps one
# variable at 128 KiB (MAX_ARG_STRLEN) and GitHub a step's outputs at 1 MB. 64 KiB of JSON is
# 87 KiB of base64, well inside both.
CLASSROOM_MAX_BYTES = 64 * 1024
CLASSROOM_TRIMMED = " [... trimmed to fit GitHub Classroom; the grade step's log has the rest]"
CLASSROOM_MIN_MESSAGE = 120


def classroom_result(report, max_bytes=CLASSROOM_MAX_BYTES):
    """The result of a GitHub Classroom runner, as `autograding-grading-reporter` reads it.

    The reporter decodes `<RUNNER>_RESULTS` (base64 of this JSON), fails the job when `status` is
    `fail` or `error`, sends the sum of the tests' `score` out of `max_score` to the classroom, and
    counts a test as passed when its `status` is `pass`. Tests skipped for want of hardware are left
    out: the reporter knows no skipped status and would count them as failed. A report that says
    the grader could not grade (a top-level `error`) becomes 0 of the course's maximum.
    Messages are trimmed, never scores, so that the JSON stays within `max_bytes`."""
    if report.get("error") or report.get("status") == "error":
        return classroom_failure(str(report.get("error") or "the grader could not grade"),
                                 report.get("max_score") or 0)
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
                # The reporter prints messages in the job's log: no student line may be a
                # workflow command there.
                "message": "" if passed else safe_text.console(f"[{t['status']}] {t['message']}".strip()),
                "line_no": 0,
                "execution_time": f"{t['duration_s']:.2f}s",
            })
    ran = [t for ex in report["exercises"] for t in ex["tests"] if t["status"] != "skipped"]
    return fit_classroom({
        "version": 1,
        "status": "pass" if ran and all(t["status"] == "passed" for t in ran) else "fail",
        "max_score": report["max_score"],
        "tests": tests,
    }, max_bytes)


def classroom_size(result):
    """Bytes of the JSON the reporter decodes (as `--github-output` encodes it)."""
    return len(json.dumps(result).encode())


def fit_classroom(result, max_bytes=CLASSROOM_MAX_BYTES):
    """Trim the tests' messages (what the code printed travels in them), longest first, until the
    result fits in `max_bytes`; names are cut last. Scores, statuses and the number of tests are
    never touched. A trimmed result says so in each trimmed message and in `trimmed: true`."""
    if max_bytes is None or classroom_size(result) <= max_bytes:
        return result
    tests = result["tests"]
    result["trimmed"] = True

    def cut(text, limit):
        return text if len(text) <= limit else text[:max(limit, 0)] + CLASSROOM_TRIMMED

    # Shrink the longest messages to a common length, halving it until the result fits.
    limit = max((len(t["message"]) for t in tests), default=0)
    originals = [t["message"] for t in tests]
    while classroom_size(result) > max_bytes and limit > CLASSROOM_MIN_MESSAGE:
        limit //= 2
        for t, text in zip(tests, originals):
            t["message"] = cut(text, limit)
    for field, floor in (("message", 0), ("name", 80)):  # hundreds of tests: keep the counts
        if classroom_size(result) > max_bytes:
            for t in tests:
                if len(t[field]) > floor:
                    t[field] = t[field][:floor] + ("..." if field == "name" else CLASSROOM_TRIMMED.strip())
    if classroom_size(result) > max_bytes:
        for t in tests:
            t["message"] = ""
    return result


def classroom_failure(message, max_score=0):
    """A runner result that makes the reporter fail the job with the grader's reason and record 0
    out of `max_score`, the course's maximum (0 of 0 would record nothing)."""
    return fit_classroom({
        "version": 1, "status": "error", "max_score": max_score or 0,
        "tests": [{"name": "grader", "status": "error", "score": 0, "max_score": max_score or 0,
                   "message": message, "line_no": 0, "execution_time": "0s"}]})


def to_classroom(report):
    return safe_text.json_dumps(classroom_result(report), indent=2) + "\n"


def classroom_log(report):
    """What the Classroom workflow's grade step prints after the score table: each test that did not
    pass with its whole reason (the reporter gets them trimmed to fit), then the total. Student
    text is fenced off from GitHub's workflow commands (`::name::` lines)."""
    import secrets
    if report.get("error") or report.get("status") == "error":
        return f"The grader could not grade this submission: {report.get('error')}\n"
    result = classroom_result(report, max_bytes=None)
    failing = [t for t in result["tests"] if t["status"] != "pass"]
    score = sum(t["score"] for t in result["tests"])
    lines = []
    if failing:
        token = secrets.token_hex(8)
        lines.append(f"::stop-commands::{token}")
        for t in failing:
            lines.append(f"✗ {t['name']}: {t['score']:g} of {t['max_score']:g} points")
            lines += ["    " + line for line in t["message"].splitlines()]
        lines.append(f"::{token}::")
    lines.append(f"{len(result['tests']) - len(failing)} of {len(result['tests'])} tests passed; "
                 f"{score:g} of {result['max_score']:g} points")
    return "\n".join(lines) + "\n"


JUNIT_FAILURE = ("failed", "forbidden", "not_implemented")
JUNIT_ERROR = ("error", "timeout", "crashed")


def junit_time(seconds):
    """Seconds as the schema's SUREFIRE_TIME wants them: digits, a point, three decimals."""
    return f"{max(float(seconds or 0.0), 0.0):.3f}"


def junit_points(t):
    """A test's points, one `key=value` a line: the testcase's system-out (junit-10.xsd allows
    no properties inside a testcase)."""
    return "\n".join(f"{k}={v}" for k, v in (("task", t["task"]), ("score", f"{t['score']:g}"),
                                               ("max_score", f"{t['max_score']:g}"),
                                               ("visibility", t["visibility"]), ("status", t["status"])))


def to_junit(report):
    """JUnit XML valid against Jenkins' xunit junit-10.xsd: a testsuite per exercise (its points
    as properties), a testcase per test (its points in system-out), counts on the root.

    Every text a student controls goes through safe_text.xml_text / xml_attr: characters XML
    forbids never reach the file, and no raw line of it starts a workflow command."""
    every = [t for ex in report["exercises"] for t in ex["tests"]]

    def counts(tests):
        return (f'tests="{len(tests)}" failures="{sum(t["status"] in JUNIT_FAILURE for t in tests)}" '
                f'errors="{sum(t["status"] in JUNIT_ERROR for t in tests)}"')

    def attr(value):
        return '"' + safe_text.xml_attr(str(value)) + '"'

    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<testsuites name="grader" {counts(every)} time="{junit_time(report["duration_s"])}">']
    for ex in report["exercises"]:
        tests = ex["tests"]
        skipped = sum(t["status"] == "skipped" for t in tests)
        time = junit_time(sum(t["duration_s"] for t in tests))
        out.append(f'  <testsuite name={attr(ex["name"])} {counts(tests)} skipped="{skipped}" time="{time}">')
        out.append("    <properties>")
        out += [f"      <property name={attr(k)} value={attr(v)}/>"
                for k, v in (("score", f"{ex['score']:g}"), ("max_score", f"{ex['max_score']:g}"),
                             ("skipped_score", f"{ex['skipped_score']:g}"), ("status", ex["status"]))]
        out.append("    </properties>")
        for t in tests:
            status, message = t["status"], t["message"]
            out.append(f'    <testcase classname={attr(ex["name"])} '
                       f'name={attr(t["id"].split("::")[-1])} time="{junit_time(t["duration_s"])}">')
            if status != "passed":
                tag = "skipped" if status == "skipped" else "error" if status in JUNIT_ERROR else "failure"
                out.append(f'      <{tag} type={attr(status)} message={attr(message[:200])}>'
                           f"{safe_text.xml_text(message)}</{tag}>")
            out.append(f"      <system-out>{safe_text.xml_text(junit_points(t))}</system-out>")
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
        f'      <error type="grader_error" message="{safe_text.xml_attr(text[:200])}">'
        f'{safe_text.xml_text(text)}</error>',
        "    </testcase>", "  </testsuite>", "</testsuites>"]) + "\n"


FAILURE_FORMATS = {
    "json": to_json,
    "gradescope": lambda r, _: safe_text.json_dumps(gradescope_failure(r["error"]), indent=2) + "\n",
    "junit": lambda r, _: junit_failure(r["error"]),
    "classroom": lambda r, max_score: safe_text.json_dumps(classroom_failure(
        f"The autograder could not grade this submission: {r['error']}", max_score), indent=2) + "\n",
}


def render(report, fmt, max_score=0):
    """The report in `fmt`. For the grader's own failure, `max_score` is what the Classroom
    result records the 0 out of (the course's maximum: 0 of 0 would record nothing)."""
    report = safe_text.clean_tree(report)
    if report.get("status") == "error":
        if fmt == "json":
            return to_json(report)
        return FAILURE_FORMATS[fmt](report, max_score)
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
