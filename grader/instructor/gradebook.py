"""The class's outputs built from the per-student reports: gradebook.csv and report.html.

Both are a pure function of the set of reports in a folder (DIR/*.json written by `batch`),
so that a batch rebuilt after a restart, and shards merged with `merge`, write byte for byte
what one uninterrupted, unsharded batch writes.
"""

import csv
import io
import json
import os

from .. import safe_text
from ..errors import UsageError
from ..reports import formats
from ..reports.html import render_class_report

GRADEBOOK = "gradebook.csv"
REPORT_HTML = "report.html"
TITLE = "Class report"


def is_batch_report(data):
    return (isinstance(data, dict) and "schema_version" in data and "batch" in data
            and isinstance(data.get("submission"), str))


def report_path(out_dir, name):
    return os.path.join(out_dir, f"{name}.json")


def read_report(path):
    """The batch report at `path`, or None when it is missing, unreadable or not one of ours."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if is_batch_report(data) else None


def read_reports(out_dir):
    """{name: report} of every batch report in `out_dir`."""
    found = {}
    for entry in sorted(os.listdir(out_dir)):
        if entry.endswith(".json") and not entry.startswith("."):
            data = read_report(os.path.join(out_dir, entry))
            if data is not None and f"{data['submission']}.json" == entry:
                found[data["submission"]] = data
    return found


def status_of(report):
    return str(report.get("batch_status") or "graded")


# What the class report (reports/html.py) flags in a graded row, named as it names them.
SHOWN_PROBLEMS = {"import_error": "import error", "crashed": "crashed", "timeout": "timeout",
                  "forbidden": "forbidden"}


def status_cell(report):
    """The gradebook's status: `graded`, with the problems the class report flags in that row
    (`graded (import error, timeout)`), else `empty` or `error: ...`."""
    status = status_of(report)
    if status != "graded":
        return status
    found = set()
    for ex in report.get("exercises") or []:
        if ex.get("status") == "import_error":
            found.add("import_error")
        found.update(t.get("status") for t in ex.get("tests") or [] if t.get("status") in SHOWN_PROBLEMS)
    shown = [SHOWN_PROBLEMS[name] for name in SHOWN_PROBLEMS if name in found]
    return f"graded ({', '.join(shown)})" if shown else "graded"


def exercise_columns(reports):
    """Exercise names in curriculum order: as the reports list them, first come first."""
    names = []
    for report in reports:
        for ex in report.get("exercises", []):
            if ex.get("name") not in names:
                names.append(ex["name"])
    return names


def number(value):
    return f"{float(value):g}"


def cell(text):
    """A student's folder name or an error message is untrusted: no line break inside a cell
    (a row stays a row), no formula a spreadsheet would run (CSV injection)."""
    return safe_text.csv_cell(str(text))


def gradebook_csv(reports):
    """One row per submission, sorted by name: name, each exercise's score, total, max,
    percentage, status. An `empty` submission earns 0 out of the class's max; an `error`
    row leaves the numbers blank (nothing was graded) and says why in its status."""
    reports = sorted(reports, key=lambda r: r["submission"])
    columns = exercise_columns([r for r in reports if status_of(r) == "graded"] + reports)
    maxima = [r["max_score"] for r in reports if status_of(r) == "graded"]
    class_max = max(maxima) if maxima else ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", *columns, "total", "max", "percentage", "status"])
    for r in reports:
        status = status_of(r)
        if status == "graded":
            scores = {ex["name"]: number(ex["score"]) for ex in r.get("exercises", [])}
            row = [scores.get(c, "") for c in columns]
            row += [number(r["score"]), number(r["max_score"]), number(r["percentage"])]
        elif status == "empty":
            row = ["0"] * len(columns) + ["0", number(class_max) if maxima else "", "0"]
        else:
            row = [""] * (len(columns) + 3)
        writer.writerow([cell(r["submission"]), *row, cell(" ".join(status_cell(r).split()))])
    return out.getvalue()


def class_html(reports):
    return render_class_report(sorted(reports, key=lambda r: r["submission"]), title=TITLE)


def write_class_outputs(out_dir, reports):
    """Write DIR/gradebook.csv and DIR/report.html from `reports`; returns their paths."""
    reports = list(reports)
    paths = os.path.join(out_dir, GRADEBOOK), os.path.join(out_dir, REPORT_HTML)
    formats.write_atomic(paths[0], gradebook_csv(reports))
    formats.write_atomic(paths[1], class_html(reports))
    return paths


def merge(dirs, out_dir, course=None, root=None):
    """Combine the outputs of shards (or any batch folders) into `out_dir`: every report,
    then one gradebook and one HTML report over all of them. Returns the reports.
    With `course`, a report holding an exercise the course does not have is refused.
    With `root` (the class's submissions), a folder that does not exist is a shard that never
    started: its students are missing (see `missing_students`), not a reason to merge nothing."""
    found, where = {}, {}
    for folder in dirs:
        if root is not None and not os.path.lexists(folder):
            continue
        if not os.path.isdir(folder):
            raise UsageError(f"{folder!r} is not a folder of batch results")
        for name, report in read_reports(folder).items():
            if name in found and found[name].get("batch", {}).get("hash") != report["batch"].get("hash"):
                raise UsageError(f"{name!r} was graded differently in {where[name]} and in {folder}; "
                                 "merge the shards of one batch only")
            found.setdefault(name, report)
            where.setdefault(name, folder)
    if course is not None:
        known = {ex.name for ex in course.exercises}
        for name, report in sorted(found.items()):
            strange = [ex.get("name") for ex in report.get("exercises", []) if ex.get("name") not in known]
            if strange:
                raise UsageError(f"{where[name]}: {name}.json grades {strange[0]!r}, "
                                 f"which the course at {course.root} does not have")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"--out {out_dir!r} is a file; give a folder")
    os.makedirs(out_dir, exist_ok=True)
    for name, report in sorted(found.items()):
        target = report_path(out_dir, name)
        source = report_path(where[name], name)
        if os.path.abspath(source) != os.path.abspath(target):
            formats.write_atomic(target, formats.to_json(report))
    write_class_outputs(out_dir, found.values())
    return [found[name] for name in sorted(found)]


def missing_students(root, reports, folders=()):
    """The names of the submissions under `root` that none of `reports` grades, sorted: what a
    merge of shards that did not all finish lacks. `folders` (the shards and the merge's output,
    should they lie in `root`) are not submissions."""
    from .submissions import discover
    graded = {r["submission"] for r in reports}
    skip = {os.path.realpath(f) for f in folders}
    return [sub.name for sub in discover(root) if sub.name not in graded
            and os.path.realpath(sub.path) not in skip]
