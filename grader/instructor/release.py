"""The student handout: the course without its answers (`grader release OUT`).

A handout holds the stubs and the manifest (`exercises/`), `assets_picture/`,
the public tests (`tests/public/test_<module>.py`: the visible tests and what
they need, cut out of the hidden test files with `ast`), the grader package
itself, a `pyproject.toml` and a README for students. It never holds a file of
`solutions/` or a hidden test.

Some helpers of the hidden tests are reference implementations: a correct
`train_step` that stands in for the submission's while `fit` is graded, an
`expected_crop` that computes what `center_crop` must return. A visible test
that needs one is left out of the handout (and named in the summary) rather
than shipping an answer. A helper counts as one when its code is, token for
token, close to a function of `solutions/` (`SIMILAR`).

The handout is written to a temporary folder beside OUT, checked for solution
lines and hidden test names, and renamed into place only when complete.
"""

import ast
import difflib
import io
import json
import os
import re
import shutil
import tempfile
import tokenize
from dataclasses import dataclass, field
from types import SimpleNamespace

from .. import course as courses
from ..errors import UsageError

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the grader package
CLASSROOM_TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates",
                                  "classroom.yml")
PROJECT_NAME = "torch-grader"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
# A helper this similar to a solution function (difflib ratio over tokens, at least MIN_TOKENS
# of them) is a reference implementation. Measured on this course: the reference helpers score
# 0.68 to 1.00, every other helper 0.58 or less.
SIMILAR = 0.6
MIN_TOKENS = 20
# The leak check: a line of at least DISTINCTIVE characters (not a comment or an import) that the
# stub does not hold too is distinctive; a solution file with more than LEAK_SHARE of them in the
# handout leaks.
DISTINCTIVE = 30
LEAK_SHARE = 0.3
ALWAYS_KEPT_NAMES = {"pytestmark", "__all__"}
HEADER = ("# The public tests of this exercise, cut by `grader release` out of the course's tests:\n"
          "# the visible ones and what they need. `grader check` runs them; the grade also counts\n"
          "# tests you do not see.\n")


# ---------------------------------------------------------------- public tests
@dataclass
class PublicTests:
    text: str
    shipped: list = field(default_factory=list)   # names of the visible tests written
    dropped: dict = field(default_factory=dict)   # visible test left out -> why


def is_visible_test(stmt):
    """A test function marked `@graded(..., visible=True)`."""
    if not is_test(stmt):
        return False
    for deco in stmt.decorator_list:
        if isinstance(deco, ast.Call) and any(
                kw.arg == "visible" and isinstance(kw.value, ast.Constant) and kw.value.value is True
                for kw in deco.keywords):
            return True
    return False


def is_test(stmt):
    return isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name.startswith("test")


def test_names(source):
    """(visible, hidden): the names of a test file's test functions."""
    tree = ast.parse(source)
    tests = [s for s in tree.body if is_test(s)]
    return ([s.name for s in tests if is_visible_test(s)],
            [s.name for s in tests if not is_visible_test(s)])


def defined_names(stmt):
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def referenced_names(stmt):
    """Every name the statement mentions, and its functions' parameter names (pytest fixtures)."""
    return ({n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)} |
            {n.arg for n in ast.walk(stmt) if isinstance(n, ast.arg)})


def is_docstring(stmt):
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and \
        isinstance(stmt.value.value, str)


def code_tokens(fn):
    """The tokens of a function's body, docstring and comments left out."""
    body = fn.body[1:] if fn.body and is_docstring(fn.body[0]) else fn.body
    text = "\n".join(ast.unparse(s) for s in body)
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT,
            tokenize.ENDMARKER}
    return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in skip]


