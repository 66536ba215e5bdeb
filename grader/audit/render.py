"""The audit as text (what `grader audit` prints) and as a self-contained HTML page."""

import html
import os

from . import mutation
from .core import EQUIVALENT


def text(audit, course):
    lines = []
    if audit.problems:
        lines += audit.problems
        lines.append(f"{len(audit.problems)} problem{'s' if len(audit.problems) > 1 else ''} in the "
                     f"course {audit.course}: fix {'them' if len(audit.problems) > 1 else 'it'} first; "
                     "every command refuses the course until then")
        return "\n".join(lines) + "\n"
    lines.append(f"course {audit.course}: {len(course.exercises)} exercises, "
                 f"{sum(len(ex.tasks) for ex in course.exercises)} tasks; no problem as data")
    for check in audit.checks:
        lines.append(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.figure}")
        for detail in check.details[:50]:
            lines.append(f"       {detail}")
        if len(check.details) > 50:
            lines.append(f"       ... and {len(check.details) - 50} more")
    if audit.mutants:
        lines.append("")
        lines.append("mutants killed per task (hidden tests, public tests):")
        for row in sorted(audit.mutants.values(), key=lambda r: (r.share(r.killed_hidden), r.task)):
            lines.append(f"  {row.exercise + '.' + row.task:40} {row.share(row.killed_hidden):5.1f} %  "
                         f"{row.share(row.killed_public):5.1f} %  of {row.judged}"
                         + (f" ({row.equivalent} equivalent)" if row.equivalent else ""))
        survivors = [(row, m, what) for row in audit.mutants.values() for m, what in row.survivors]
        seen = set()
        for row, m, what in survivors:
            if m["id"] in seen:
                continue
            seen.add(m["id"])
            lines.append("")
            lines.append(f"{what.split(':')[0].upper()} {m['id']} (line {m['line']}: {m['kind']})")
            lines.append("  " + mutation.diff(m, course.solutions_dir).rstrip().replace("\n", "\n  "))
        if survivors:
            lines.append("")
            lines.append("For each survivor: add a test that tells it from the reference, or, when no "
                         f"allowed input can, add its id and the reason to {EQUIVALENT}.")
    for note in audit.mutant_notes:
        lines.append(note)
    timing = ", ".join(f"{part} {seconds:.0f} s" for part, seconds in audit.seconds.items())
    verdict = "all checks hold" if audit.exit_code == 0 else \
        f"{sum(not c.ok for c in audit.checks)} check(s) fail"
    lines.append(f"audit: {verdict} ({timing})")
    return "\n".join(lines) + "\n"


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.ok { color: #17693a; } .fail { color: #b3261e; font-weight: 600; }
table { border-collapse: collapse; } td, th { padding: .25em .8em; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; }
ul.details { margin: .2em 0 .8em 0; font-size: .92em; }
"""


def page(audit, course):
    """A self-contained HTML page of the same summary: no script, no link outside it."""
    e = html.escape
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Course audit: {e(os.path.basename(audit.course))}</title>",
           f"<style>{STYLE}</style></head><body>",
           f"<h1>Course audit: {e(audit.course)}</h1>"]
    if audit.problems:
        out.append(f'<p class="fail">The course is broken as data: {len(audit.problems)} problem(s).</p><ul>')
        out += [f"<li>{e(p)}</li>" for p in audit.problems]
        out.append("</ul></body></html>")
        return "\n".join(out) + "\n"
    verdict = "All checks hold." if audit.exit_code == 0 else \
        f"{sum(not c.ok for c in audit.checks)} check(s) fail."
    out.append(f'<p class="{"ok" if audit.exit_code == 0 else "fail"}" id="verdict">{e(verdict)}</p>')
    out.append("<h2>Checks</h2><table><tr><th></th><th>check</th><th>figure</th></tr>")
    for check in audit.checks:
        out.append(f'<tr><td class="{"ok" if check.ok else "fail"}">{"ok" if check.ok else "FAIL"}</td>'
                   f"<td>{e(check.name)}</td><td>{e(check.figure)}"
                   + ('<ul class="details">' + "".join(f"<li>{e(d)}</li>" for d in check.details)
                      + "</ul>" if check.details else "") + "</td></tr>")
    out.append("</table>")
    if audit.mutants:
        out.append("<h2>Mutants killed per task</h2><table><tr><th>task</th><th>by hidden tests</th>"
                   "<th>by public tests</th><th>judged</th><th>equivalent</th></tr>")
        for row in sorted(audit.mutants.values(), key=lambda r: (r.share(r.killed_hidden), r.task)):
            out.append(f"<tr><td>{e(row.exercise)}.{e(row.task)}</td>"
                       f'<td class="num">{row.share(row.killed_hidden):.1f} %</td>'
                       f'<td class="num">{row.share(row.killed_public):.1f} %</td>'
                       f'<td class="num">{row.judged}</td><td class="num">{row.equivalent}</td></tr>')
        out.append("</table>")
        seen = set()
        survivors = [(m, what) for row in audit.mutants.values() for m, what in row.survivors]
        if survivors:
            out.append("<h2>Survivors</h2>")
        for m, what in survivors:
            if m["id"] in seen:
                continue
            seen.add(m["id"])
            out.append(f'<h3 class="survivor">{e(m["id"])}: {e(what)}</h3>'
                       f"<p>line {m['line']}: {e(m['kind'])}</p>"
                       f"<pre>{e(mutation.diff(m, course.solutions_dir))}</pre>")
    for note in audit.mutant_notes:
        out.append(f"<p>{e(note)}</p>")
    timing = ", ".join(f"{part} {seconds:.0f} s" for part, seconds in audit.seconds.items())
    out.append(f"<p>Wall time: {e(timing)}.</p></body></html>")
    return "\n".join(out) + "\n"


