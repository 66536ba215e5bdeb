"""The class report: one self-contained HTML page over every student's JSON report.

`render_class_report` takes the per-student reports of docs/report.md (each may carry an extra
"batch_status": "graded", "empty" or "error: ...") and returns the page as a string. The page needs
nothing outside itself: no network, no stylesheet or script file; the charts are inline SVG drawn
here and the only script is a few lines that sort the students' table. Every piece of text that
comes from a report (student names, titles, messages) is untrusted and goes through `esc`.

The building blocks are plain functions, each testable alone: `class_stats` (the numbers),
`normalize_message` / `group_failures` (which mistake the class makes), `svg_histogram` and
`svg_bar_chart` (the charts), and one `_section_*` function per part of the page.
"""

import html
import math
import re
import statistics
import urllib.parse

PROBLEM_STATUSES = ("crashed", "timeout", "forbidden")
NOT_RUN = "skipped"

# Bar colours by pass rate, and the histogram's colour; chosen to stay readable in greyscale print.
GOOD, FAIR, POOR, NEUTRAL = "#2e9e5b", "#e0a526", "#d64545", "#3b6fb6"
INK, MUTED, GRID = "#1f2933", "#616e7c", "#d9dee5"


def esc(text) -> str:
    """Escape any value for HTML text and for a double- or single-quoted attribute."""
    return html.escape("" if text is None else str(text), quote=True)


def default_details_href(name: str) -> str:
    """Where a student's JSON report lies next to report.html: NAME.json, the name URL-quoted."""
    return urllib.parse.quote(name, safe="") + ".json"


_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")


def safe_href(href: str) -> str:
    """A link that cannot run script: a scheme other than http(s)/file becomes a relative path."""
    m = _SCHEME.match(href)
    if m and m.group(1).lower() not in ("http", "https", "file"):
        return "./" + href
    return href


# ------------------------------------------------------------------------------------- the numbers
def batch_status(report: dict) -> str:
    return str(report.get("batch_status") or "graded")


def is_graded(report: dict) -> bool:
    """Whether the report carries grades; a batch error means the grader could not produce them."""
    return not batch_status(report).startswith("error")


def _num(value, default=0.0) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) else default


def student_name(report: dict, index: int) -> str:
    name = report.get("submission")
    return str(name) if name not in (None, "") else f"submission {index + 1}"


def exercise_order(reports: list[dict]) -> list[tuple[str, str]]:
    """(name, title) of every exercise met, in the order the reports list them."""
    seen: dict[str, str] = {}
    for r in reports:
        for ex in r.get("exercises") or []:
            seen.setdefault(str(ex.get("name")), str(ex.get("title") or ex.get("name")))
    return list(seen.items())


def task_order(reports: list[dict]) -> list[tuple[str, str]]:
    """(exercise, task) pairs in curriculum order, as the tests list them."""
    seen: dict[tuple[str, str], None] = {}
    for r in reports:
        for ex in r.get("exercises") or []:
            for t in ex.get("tests") or []:
                seen.setdefault((str(ex.get("name")), str(t.get("task"))), None)
    return list(seen)


def histogram_counts(percentages: list[float], bins: int = 10) -> list[int]:
    """Counts per equal bin over 0..100; the last bin holds 100 itself."""
    counts = [0] * bins
    for p in percentages:
        p = min(max(_num(p), 0.0), 100.0)
        counts[min(int(p * bins / 100.0), bins - 1)] += 1
    return counts


def task_passed(exercise: dict, task: str):
    """True/False whether a student passed every test of the task that ran; None when none ran."""
    tests = [t for t in exercise.get("tests") or [] if str(t.get("task")) == task]
    ran = [t for t in tests if t.get("status") != NOT_RUN]
    if tests and not ran:
        return None
    return bool(ran) and all(t.get("status") == "passed" for t in ran)


def task_tried(exercise: dict, task: str) -> bool:
    """Whether the student worked on the task: a test of it that ran did more than hit the stub's
    NotImplementedError. A module that does not import was tried; a missing one was not."""
    ran = [t for t in exercise.get("tests") or [] if str(t.get("task")) == task
           and t.get("status") != NOT_RUN]
    if not ran:
        return exercise.get("status") == "import_error"
    return any(t.get("status") != "not_implemented" for t in ran)


def not_started(report: dict) -> bool:
    """A graded submission whose every exercise is still the stub (every test `not_implemented`) or
    missing: handed in untouched. (One with none of the modules is the batch's `empty`.)"""
    exercises = report.get("exercises") or []
    return (batch_status(report) == "graded" and
            any(ex.get("status") == "not_started" for ex in exercises) and
            all(ex.get("status") in ("not_started", "missing") for ex in exercises))


