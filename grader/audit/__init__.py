"""`grader audit`: is the course right, and do its tests bite?

The course as data (`grader.course.problems`: names, files, tests per task), then as tests:
the stubs score 0, the solutions score full, a constant of the right type and shape scores 0
on every task, every public test passes on the solutions, the mistake fixtures marked
`PITFALL:` fail the public tests; with `--mutants`, the share of mutants of the solutions that
the hidden tests, and apart from them the public tests, tell from the reference.

Exit status: 0 when everything holds; 1 when a check fails (a survivor, points for a constant,
a solution that fails...); 2 when the course is broken as data (each problem on its own line),
for bad usage, or when the grader could not grade.
"""

from .core import AUDIT_DIR, EQUIVALENT, STATE, Audit, run  # noqa: F401
