"""The human summary printed on stderr."""

import os


def display_path(path):
    """`path` relative to the current folder when it is below it, else as it is."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


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
    return "\n".join(lines) + "\n"
