"""Turning a report into words for a student: per-task states, failures on a few lines, advice.

The report's messages already say what was called, with what shapes and dtypes, what came
back and what was expected; this module adds where to look (the student's own file and line),
what a known error usually means, and what to do next.
"""

import ast
import os
import re
from dataclasses import dataclass, field

from .. import safe_text

DONE, FAILING, NOT_STARTED, SKIPPED = "done", "failing", "not started", "skipped"
UNCHECKED = "no test here"  # a handout may hold no public test of a task
MARKS = {DONE: "✓", FAILING: "✗", NOT_STARTED: "·", SKIPPED: "-", UNCHECKED: "?"}
COLOURS = {DONE: "green", FAILING: "red", NOT_STARTED: "yellow", SKIPPED: "bright_black",
           UNCHECKED: "bright_black"}
SHOWN_PER_TASK = 3  # failed tests shown in full for one task; the rest are counted
OUTPUT_LINES = 8  # lines of the student's own output shown under a failure

# Errors whose usual cause one sentence explains. Matched against a test's message.
ADVICE = [
    (r"Can't call numpy\(\) on Tensor that requires grad",
     "A tensor that requires grad is part of a graph: take it out with .detach() before .numpy()."),
    (r"can't convert cuda.* to numpy|Use Tensor\.cpu\(\) to copy",
     "NumPy lives in host memory: move a GPU tensor with .cpu() before .numpy()."),
    (r"view size is not compatible with input tensor's size and stride",
     ".view() needs memory laid out in order; a transposed tensor is not: use .reshape() "
     "(or .contiguous() first)."),
    (r"Only Tensors of floating point and complex dtype can require gradients",
     "Convert to a float dtype (e.g. .float() or dtype=torch.float32) before asking for gradients."),
    (r"mat1 and mat2 shapes cannot be multiplied",
     "The shapes of a matrix product do not line up: print the shapes of both sides."),
    (r"expected scalar type \w+ but found \w+|expected .* to have the same dtype",
     "Two tensors of different dtypes met: convert one of them (.float(), .long())."),
    (r"Trying to backward through the graph a second time",
     "Keep the graph for another backward pass with backward(retain_graph=True)."),
    (r"index \S+ is out of bounds|IndexError",
     "An index went past the end: check the sizes you loop or index over."),
    (r"got nan|got inf|got -inf",
     "A NaN or an infinity usually means exp() overflowed: subtract the maximum first (the max trick), "
     "or work with log-probabilities."),
    (r"returned None\b|returned None,",
     "The function returns nothing: is a `return` missing?"),
]


@dataclass
class TaskResult:
    exercise: str
    task: str
    state: str
    score: float = 0.0
    max_score: float = 0.0
    tests: list = field(default_factory=list)

    @property
    def failed(self):
        return [t for t in self.tests if t["status"] not in ("passed", "skipped")]


def task_state(tests):
    ran = [t for t in tests if t["status"] != "skipped"]
    if not ran:
        return SKIPPED
    if all(t["status"] == "passed" for t in ran):
        return DONE
    if all(t["status"] == "not_implemented" for t in ran):
        return NOT_STARTED
    return FAILING


def task_results(report, course, only=()):
    """Per task, in the course's order, for the exercises the report holds (a task without any
    test that ran here is UNCHECKED; `only` names the tasks that were asked for)."""
    out = []
    graded = {ex["name"]: ex for ex in report["exercises"]}
    for ex in course.exercises:
        if ex.name not in graded:
            continue
        entry = graded[ex.name]
        for task in ex.tasks:
            tests = [t for t in entry["tests"] if t["task"] == task.name]
            if not tests:
                if entry["status"] in ("missing", "import_error"):
                    out.append(TaskResult(ex.name, task.name, FAILING, 0.0, 0.0,
                                          [{"id": f"{ex.name}.py", "status": "error", "task": task.name,
                                            "message": entry.get("message", ""), "score": 0,
                                            "max_score": 0}]))
                elif not only or task.name in only:
                    out.append(TaskResult(ex.name, task.name, UNCHECKED))
                continue
            ran = [t for t in tests if t["status"] != "skipped"]
            out.append(TaskResult(ex.name, task.name, task_state(tests),
                                  sum(t["score"] for t in ran), sum(t["max_score"] for t in ran), tests))
    return out