def task_outcomes(graded, ex_name, task):
    """(index, exercise entry, passed, tried) for each graded report in which `task` ran."""
    for i, r in enumerate(graded):
        ex = _find_exercise(r, ex_name)
        if ex is None:
            continue
        ok = task_passed(ex, task)
        if ok is not None:
            yield i, ex, ok, ok or task_tried(ex, task)


def class_stats(reports: list[dict]) -> dict:
    """Histogram counts, and per exercise and per task: passed, out of, and the rate (None: n/a).

    A task's `rate` is over the students who tried it (`tried`: a test did more than hit the stub),
    so that untouched submissions do not make every task look equally hard; `not_started` counts the
    others. An exercise's `rate` stays over every student it ran for."""
    graded = [r for r in reports if is_graded(r)]
    percentages = [_num(r.get("percentage")) for r in graded]
    exercises = {}
    for name, title in exercise_order(graded):
        passed = total = idle = 0
        fractions = []
        for r in graded:
            ex = _find_exercise(r, name)
            if ex is None:
                continue
            total += 1
            passed += ex.get("status") == "complete"
            idle += ex.get("status") in ("not_started", "missing")
            mx = _num(ex.get("max_score"))
            if mx > 0:
                fractions.append(_num(ex.get("score")) / mx)
        exercises[name] = {
            "title": title, "passed": passed, "total": total, "not_started": idle,
            "rate": passed / total if total else None,
            "mean_score": 100.0 * statistics.fmean(fractions) if fractions else None,
        }
    tasks = {}
    for ex_name, task in task_order(graded):
        outcomes = [(ok, tried) for _, _, ok, tried in task_outcomes(graded, ex_name, task)]
        passed, total = sum(ok for ok, _ in outcomes), len(outcomes)
        tried = sum(t for _, t in outcomes)
        tasks[(ex_name, task)] = {"passed": passed, "total": total, "tried": tried,
                                  "not_started": total - tried,
                                  "rate": passed / tried if tried else None}
    return {
        "students": len(reports),
        "graded": len(graded),
        "not_started": sum(not_started(r) for r in graded),
        "percentages": percentages,
        "histogram": histogram_counts(percentages),
        "mean": statistics.fmean(percentages) if percentages else None,
        "median": statistics.median(percentages) if percentages else None,
        "exercises": exercises,
        "tasks": tasks,
    }


def _find_exercise(report: dict, name: str):
    for ex in report.get("exercises") or []:
        if str(ex.get("name")) == name:
            return ex
    return None


# ------------------------------------------------------------------- which mistake the class makes
_TRACE_LINE = re.compile(r"^\s+(File \"|\^|~)|^Traceback ")
_NP_SCALAR = re.compile(r"\bnp\.(?:float|int|uint|bool|complex)\w*\(\s*([^()]*?)\s*\)")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])")
_SEQUENCE = re.compile(r"\((?:\s*(?:#|-?inf|nan|True|False)\s*,)+\s*(?:(?:#|-?inf|nan|True|False)\s*)?\)"
                       r"|\((?:#)\)"
                       r"|\[(?:\s*(?:#|-?inf|nan|True|False)\s*,?)+\s*\]")


def first_line(message) -> str:
    """The message's headline: its first line that is not traceback furniture."""
    for line in str(message or "").splitlines():
        if line.strip() and not _TRACE_LINE.match(line):
            return line.strip()
    return ""


def normalize_message(message) -> str:
    """The message with its particulars blanked, so that variants of one mistake compare equal.

    Numbers become '#', NumPy scalars (np.float64(0.25)) their number, addresses '0x…', and any
    tuple or list made only of numbers (a shape, an index, some values) '(…)' or '[…]'. Only the
    headline counts: tracebacks differ by line numbers and say nothing more about the mistake.
    """
    text = first_line(message)
    text = _HEX.sub("0x…", text)
    text = _NP_SCALAR.sub(r"\1", text)
    text = _NUMBER.sub("#", text)
    text = _SEQUENCE.sub(lambda m: "(…)" if m.group(0).startswith("(") else "[…]", text)
    return re.sub(r"\s+", " ", text).strip()


