"""The human summary printed on stderr."""

import os

from .. import safe_text


def display_path(path):
    """`path` relative to the current folder when it is below it, else as it is; for showing
    on one line (a folder named with a line break or bytes that are not UTF-8 shows escapes)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = ".."
    return safe_text.clean_name(path if rel.startswith("..") else rel, limit=1000)


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
    graded = report.get("submission_path") or report["submission"]
    lines.insert(0, f"graded: {display_path(graded)}")
    lines.append(f"sandbox: {env.get('sandbox')}; {report['duration_s']:g} s")
    return safe_text.console("\n".join(lines) + "\n")


def failed_tasks(exercise, visible_only=False):
    """The tasks of `exercise` with a test that ran and did not pass, in order, once each."""
    out = []
    for t in exercise["tests"]:
        if t["status"] in ("passed", "skipped") or (visible_only and t["visibility"] != "visible"):
            continue
        if t["task"] not in out:
            out.append(t["task"])
    return out


def markdown_table(report, failed_tasks_of="all"):
    """The score table in Markdown (GitHub's step summary, Gradescope's output): one row per
    exercise with the tasks to fix (of a partial exercise: the status of the others says it all),
    then the total. `failed_tasks_of`: "all", "visible" (name only tasks whose failing test
    students may see) or "none"."""
    def cell(text):
        return str(text).replace("|", "\\|").replace("\n", " ")

    pct = report["percentage"]
    lines = [f"### Score: {report['score']:g}/{report['max_score']:g} ({pct:g}%)", ""]
    header = ["Exercise", "Score", "Status"] + (["Tasks to fix"] if failed_tasks_of != "none" else [])
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| " + " | ".join("---" for _ in header) + " |")
    for ex in report["exercises"]:
        score = f"{ex['score']:g}/{ex['max_score']:g}"
        if ex["skipped_score"]:
            score += f" (+{ex['skipped_score']:g} skipped)"
        row = [f"{ex['title']} (`{ex['name']}`)", score, ex["status"]]
        if failed_tasks_of != "none":
            tasks = failed_tasks(ex, visible_only=failed_tasks_of == "visible") \
                if ex["status"] == "partial" else []
            row.append(", ".join(f"`{t}`" for t in tasks))
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    total = ["**Total**", f"**{report['score']:g}/{report['max_score']:g}**", f"{pct:g}%"]
    lines.append("| " + " | ".join(total + [""] * (len(header) - 3)) + " |")
    if report.get("skipped_score"):
        points = report["skipped_score"]
        lines += ["", f"{points:g} point{'' if points == 1 else 's'} of GPU tests skipped: "
                      "the grading machine has no CUDA device."]
    return "\n".join(lines) + "\n"


def visible_summary(report):
    """The score table of the visible tests only, in Markdown, for what a student sees at once
    (Gradescope's top-level output): per exercise the points of its visible tests, a status
    and the tasks to fix from those tests alone, then one line on what the hidden tests hold
    and when their results appear. Nothing in it depends on a hidden test's verdict."""
    def cell(text):
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = []
    rows, score, max_score, hidden_tests, hidden_points = [], 0.0, 0.0, 0, 0.0
    for ex in report["exercises"]:
        ran = [t for t in ex["tests"] if t["status"] != "skipped"]
        shown = [t for t in ran if t["visibility"] == "visible"]
        hidden_tests += len(ran) - len(shown)
        hidden_points += sum(t["max_score"] for t in ran if t["visibility"] != "visible")
        if not shown:
            continue
        got, most = sum(t["score"] for t in shown), sum(t["max_score"] for t in shown)
        score, max_score = score + got, max_score + most
        if ex["status"] in ("missing", "import_error"):
            status = ex["status"]  # the module itself, not a test's verdict
        elif all(t["status"] == "passed" for t in shown):
            status = "passed"
        elif all(t["status"] == "not_implemented" for t in shown):
            status = "not_started"
        else:
            status = "failing"
        rows.append([f"{ex['title']} (`{ex['name']}`)", f"{got:g}/{most:g}", status,
                     ", ".join(f"`{t}`" for t in failed_tasks({"tests": shown}))])
    lines += [f"### Visible tests: {score:g}/{max_score:g}", "",
              "| Exercise | Visible tests | Status | Tasks to fix |", "| --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    if hidden_tests:
        lines += ["", f"{hidden_tests} hidden test{'' if hidden_tests == 1 else 's'} "
                      f"({hidden_points:g} point{'' if hidden_points == 1 else 's'}) also graded this "
                      "submission: their results appear below, test by test, once the grades are published."]
    if report.get("skipped_score"):
        points = report["skipped_score"]
        lines += ["", f"{points:g} point{'' if points == 1 else 's'} of GPU tests skipped: "
                      "the grading machine has no CUDA device."]
    return "\n".join(lines) + "\n"