def solution_functions(solutions_dir):
    """[(label, tokens)] for every function of the solutions."""
    out = []
    if not os.path.isdir(solutions_dir):
        return out
    for name in sorted(os.listdir(solutions_dir)):
        if name.endswith(".py"):
            with open(os.path.join(solutions_dir, name), encoding="utf-8") as fh:
                tree = ast.parse(fh.read())
            out += [(f"solutions/{name}:{n.name}", code_tokens(n)) for n in ast.walk(tree)
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return out


def reference_of(stmt, solutions):
    """The solution function that `stmt` (or a function in it) reimplements, or None."""
    for fn in ast.walk(stmt):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        tokens = code_tokens(fn)
        if len(tokens) < MIN_TOKENS:
            continue
        for label, theirs in solutions:
            if len(theirs) >= MIN_TOKENS and \
                    difflib.SequenceMatcher(None, tokens, theirs, autojunk=False).ratio() >= SIMILAR:
                return label
    return None


def segment(source, stmt):
    """The statement's exact source text, decorators included."""
    if getattr(stmt, "decorator_list", None):
        first = min(d.lineno for d in stmt.decorator_list)
        # From the first decorator's '@' (column 0 at the top level) to the end of the statement.
        span = SimpleNamespace(lineno=first, col_offset=0, end_lineno=stmt.end_lineno,
                               end_col_offset=stmt.end_col_offset)
        return ast.get_source_segment(source, span)
    return ast.get_source_segment(source, stmt)


def first_line(stmt):
    return min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])


def public_tests(source, solutions=()):
    """The public version of one hidden test file: its docstring, imports, visible tests and the
    module-level helpers and constants they reach. A visible test that reaches a reference
    implementation (see `reference_of`) is left out, with the reason."""
    tree = ast.parse(source)
    body = tree.body
    lines = source.splitlines()
    owners = {}
    for i, stmt in enumerate(body):
        for name in defined_names(stmt):
            owners.setdefault(name, []).append(i)

    def reach(names):
        """Indices of the non-test statements that define `names`, transitively."""
        seen, todo = set(), list(names)
        while todo:
            for i in owners.get(todo.pop(), ()):
                if i not in seen and not is_test(body[i]):
                    seen.add(i)
                    todo += referenced_names(body[i])
        return seen

    always = {i for i, s in enumerate(body)
              if isinstance(s, (ast.Import, ast.ImportFrom)) or (i == 0 and is_docstring(s))
              or (not is_test(s) and (not defined_names(s) or defined_names(s) & ALWAYS_KEPT_NAMES))}
    kept = set(always) | reach(set().union(*(referenced_names(body[i]) for i in always)))
    result = PublicTests("")
    references = {}
    for i, stmt in enumerate(body):
        if not is_visible_test(stmt):
            continue
        needs = reach(referenced_names(stmt))
        found = []
        for j in sorted(needs):
            if j not in references:
                references[j] = reference_of(body[j], solutions)
            if references[j]:
                found.append(f"{', '.join(sorted(defined_names(body[j])))} ~ {references[j]}")
        if found:
            result.dropped[stmt.name] = "it uses a reference implementation: " + "; ".join(found)
            continue
        result.shipped.append(stmt.name)
        kept |= needs | {i}

    parts, previous = [HEADER], None
    for i in sorted(kept):
        stmt, start = body[i], first_line(body[i])
        if previous is not None and previous == i - 1:
            # Neighbours in the original: keep the blank lines and comments between them as they were.
            gap = lines[body[previous].end_lineno:start - 1]
        else:
            # Otherwise the comment block right above the statement (a section heading), if any.
            gap, k = [], start - 2
            while k >= 0 and lines[k].startswith("#"):
                gap.insert(0, lines[k])
                k -= 1
            gap = ["", ""] + gap if previous is not None else gap
        text = segment(source, stmt)
        if i == 0 and is_docstring(stmt):
            text = re.sub(r'^([rRuU]?("""|\'\'\'))Hidden tests', r"\1Public tests", text)
        parts.append("\n".join(gap + [text]) + "\n" if gap else text + "\n")
        previous = i
    if result.dropped:
        parts.append("\n\n# Not in the handout (each compares against a reference implementation of a "
                     "task):\n# " + ", ".join(result.dropped) + "\n")
    result.text = "".join(parts)
    compile(result.text, "<public tests>", "exec")  # a bug here must not ship a broken file
    return result