def group_failures(reports: list[dict], top_tasks: int = 10, per_task: int = 5) -> list[dict]:
    """The tasks the class finds hardest, each with its failure messages grouped and counted.

    Only students who tried a task count for it (`task_tried`): a stub's NotImplementedError is no
    failure. Returns, the lowest pass rate among those who tried first (then the most failing):
    {"exercise", "task", "failing", "tried", "not_started", "total", "groups": [{"status", "pattern",
    "example", "students", "tests"}, ...], "other_groups": n}. `students` counts distinct students,
    `tests` the failing tests; groups are sorted by students, then tests.
    """
    graded = [r for r in reports if is_graded(r)]
    result = []
    for ex_name, task in task_order(graded):
        failing = total = tried = 0
        groups: dict[tuple[str, str], dict] = {}
        for i, ex, ok, worked in task_outcomes(graded, ex_name, task):
            total += 1
            tried += worked
            if ok or not worked:
                continue
            failing += 1
            bad = [t for t in ex.get("tests") or [] if str(t.get("task")) == task
                   and t.get("status") not in ("passed", NOT_RUN)]
            if not bad:  # the exercise ran none of this task's tests (a missing file, say)
                bad = [{"status": ex.get("status") or "missing", "message": ex.get("message") or ""}]
            for t in bad:
                status = str(t.get("status"))
                key = (status, normalize_message(t.get("message")))
                g = groups.setdefault(key, {"status": status, "pattern": key[1],
                                            "example": first_line(t.get("message")),
                                            "students": set(), "tests": 0})
                g["students"].add(i)
                g["tests"] += 1
        if failing:
            ordered = sorted(groups.values(), key=lambda g: (-len(g["students"]), -g["tests"],
                                                             g["pattern"]))
            for g in ordered:
                g["students"] = len(g["students"])
            result.append({"exercise": ex_name, "task": task, "failing": failing, "tried": tried,
                           "not_started": total - tried, "total": total,
                           "groups": ordered[:per_task],
                           "other_groups": max(0, len(ordered) - per_task)})
    result.sort(key=lambda t: (-t["failing"] / t["tried"], -t["failing"]))
    return result[:top_tasks]


def problem_rows(reports: list[dict]) -> list[dict]:
    """Every crash, timeout, forbidden call, import error, batch failure and untouched submission
    (`not_started`), one row each.

    The tests of one task with the same status are one row: their count and the first message.
    """
    rows = []
    for i, r in enumerate(reports):
        name = student_name(r, i)
        status = batch_status(r)
        if status != "graded":
            rows.append({"student": name, "index": i, "where": "(whole submission)",
                         "status": status.split(":", 1)[0].strip(),
                         "message": status.split(":", 1)[1].strip() if ":" in status else
                         ("nothing to grade" if status == "empty" else ""), "count": 1})
        elif not_started(r):
            rows.append({"student": name, "index": i, "where": "(whole submission)",
                         "status": "not_started", "count": 1,
                         "message": "every test not implemented: the stubs handed in untouched"})
        for ex in r.get("exercises") or []:
            ex_name = str(ex.get("name"))
            if ex.get("status") == "import_error":
                rows.append({"student": name, "index": i, "where": ex_name,
                             "status": "import_error", "message": first_line(ex.get("message")),
                             "count": 1})
                continue
            merged: dict[tuple, dict] = {}
            for t in ex.get("tests") or []:
                if t.get("status") not in PROBLEM_STATUSES:
                    continue
                key = (t.get("task"), t.get("status"))
                if key in merged:
                    merged[key]["count"] += 1
                else:
                    merged[key] = {"student": name, "index": i,
                                   "where": f"{ex_name} › {t.get('task')}",
                                   "status": str(t.get("status")),
                                   "message": first_line(t.get("message")), "count": 1}
            rows.extend(merged.values())
    return rows


# ------------------------------------------------------------------------------------- the charts
def _rate_colour(rate) -> str:
    if rate is None:
        return GRID
    return GOOD if rate >= 0.8 else FAIR if rate >= 0.5 else POOR