def advice_for(message):
    for pattern, text in ADVICE:
        if re.search(pattern, message):
            return text
    return ""


def definition_line(submission, module, name):
    """The line where `name` is defined in the student's module, or None."""
    path = os.path.join(submission, f"{module}.py")
    try:
        tree = ast.parse(safe_text.read_source(path))  # a BOM or CRLF file, as Python reads it
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return node.lineno
    return None


class Writer:
    """Builds text for a person; colour only when asked (a terminal, and NO_COLOR unset)."""

    def __init__(self, colour=False):
        self.colour = colour
        self.lines = []

    def style(self, text, **kwargs):
        if not self.colour:
            return text
        import click
        return click.style(text, **kwargs)

    def add(self, text=""):
        self.lines.append(text)

    def text(self):
        return "\n".join(self.lines) + "\n"


def student_paths(message, shown_folder):
    """Paths as the student knows them: 'File "shapes.py"' becomes 'File "mywork/shapes.py"'."""
    prefix = "" if shown_folder in ("", ".") else shown_folder.rstrip("/") + "/"
    message = message.replace("/submission/", prefix)
    return re.sub(r'File "(\w+\.py)"', lambda m: f'File "{prefix}{m.group(1)}"', message)


def describe_failure(out, test, shown_folder, indent="    "):
    status = test["status"]
    label = {"failed": "wrong answer", "error": "raised an error", "timeout": "took too long",
             "crashed": "crashed", "forbidden": "used a forbidden call",
             "not_implemented": "not started"}.get(status, status)
    if status == "forbidden" and test.get("message", "").startswith("tampering with the grader"):
        label = "tampered with the grader"
    name = test["id"].split("::")[-1]
    points = test.get("max_score", 0)
    out.add(f"  {out.style(MARKS[FAILING], fg='red')} {name} "
            f"({label}{f', {points:g} point' + ('s' if points != 1 else '') if points else ''})")
    message = student_paths(test.get("message", ""), shown_folder)
    body, _, printed = message.partition("\nIt printed:\n")
    for line in body.splitlines():
        out.add(indent + line)
    tip = advice_for(body)
    if tip:
        out.add(indent + out.style("Tip: ", bold=True) + tip)
    if printed.strip():
        out.add(indent + "It printed:")
        lines = printed.strip("\n").splitlines()
        for line in lines[:OUTPUT_LINES]:
            out.add(indent + "  " + line)
        if len(lines) > OUTPUT_LINES:
            out.add(indent + f"  [... {len(lines) - OUTPUT_LINES} more lines]")


def describe_task(out, result, submission, shown_folder, detail=True):
    mark = out.style(MARKS[result.state], fg=COLOURS[result.state])
    tests = [t for t in result.tests if t["status"] != "skipped"]
    passed = sum(t["status"] == "passed" for t in tests)
    where = f"{result.exercise}.{result.task}"
    if result.state == NOT_STARTED:
        line = definition_line(submission, result.exercise, result.task)
        spot = f"{os.path.join(shown_folder, result.exercise + '.py')}" + (f", line {line}" if line else "")
        out.add(f"{mark} {where}: not started (it still raises NotImplementedError; write it in {spot})")
        return
    if result.state == UNCHECKED:
        out.add(f"{mark} {where}: no test checks it here (a handout's public tests leave some tasks "
                "to the hidden tests)")
        return
    if result.state == SKIPPED:
        out.add(f"{mark} {where}: not checked here ({result.tests[0].get('message', 'skipped')})")
        return
    summary = f"{passed} of {len(tests)} tests pass, {result.score:g}/{result.max_score:g} points"
    if result.state == DONE:
        out.add(f"{mark} {where}: done ({summary})")
        return
    out.add(f"{mark} {where}: {out.style('failing', fg='red')} ({summary})")
    if not detail:
        return
    failed = result.failed
    for test in failed[:SHOWN_PER_TASK]:
        describe_failure(out, test, shown_folder)
    if len(failed) > SHOWN_PER_TASK:
        out.add(f"    [... and {len(failed) - SHOWN_PER_TASK} more failing tests of {result.task}]")
    line = definition_line(submission, result.exercise, result.task)
    if line:
        out.add(f"    {result.task} is defined in {os.path.join(shown_folder, result.exercise + '.py')}, "
                f"line {line}")