# ---------------------------------------------------------------- the leak check
def distinctive_lines(text):
    out = set()
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= DISTINCTIVE and not line.startswith(("#", "import", "from")):
            out.add(line)
    return out


def read_tree(folder):
    texts = []
    for dirpath, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as fh:
                texts.append(fh.read().decode("utf-8", errors="ignore"))
    return "\n".join(texts)


def stub_lines(course, name):
    """The distinctive lines of the stub `name`: a handout holds them by definition (signatures,
    the "Picture:" line), so they say nothing about a leak."""
    path = os.path.join(course.exercises_dir, name)
    if not os.path.isfile(path):
        return set()
    with open(path, encoding="utf-8", errors="ignore") as fh:
        return distinctive_lines(fh.read())


def leaks(folder, course):
    """What of the course's answers `folder` holds: solution files with more than LEAK_SHARE of
    their distinctive lines (those not in the stubs) in it, and hidden test names. [] when none."""
    text = read_tree(folder)
    found = []
    if os.path.isdir(course.solutions_dir):
        for name in sorted(os.listdir(course.solutions_dir)):
            path = os.path.join(course.solutions_dir, name)
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="ignore") as fh:
                    lines = distinctive_lines(fh.read()) - stub_lines(course, name)
                hits = [line for line in lines if line in text]
                if lines and len(hits) / len(lines) > LEAK_SHARE:
                    found.append(f"solutions/{name} ({len(hits)} of {len(lines)} distinctive lines)")
    words = set(re.findall(r"\w+", text))
    for name in sorted(os.listdir(course.hidden_tests_dir)):
        if name.endswith(".py"):
            with open(os.path.join(course.hidden_tests_dir, name), encoding="utf-8") as fh:
                _, hidden = test_names(fh.read())
            found += [f"hidden test {name}::{t}" for t in hidden if t in words]
    return found


# ---------------------------------------------------------------- the handout
@dataclass
class Release:
    out: str
    files: int = 0
    size: int = 0
    shipped: dict = field(default_factory=dict)   # exercise -> visible tests written
    dropped: dict = field(default_factory=dict)   # exercise -> {visible test left out: why}

    def summary(self):
        shipped = sum(len(v) for v in self.shipped.values())
        dropped = sum(len(v) for v in self.dropped.values())
        lines = [f"wrote {self.out}: {self.files} files, {self.size / 1024:.0f} KiB",
                 f"public tests: {shipped} of {shipped + dropped} visible tests"]
        for exercise, tests in self.dropped.items():
            for name, why in tests.items():
                lines.append(f"  left out {exercise}::{name}: {why}")
        return "\n".join(lines)