def svg_histogram(counts: list[int], title: str = "Students per score band") -> str:
    """A column chart of counts over equal bands of 0..100 %, each column labelled with its count."""
    bins = len(counts)
    width, height = 1000, 280
    left, right, top, bottom = 48, 16, 20, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts) if counts and max(counts) > 0 else 1
    step = _nice_step(peak)
    y_max = step * math.ceil(peak / step)
    col = plot_w / bins if bins else plot_w
    parts = [f'<svg class="chart histogram" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'aria-label="{esc(title)}"><title>{esc(title)}</title>']
    for k in range(0, int(y_max / step) + 1):
        y = top + plot_h - plot_h * (k * step) / y_max
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
                     f'{k * step}</text>')
    for b, n in enumerate(counts):
        x = left + b * col
        h = plot_h * n / y_max
        lo, hi = round(100 * b / bins), round(100 * (b + 1) / bins)
        label = f"{lo}–{hi} %: {n} student{'s' if n != 1 else ''}"
        parts.append(f'<rect class="bin" data-count="{n}" x="{x + 3:.1f}" y="{top + plot_h - h:.1f}" '
                     f'width="{col - 6:.1f}" height="{h:.1f}" fill="{NEUTRAL}" rx="2">'
                     f'<title>{esc(label)}</title></rect>')
        if n:
            parts.append(f'<text x="{x + col / 2:.1f}" y="{top + plot_h - h - 5:.1f}" '
                         f'text-anchor="middle" class="value">{n}</text>')
        parts.append(f'<text x="{x + col / 2:.1f}" y="{top + plot_h + 18:.1f}" text-anchor="middle" '
                     f'class="tick">{lo}–{hi}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
                 f'stroke="{MUTED}" stroke-width="1"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                 f'class="axis">score (% of the points that ran)</text>')
    parts.append(f'<text transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" '
                 f'text-anchor="middle" class="axis">students</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if peak / step <= 6:
            return step
    return 10 ** math.ceil(math.log10(peak))


def svg_bar_chart(rows: list[dict], title: str, label_width: int = 330, width: int = 1000,
                  note_width: int = 270) -> str:
    """Horizontal bars of rates (0..1). Each row: {"label", "rate" (None: n/a), "note"}.

    A row with "heading": True is a group title across the chart, with no bar.
    """
    row_h, top = 24, 24
    bar_w = width - label_width - note_width
    height = top + row_h * len(rows) + 8
    x0 = label_width
    parts = [f'<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'aria-label="{esc(title)}"><title>{esc(title)}</title>']
    for pct in (0, 25, 50, 75, 100):
        x = x0 + bar_w * pct / 100
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" y2="{height - 6}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" class="tick">'
                     f'{pct} %</text>')
    for k, row in enumerate(rows):
        y = top + k * row_h
        mid = y + row_h / 2 + 4
        if row.get("heading"):
            parts.append(f'<text x="4" y="{mid:.1f}" class="group">{esc(row["label"])}</text>')
            continue
        label = _clip(str(row["label"]), max(8, label_width // 7))
        parts.append(f'<text x="{x0 - 10}" y="{mid:.1f}" text-anchor="end" class="label">'
                     f'{esc(label)}<title>{esc(row["label"])}</title></text>')
        rate = row.get("rate")
        parts.append(f'<rect x="{x0}" y="{y + 4}" width="{bar_w}" height="{row_h - 8}" '
                     f'fill="#f1f3f6" rx="2"/>')
        if rate is not None:
            w = bar_w * min(max(rate, 0.0), 1.0)
            parts.append(f'<rect class="bar" data-rate="{rate:.4f}" x="{x0}" y="{y + 4}" '
                         f'width="{w:.1f}" height="{row_h - 8}" fill="{_rate_colour(rate)}" rx="2">'
                         f'<title>{esc(row["label"])}: {esc(row.get("note", ""))}</title></rect>')
        text = f"{round(100 * rate)} %" if rate is not None else "n/a"
        parts.append(f'<text x="{x0 + bar_w + 10}" y="{mid:.1f}" class="value">{esc(text)}'
                     f'<tspan class="note" dx="8">{esc(row.get("note", ""))}</tspan></text>')
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


# ------------------------------------------------------------------------------------- the page
CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9dee5; --soft: #f5f7fa; --accent: #3b6fb6;
        --good: #2e9e5b; --fair: #b7791f; --poor: #c53030; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans",
       "Liberation Sans", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 6px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.lead, p.hint { color: var(--muted); margin: 4px 0 12px; }
nav.toc { margin: 10px 0 0; font-size: 13px; }
nav.toc a { margin-right: 14px; color: var(--accent); text-decoration: none; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 20px 0 4px; }
.card { flex: 1 1 140px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px;
        background: var(--soft); }
.card .k { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 24px; font-weight: 600; }
svg.chart { max-width: 100%; height: auto; display: block; }
.columns { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
.columns svg.chart { flex: 1 1 480px; max-width: 580px; }
svg.chart text { font-family: inherit; fill: var(--ink); }
svg.chart .tick { font-size: 12px; fill: var(--muted); }
svg.chart .axis { font-size: 12px; fill: var(--muted); }
svg.chart .value { font-size: 13px; font-weight: 600; }
svg.chart .note { font-size: 12px; font-weight: 400; fill: var(--muted); }
svg.chart .label { font-size: 13px; }
svg.chart .group { font-size: 13px; font-weight: 700; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
#students { font-size: 12.5px; }
#students th, #students td { padding: 5px 6px; }
#students th.ex { white-space: normal; vertical-align: bottom; }
#students th .max { display: block; font-weight: 400; color: var(--muted); font-size: 11px; }
#students td.status { min-width: 90px; }
#students td.status .badge { margin: 1px 0; }
#students td.name { white-space: nowrap; }
#students a.json { font-size: 11px; color: var(--muted); }
#problem-table td:nth-child(2) code { white-space: nowrap; }
#students tbody tr:hover { background: #f8fafc; }
.struggle table { table-layout: fixed; }
.struggle th.n { width: 76px; } .struggle th.st { width: 140px; }
.msg.pattern { color: var(--ink); }
.msg.example { color: var(--muted); margin-top: 2px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.tag { font-size: 11px; font-weight: 600; }
th button { all: unset; cursor: pointer; }
th button::after { content: "\\25B4"; color: transparent; font-size: 11px; margin-left: 2px; }
th button:hover::after { color: #9aa5b1; }
th[aria-sort=ascending] button::after { content: " \\25B2"; color: var(--ink); }
th[aria-sort=descending] button::after { content: " \\25BC"; color: var(--ink); }
.scroll { overflow-x: auto; }
code, .msg { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
.msg { white-space: pre-wrap; word-break: break-word; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; line-height: 19px;
         font-weight: 600; white-space: nowrap; background: #e4e7eb; color: var(--ink); }
.s-passed, .s-complete, .s-graded { background: #dcf2e4; color: #1c6b3c; }
.s-failed, .s-partial { background: #fdf0d5; color: #8a5a00; }
.s-error, .s-crashed, .s-timeout, .s-forbidden, .s-import_error { background: #fbe1e1; color: #9b1c1c; }
.s-not_implemented, .s-not_started, .s-missing, .s-empty, .s-skipped { background: #e4e7eb; color: #3e4c59; }
td.cell-bad { color: var(--poor); } td.cell-good { color: var(--good); }
.struggle { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 12px; margin: 12px 0; }
.struggle h3 .rate { color: var(--poor); font-weight: 600; margin-left: 8px; }
.struggle h3 .idle { color: var(--muted); font-weight: 400; margin-left: 8px; }
.struggle td.count { width: 90px; }
.empty { color: var(--muted); font-style: italic; }
details.student { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 0 12px; }
details.student > summary { cursor: pointer; padding: 7px 0; font-weight: 600; }
details.student[open] { padding-bottom: 10px; }
details.student:target { outline: 2px solid var(--accent); }
.ex-head { margin: 12px 0 4px; font-weight: 600; }
a { color: var(--accent); }
@media print {
  main { max-width: none; padding: 0; }
  body { font-size: 11px; }
  nav.toc, th button::after { display: none; }
  h2 { break-after: avoid; }
  section, .struggle, svg.chart, tr, details.student { break-inside: avoid; }
  details.student > summary { list-style: none; }
  table.tests tr.t-passed { display: none; }  /* on paper, only what went wrong */
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""

# Sorting the students' table; also opens every student's details before printing.
SCRIPT = """
(function () {
  var table = document.getElementById("students");
  if (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var numeric = th.dataset.type === "num", sign = dir === "ascending" ? 1 : -1;
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
          if (numeric) return sign * ((parseFloat(x) || 0) - (parseFloat(y) || 0));
          return sign * x.localeCompare(y);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    table.classList.add("sortable");
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.student").forEach(function (d) { d.open = true; });
  });
})();
"""


def _badge(status) -> str:
    status = str(status)
    css = re.sub(r"[^a-z_]", "", status.lower())
    return f'<span class="badge s-{css}">{esc(status.replace("_", " "))}</span>'


def _fmt(x) -> str:
    x = _num(x)
    return f"{x:g}" if x == int(x) else f"{x:.1f}"


def _pct(x) -> str:
    return "–" if x is None else f"{x:.1f} %"


def student_anchors(reports: list[dict]) -> list[str]:
    """An id for each student's details: student-NAME with only [A-Za-z0-9_.-], made unique."""
    seen, ids = set(), []
    for i, r in enumerate(reports):
        base = "student-" + (re.sub(r"[^A-Za-z0-9_.\-]", "_", student_name(r, i)) or str(i))
        anchor, n = base, 2
        while anchor in seen:
            anchor, n = f"{base}-{n}", n + 1
        seen.add(anchor)
        ids.append(anchor)
    return ids


def _section_summary(stats: dict, problems: list[dict]) -> str:
    cards = [("Students", str(stats["students"])), ("Median score", _pct(stats["median"])),
             ("Mean score", _pct(stats["mean"])), ("Problems", str(len(problems)))]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{esc(k)}</div><div class="v">{esc(v)}</div></div>'
        for k, v in cards) + "</div>"


def _section_distribution(stats: dict) -> str:
    if not stats["percentages"]:
        body = '<p class="empty">No graded submission yet.</p>'
    else:
        body = svg_histogram(stats["histogram"])
    return ('<section id="distribution"><h2>Score distribution</h2>'
            '<p class="lead">Students per band of 10 percentage points (100 % counts in the last '
            'band). Empty submissions count with their score; those the grader could not grade do '
            'not.</p>' + body + "</section>")


def _section_exercises(stats: dict) -> str:
    rows = []
    for name, e in stats["exercises"].items():
        note = f"{e['passed']}/{e['total']} complete"
        if e["mean_score"] is not None:
            note += f" · mean {e['mean_score']:.0f} %"
        if e.get("not_started"):
            note += f" · {e['not_started']} n.s."
        rows.append({"label": e["title"], "rate": e["rate"], "note": note})
    body = svg_bar_chart(rows, "Share of students who completed each exercise") if rows else \
        '<p class="empty">No exercise graded.</p>'
    return ('<section id="exercises"><h2>Pass rate by exercise</h2>'
            '<p class="lead">Share of students with every test of the exercise passed; <em>mean</em>: '
            'their mean score on it; <em>n.s.</em>: students who have not started it.</p>'
            + body + "</section>")


def _section_tasks(stats: dict) -> str:
    titles = {n: e["title"] for n, e in stats["exercises"].items()}
    groups: dict[str, list[dict]] = {}
    for (ex_name, task), t in stats["tasks"].items():
        groups.setdefault(ex_name, [{"label": titles.get(ex_name, ex_name), "heading": True}])
        note = "never ran" if not t["total"] else "not started" if not t["tried"] else \
            f"{t['passed']}/{t['tried']}" + (f" · {t['not_started']} n.s." if t["not_started"] else "")
        groups[ex_name].append({"label": task, "rate": t["rate"], "note": note})
    # Two columns, split between exercises where the halves are closest in height.
    blocks = list(groups.values())
    sizes = [len(b) for b in blocks]
    cut = min(range(len(blocks) + 1), key=lambda k: abs(sum(sizes[:k]) - sum(sizes[k:])))
    columns = [sum(blocks[:cut], []), sum(blocks[cut:], [])]
    charts = [svg_bar_chart(c, "Share of those who tried each task who passed it", label_width=180,
                            width=580, note_width=130) for c in columns if c]
    body = '<div class="columns">' + "".join(charts) + "</div>" if charts else \
        '<p class="empty">No task graded.</p>'
    return ('<section id="tasks"><h2>Pass rate by task</h2>'
            '<p class="lead">Of the students who tried the task (a test did more than reach the '
            'stub\'s NotImplementedError), the share who passed every test of it that ran; tests '
            'skipped for want of hardware do not count. <em>n.s.</em>: students who have not '
            'started the task.</p>' + body + "</section>")


def _section_struggles(reports: list[dict]) -> str:
    tasks = group_failures(reports)
    out = ['<section id="struggles"><h2>Where the class struggles</h2>'
           '<p class="lead">The tasks with the lowest pass rate among the students who tried them '
           '(a stub still raising NotImplementedError is not started, not failed), with their failure '
           'messages grouped: numbers, shapes and values are blanked (<code>#</code>, <code>(…)</code>) '
           'so that one mistake counts once whatever the inputs. One example message is shown per '
           'group.</p>']
    if not tasks:
        out.append('<p class="empty">No task failed.</p>')
    for t in tasks:
        out.append(f'<div class="struggle"><h3><code>{esc(t["exercise"])}.{esc(t["task"])}</code>'
                   f'<span class="rate">{t["failing"]} of {t["tried"]} who tried fail</span>'
                   + (f'<span class="idle">{t["not_started"]} not started</span>' if t["not_started"]
                      else "") + '</h3>'
                   '<table><thead><tr><th class="num n">students</th><th class="num n">tests</th>'
                   '<th class="st">status</th><th>message (pattern, then an example)</th></tr>'
                   '</thead><tbody>')
        for g in t["groups"]:
            example = "" if g["example"] == g["pattern"] else \
                f'<div class="msg example">e.g. {esc(_clip(g["example"], 400))}</div>'
            out.append(f'<tr class="group"><td class="num count">{g["students"]}</td>'
                       f'<td class="num">{g["tests"]}</td><td>{_badge(g["status"])}</td>'
                       f'<td><div class="msg pattern">{esc(_clip(g["pattern"], 400))}</div>{example}'
                       '</td></tr>')
        if t["other_groups"]:
            out.append(f'<tr><td colspan="4" class="empty">and {t["other_groups"]} other '
                       'message(s): see the students\' details.</td></tr>')
        out.append("</tbody></table></div>")
    out.append("</section>")
    return "".join(out)


def _section_problems(problems: list[dict], anchors: list[str]) -> str:
    out = ['<section id="problems"><h2>Crashes, timeouts, forbidden calls, import errors, '
           'untouched submissions</h2>'
           '<p class="lead">Submissions whose code crashed the grader\'s worker, ran out of time, '
           'used a call the task forbids, or could not be imported; submissions handed in '
           'untouched (<em>not started</em>: every test still hits a stub); and submissions the '
           'batch could not grade.</p>']
    if not problems:
        out.append('<p class="empty">None.</p></section>')
        return "".join(out)
    out.append('<div class="scroll"><table id="problem-table"><thead><tr><th>student</th>'
               '<th>where</th><th>status</th><th class="num">tests</th><th>message</th></tr></thead>'
               "<tbody>")
    for p in problems:
        out.append(f'<tr><td><a href="#{esc(anchors[p["index"]])}">{esc(p["student"])}</a></td>'
                   f'<td><code>{esc(p["where"])}</code></td><td>{_badge(p["status"])}</td>'
                   f'<td class="num">{p["count"]}</td>'
                   f'<td class="msg">{esc(_clip(p["message"], 400))}</td></tr>')
    out.append("</tbody></table></div></section>")
    return "".join(out)


def _student_flags(report: dict) -> list[str]:
    flags = []
    for ex in report.get("exercises") or []:
        if ex.get("status") == "import_error":
            flags.append("import_error")
        for t in ex.get("tests") or []:
            if t.get("status") in PROBLEM_STATUSES:
                flags.append(str(t.get("status")))
    return sorted(set(flags))


def _section_students(reports, anchors, exercises, details_href) -> str:
    if not reports:
        return ('<section id="students-section"><h2>Students</h2>'
                '<p class="empty">No submissions in this batch.</p></section>')
    head = ['<th data-type="text"><button type="button">student</button></th>']
    for name, title in exercises:
        most = max((_num(ex.get("max_score")) for r in reports
                    if (ex := _find_exercise(r, name)) is not None), default=0.0)
        shown = "_<wbr>".join(esc(part) for part in name.split("_"))
        head.append(f'<th class="num ex" data-type="num" title="{esc(title)}"><button type="button">'
                    f'{shown}</button><span class="max">/ {esc(_fmt(most))}</span></th>')
    head += ['<th class="num" data-type="num"><button type="button">score</button></th>',
             '<th class="num" data-type="num"><button type="button">%</button></th>',
             '<th data-type="text"><button type="button">status</button></th>']
    order = sorted(range(len(reports)), key=lambda i: student_name(reports[i], i).casefold())
    body = []
    for i in order:
        r = reports[i]
        name = student_name(r, i)
        cells = [f'<td class="name" data-sort="{esc(name.casefold())}">'
                 f'<a href="#{esc(anchors[i])}">{esc(name)}</a> '
                 f'<a class="json" href="{esc(safe_href(details_href(name)))}">json</a></td>']
        for ex_name, _ in exercises:
            ex = _find_exercise(r, ex_name)
            if ex is None:
                cells.append('<td class="num" data-sort="-1">–</td>')
                continue
            score, mx = _num(ex.get("score")), _num(ex.get("max_score"))
            css = "cell-good" if ex.get("status") == "complete" else \
                "cell-bad" if ex.get("status") in ("import_error", "missing") else ""
            shown = '<span class="tag">import error</span>' if ex.get("status") == "import_error" \
                else esc(_fmt(score))
            cells.append(f'<td class="num {css}" data-sort="{score:g}" '
                         f'title="{esc(_fmt(score) + " / " + _fmt(mx) + ", " + str(ex.get("status")))}">'
                         f"{shown}</td>")
        graded = is_graded(r)
        score, mx, pct = _num(r.get("score")), _num(r.get("max_score")), _num(r.get("percentage"))
        cells.append(f'<td class="num" data-sort="{score:g}">'
                     f'{esc(_fmt(score) + " / " + _fmt(mx)) if graded else "–"}</td>')
        cells.append(f'<td class="num" data-sort="{pct if graded else -1:g}">'
                     f'{esc(_pct(pct)) if graded else "–"}</td>')
        status = batch_status(r)
        flags = (["not_started"] if not_started(r) else []) + _student_flags(r)
        short = status.split(":", 1)[0]
        shown = flags if short == "graded" and flags else [short] + flags
        badges = " ".join(_badge(f) for f in shown)
        cells.append(f'<td class="status" data-sort="{esc(" ".join([short] + flags))}" '
                     f'title="{esc(status)}">'
                     f"{badges}</td>")
        body.append(f'<tr class="student-row" data-student="{esc(name)}">' + "".join(cells) + "</tr>")
    return ('<section id="students-section"><h2>Students</h2>'
            '<p class="lead">Click a column\'s title to sort by it; a name opens that student\'s '
            'tests below; <em>json</em> is the student\'s full report.</p>'
            '<div class="scroll"><table id="students"><thead><tr>' + "".join(head) +
            "</tr></thead><tbody>" + "".join(body) + "</tbody></table></div></section>")


def _section_details(reports, anchors, details_href) -> str:
    out = ['<section id="details"><h2>Each student\'s tests</h2>']
    if not reports:
        out.append('<p class="empty">No submissions.</p>')
    order = sorted(range(len(reports)), key=lambda i: student_name(reports[i], i).casefold())
    for i in order:
        r = reports[i]
        name = student_name(r, i)
        status = batch_status(r)
        summary = f"{_fmt(r.get('score'))} / {_fmt(r.get('max_score'))} · " \
                  f"{_pct(_num(r.get('percentage')))}" if is_graded(r) else status
        out.append(f'<details class="student" id="{esc(anchors[i])}"><summary>{esc(name)} '
                   f'<span class="badge">{esc(summary)}</span></summary>'
                   f'<p><a href="{esc(safe_href(details_href(name)))}">Full JSON report</a>'
                   f' · batch status: {esc(status)}</p>')
        exercises = r.get("exercises") or []
        if not exercises:
            out.append('<p class="empty">No exercise graded.</p>')
        for ex in exercises:
            out.append(f'<div class="ex-head">{esc(ex.get("title") or ex.get("name"))} '
                       f'<code>{esc(ex.get("name"))}</code> · {esc(_fmt(ex.get("score")))} / '
                       f'{esc(_fmt(ex.get("max_score")))} {_badge(ex.get("status"))}</div>')
            if ex.get("message"):
                out.append(f'<div class="msg">{esc(ex["message"])}</div>')
            tests = ex.get("tests") or []
            if not tests:
                continue
            out.append('<table class="tests"><thead><tr><th>test</th><th>task</th><th>status</th>'
                       '<th class="num">points</th><th>message</th></tr></thead><tbody>')
            for t in tests:
                test_id = str(t.get("id", ""))
                css = re.sub(r"[^a-z_]", "", str(t.get("status")).lower())
                out.append(f'<tr class="t-{css}"><td><code>{esc(test_id.split("::")[-1])}</code></td>'
                           f'<td>{esc(t.get("task"))}</td><td>{_badge(t.get("status"))}</td>'
                           f'<td class="num">{esc(_fmt(t.get("score")))} / '
                           f'{esc(_fmt(t.get("max_score")))}</td>'
                           f'<td class="msg">{esc(_clip(str(t.get("message") or ""), 4000))}</td></tr>')
            out.append("</tbody></table>")
        out.append("</details>")
    out.append("</section>")
    return "".join(out)


def subtitle(reports: list[dict]) -> str:
    """'12 submissions: 10 graded (2 of them not started), 1 empty, 1 the grader could not grade.'"""
    n = len(reports)
    if not n:
        return "No submissions in this batch."
    kinds = [batch_status(r).split(":", 1)[0].strip() for r in reports]
    untouched = sum(not_started(r) for r in reports)
    parts = [f"{kinds.count('graded')} graded" + (f" ({untouched} of them not started)" if untouched else "")]
    if kinds.count("empty"):
        parts.append(f"{kinds.count('empty')} empty")
    if kinds.count("error"):
        parts.append(f"{kinds.count('error')} the grader could not grade")
    others = n - kinds.count("graded") - kinds.count("empty") - kinds.count("error")
    if others:
        parts.append(f"{others} other")
    return f"{n} submission{'s' if n != 1 else ''}: " + ", ".join(parts) + "."


def render_class_report(reports: list[dict], title: str = "Class report",
                        details_href=default_details_href) -> str:
    """The whole page, as a string. `details_href(name)` is the link to a student's JSON report.

    The default is NAME.json with the name URL-quoted; whatever it returns is escaped, and a link
    with a scheme other than http(s)/file is made relative, so a name cannot become a script.
    """
    reports = [r for r in reports if isinstance(r, dict)]
    stats = class_stats(reports)
    problems = problem_rows(reports)
    anchors = student_anchors(reports)
    exercises = exercise_order([r for r in reports if is_graded(r)])
    sub = subtitle(reports)
    toc = "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in (
        ("distribution", "Distribution"), ("exercises", "Exercises"), ("tasks", "Tasks"),
        ("struggles", "Struggles"), ("problems", "Problems"), ("students-section", "Students"),
        ("details", "Details")))
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>",
        f'<h1>{esc(title)}</h1><p class="lead">{esc(sub)}</p><nav class="toc">{toc}</nav>',
        _section_summary(stats, problems),
        _section_distribution(stats),
        _section_exercises(stats),
        _section_tasks(stats),
        _section_struggles(reports),
        _section_problems(problems, anchors),
        _section_students(reports, anchors, exercises, details_href),
        _section_details(reports, anchors, details_href),
        f"</main><script>{SCRIPT}</script></body></html>\n",
    ])