def inside(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_target(course, out, force):
    real = os.path.realpath(out)
    if inside(course.root, real):
        raise UsageError(f"{out} is the course or holds it; give a folder outside the course")
    if inside(real, os.path.realpath(course.exercises_dir)):
        raise UsageError(f"{out} is inside the course's exercises/; give a folder outside it")
    if os.path.lexists(out) and not force:
        if not os.path.isdir(out):
            raise UsageError(f"{out} exists and is not a folder; use --force to replace it")
        if os.listdir(out):
            raise UsageError(f"{out} exists and is not empty; use --force to replace it")


def build(course, out, force=False):
    """Write the handout of `course` to `out`; returns a Release. A UsageError, and nothing
    written, when `out` is taken (without `force`), misplaced, or the handout would leak."""
    if course.is_handout:
        raise UsageError(f"{course.root} is a handout already (no {courses.HIDDEN_TESTS}/); "
                         "release from the instructor's copy of the course")
    out = os.path.abspath(out)
    check_target(course, out, force)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.", dir=parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        release = write(course, tmp)
        found = leaks(tmp, course)
        if found:
            raise UsageError("the handout would hold answers, so nothing was written: " + "; ".join(found))
        replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    release.out = out
    return release


def replace(new, out):
    """Put the folder `new` at `out`, moving whatever is there aside first and removing it last."""
    old = None
    if os.path.lexists(out):
        old = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.old.", dir=os.path.dirname(out))
        os.rename(out, os.path.join(old, "out"))
    os.rename(new, out)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def torch_pin():
    from .gradescope import torch_pin as installed_torch
    return installed_torch()


def write(course, dest):
    release = Release(dest)
    shutil.copytree(course.exercises_dir, os.path.join(dest, "exercises"), ignore=IGNORE)
    if os.path.isdir(course.assets_dir):
        shutil.copytree(course.assets_dir, os.path.join(dest, "assets_picture"), ignore=IGNORE)
    public = os.path.join(dest, courses.PUBLIC_TESTS)
    os.makedirs(public)
    solutions = solution_functions(course.solutions_dir)
    for ex in course.exercises:
        hidden = os.path.join(course.hidden_tests_dir, f"test_{ex.name}.py")
        if not os.path.isfile(hidden):
            raise UsageError(f"the exercise {ex.name!r} has no tests: {hidden} is missing")
        with open(hidden, encoding="utf-8") as fh:
            tests = public_tests(fh.read(), solutions)
        with open(os.path.join(public, f"test_{ex.name}.py"), "w", encoding="utf-8") as fh:
            fh.write(tests.text)
        release.shipped[ex.name] = tests.shipped
        if tests.dropped:
            release.dropped[ex.name] = tests.dropped
    shutil.copytree(PACKAGE, os.path.join(dest, "grader"), ignore=IGNORE)
    if os.path.isfile(CLASSROOM_TEMPLATE):
        os.makedirs(os.path.join(dest, ".github", "workflows"))
        with open(CLASSROOM_TEMPLATE, encoding="utf-8") as fh:
            workflow = fh.read()
        # Pinned to the torch the course was released with, so the workflow runs as released.
        workflow = workflow.replace("@TORCH_VERSION@", torch_pin())
        with open(os.path.join(dest, ".github", "workflows", "classroom.yml"), "w", encoding="utf-8") as fh:
            fh.write(workflow)
    files = {
        "pyproject.toml": pyproject(project_metadata(), package_data(os.path.join(dest, "grader"))),
        "README.md": readme(course),
        ".gitignore": "__pycache__/\n*.egg-info/\n/build/\n",
    }
    for name, text in files.items():
        with open(os.path.join(dest, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    for dirpath, _, names in os.walk(dest):
        release.files += len(names)
        release.size += sum(os.path.getsize(os.path.join(dirpath, n)) for n in names)
    return release


# ---------------------------------------------------------------- pyproject.toml and README
def project_metadata():
    """name, version, description, requires_python, dependencies of the grader: from the checkout's
    pyproject.toml when this package sits in one, else from the installed distribution."""
    path = os.path.join(courses.CHECKOUT, "pyproject.toml")
    if os.path.isfile(path):
        with open(path, "rb") as fh:
            project = courses.tomllib.load(fh).get("project", {})
        if project.get("name") == PROJECT_NAME:
            return {"version": project["version"], "description": project.get("description", ""),
                    "requires_python": project.get("requires-python", ""),
                    "dependencies": list(project.get("dependencies", []))}
    from importlib import metadata
    try:
        meta = metadata.metadata(PROJECT_NAME)
    except metadata.PackageNotFoundError:
        raise UsageError(f"cannot tell the grader's dependencies: no pyproject.toml beside the "
                         f"package and no installed {PROJECT_NAME}") from None
    return {"version": meta["Version"], "description": meta.get("Summary", ""),
            "requires_python": meta.get("Requires-Python", ""),
            "dependencies": [r for r in metadata.requires(PROJECT_NAME) or [] if "extra ==" not in r]}


def package_data(package_dir):
    """{dotted package: [files]}: every file of the package that is not Python source."""
    data = {}
    for dirpath, dirs, names in os.walk(package_dir):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if name.endswith((".py", ".pyc")):
                continue
            owner = dirpath
            while not os.path.isfile(os.path.join(owner, "__init__.py")):
                owner = os.path.dirname(owner)
            package = os.path.relpath(owner, package_dir)
            dotted = "grader" if package == "." else "grader." + package.replace(os.sep, ".")
            rel = os.path.relpath(os.path.join(dirpath, name), owner).replace(os.sep, "/")
            data.setdefault(dotted, []).append(rel)
    return {k: sorted(v) for k, v in sorted(data.items())}


def toml_list(items, indent="    "):
    return "[\n" + "".join(f"{indent}{json.dumps(i)},\n" for i in items) + "]"


def pyproject(meta, data):
    package_data_lines = "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in data.items())
    return f"""[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{PROJECT_NAME}"
version = {json.dumps(meta["version"])}
description = {json.dumps(meta["description"])}
readme = "README.md"
requires-python = {json.dumps(meta["requires_python"] or ">=3.10")}
dependencies = {toml_list(meta["dependencies"])}

[project.scripts]
grader = "grader.cli:entry"

[tool.setuptools.packages.find]
include = ["grader*"]

[tool.setuptools.package-data]
{package_data_lines}"""


def readme(course):
    first = course.exercises[0].tasks[0].name if course.exercises and course.exercises[0].tasks else "TASK"
    listing = "\n".join(
        f"{n}. {ex.title} (`exercises/{ex.name}.py`): " + ", ".join(f"`{t.name}`" for t in ex.tasks)
        for n, ex in enumerate(course.exercises, 1))
    module = course.exercises[0].name if course.exercises else "EXERCISE"
    commands = "\n".join(f"    {command:<28}{what}" for command, what in [
        ("grader list", "your progress through the exercises"),
        ("grader check", "the next unfinished task, checked and explained"),
        (f"grader check {first}", f"one task (or one exercise: `grader check {module}`)"),
        (f"grader hint {first}", "a hint for a task, one more each time you ask"),
        ("grader watch", "check again each time you save a file")])
    return f"""# PyTorch and NumPy exercises

Fill in the functions of `exercises/` (each raises `NotImplementedError` until you do); the
grader that comes with them runs the public tests on your code and gives hints.

## Install

    pip install .

Python 3.10 or newer. This installs the `grader` command and what it needs (torch, numpy,
pytest, pillow, click). Unless torch is installed already, that is the package index's default
build: on Linux a CUDA build, about 5.5 GB in a virtual environment (97 s to install from a local
cache, measured; the download comes on top). Either build works, with or without a GPU. Without
a GPU, the CPU build is a fifth of that (1.0 GB, 49 s); install it first:

    pip install torch --index-url https://download.pytorch.org/whl/cpu
    pip install .

Should the grader be unable to run (its sandboxed worker cannot import torch), it says so on
one line and exits with status 2, with what to do (`--memory 4096`, say); it never turns that
into a score.

## Work

Run these in this folder (the grader finds the course as the nearest folder, at or above the
current one, that holds `exercises/manifest.toml`; `--course DIR` names another):

{commands}

`grader check` exits with 0 when every test it ran passed, 1 otherwise; an exercise you have
not touched yet reads "not started".

In a notebook (Jupyter, Colab), from this folder:

```python
from grader import check
check("{first}")
```

Your code runs in a separate, sandboxed process; `grader check` shows what each test called,
what came back and what was expected.

## What is here

    exercises/          the modules you fill in, and manifest.toml (order, titles, hints)
    assets_picture/     the images the exercises use and a picture per topic
    tests/public/       the public tests; your grade also counts tests that are not here
    grader/             the grader itself

## The exercises

{listing}
"""
