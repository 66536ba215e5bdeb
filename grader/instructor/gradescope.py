"""Gradescope: the autograder zip, and what runs inside it for each submission.

`build_package(out_zip, course)` writes the zip Gradescope asks for
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): `setup.sh` and
`run_autograder` at its root, the grader's source (a pip-installable project) under
`grader/`, and the course without its solutions under `course/` (manifest, stubs,
hidden tests, assets).

On Gradescope, `setup.sh` runs once when the image is built; `run_autograder` runs
for each submission and calls `python3 -m grader.instructor.gradescope run`, which
gathers the student's modules from anywhere under `/autograder/submission` (single
files, a folder, or a zip), grades them, and writes `/autograder/results/results.json`,
whatever happens. `AUTOGRADER_ROOT` moves `/autograder` elsewhere (the tests run
the package on a fake tree).
"""

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
import traceback
import zipfile

from .. import safe_text
from .submissions import is_link_member

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../grader
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

# Gradescope's default container: 768 MB of memory and half a CPU
# (https://gradescope-autograders.readthedocs.io/en/latest/troubleshooting/); more is set per
# assignment under "Autograder Settings". The package's defaults fit it: the grading process
# itself (pytest, torch and the hidden tests loaded: 289 MiB peak RSS measured grading the full
# course) plus the submission's worker, bounded by --memory.
GRADESCOPE_DEFAULT_MEMORY_MB = 768
GRADESCOPE_DEFAULT_CPUS = 0.5
GRADER_PROCESS_MIB = 320
DEFAULT_MEMORY_MIB = 384  # the worker: torch imported takes about 270 MiB of it

# What a student's upload may hold before we stop reading it.
MAX_FILE_BYTES = 2 << 20
MAX_TOTAL_BYTES = 64 << 20
MAX_ENTRIES = 5000
SKIPPED_FOLDERS = {"__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints", ".venv", "venv",
                   "node_modules"}


# ---------------------------------------------------------------- the package
def template(name, **values):
    with open(os.path.join(TEMPLATES, name), encoding="utf-8") as fh:
        text = fh.read()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    return text


def torch_pin():
    """The torch version to install on Gradescope: the one this course was graded with here."""
    try:
        import importlib.metadata as md
        return md.version("torch").split("+")[0]
    except Exception:  # torch not installed as a distribution: a known-good default
        return "2.5.1"


def grader_project_files():
    """(path in the zip, bytes) of the grader as a pip-installable project."""
    checkout = os.path.dirname(PACKAGE_DIR)
    files = []
    pyproject = os.path.join(checkout, "pyproject.toml")
    if os.path.isfile(pyproject):
        with open(pyproject, "rb") as fh:
            files.append(("grader/pyproject.toml", fh.read()))
        readme = os.path.join(checkout, "README.md")
        if os.path.isfile(readme):
            with open(readme, "rb") as fh:
                files.append(("grader/README.md", fh.read()))
    else:  # the grader was installed from a wheel: describe the project from its metadata
        files.append(("grader/pyproject.toml", minimal_pyproject().encode()))
    files += tree_files(PACKAGE_DIR, os.path.dirname(PACKAGE_DIR), "grader/")
    return files


def tree_files(base, relative_to, prefix):
    """(prefix + path relative to `relative_to`, bytes) of every file below `base`, in a stable
    order, without caches and hidden files."""
    files = []
    for folder, dirs, names in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, relative_to).replace(os.sep, "/")
            with open(path, "rb") as fh:
                files.append((prefix + rel, fh.read()))
    return files


def minimal_pyproject():
    import importlib.metadata as md
    meta = md.metadata("torch-grader")
    deps = [r for r in (md.requires("torch-grader") or []) if "extra ==" not in r]
    return "\n".join([
        "[build-system]", 'requires = ["setuptools>=64"]', 'build-backend = "setuptools.build_meta"', "",
        "[project]", 'name = "torch-grader"', f'version = "{meta["Version"]}"',
        'requires-python = ">=3.10"', "dependencies = [" + ", ".join(f'"{d}"' for d in deps) + "]", "",
        "[project.scripts]", 'grader = "grader.cli:entry"', "",
        "[tool.setuptools.packages.find]", 'include = ["grader*"]', "",
        "[tool.setuptools.package-data]", '"grader.judge" = ["hidden_tests.ini"]',
        '"grader.instructor" = ["templates/*"]', '"grader.sandbox" = ["etc/*"]', ""])


def course_files(course):
    """(path in the zip, bytes) of the course without solutions: manifest and stubs, hidden
    tests, assets."""
    files = []
    for top in ("exercises", os.path.join("tests", "exercises"), "assets_picture"):
        files += tree_files(os.path.join(course.root, top), course.root, "course/")
    return files


# The submission's time budget in run_autograder: Gradescope stops an autograder at 10 minutes
# by default, and then the student gets no results at all. 8 minutes of grading leave 2 for
# Python, torch and the grader to start and the results to be written.
TOTAL_TIMEOUT = 480.0


def require_hidden_tests(course):
    from ..errors import UsageError
    if course.is_handout:
        raise UsageError(f"the course at {course.root} has no hidden tests ({course.hidden_tests_dir}); "
                         "build the Gradescope package from the instructor's copy")


def container_mib(memory_mib):
    """The memory a Gradescope container needs to grade with a worker bounded by `memory_mib`."""
    return GRADER_PROCESS_MIB + int(memory_mib)


def settings(course, memory_mib=DEFAULT_MEMORY_MIB):
    """What the instructor must set on Gradescope for this package, in words: the assignment's
    total (the points of the CPU image: the course's maximum without its GPU tests, which
    Gradescope's containers skip) and the container's memory."""
    from ..errors import UsageError
    from ..judge import points
    require_hidden_tests(course)
    found = points.totals(course, cuda=False)
    if found is None:
        raise UsageError(f"the hidden tests of the course at {course.root} cannot be collected; "
                         "run them with pytest to see why")
    total, gpu = found
    lines = [f"Gradescope: set the assignment's total to {total:g} points"
             + (f" (the course's {total + gpu:g} without the {gpu:g} point{'s' if gpu != 1 else ''} "
                "of its GPU tests, which "
                "Gradescope's CPU containers skip)" if gpu else "") + "."]
    need = container_mib(memory_mib)
    if need <= GRADESCOPE_DEFAULT_MEMORY_MB:
        lines.append(f"The container needs {need} MiB of memory ({GRADER_PROCESS_MIB} for the grader, "
                     f"{int(memory_mib)} for a submission): Gradescope's default "
                     f"({GRADESCOPE_DEFAULT_MEMORY_MB} MB, {GRADESCOPE_DEFAULT_CPUS:g} CPU) is enough.")
    else:
        lines.append(f"The container needs {need} MiB of memory ({GRADER_PROCESS_MIB} for the grader, "
                     f"{int(memory_mib)} for a submission, --memory): raise it under Autograder "
                     f"Settings, above Gradescope's default of {GRADESCOPE_DEFAULT_MEMORY_MB} MB.")
    return "\n".join(lines)


def package_entries(course, timeout=5.0, memory_mib=DEFAULT_MEMORY_MIB, torch_version=None,
                    settings_text=None):
    """Every (path in the zip, bytes, mode) of the Gradescope package."""
    require_hidden_tests(course)
    values = dict(TORCH_VERSION=torch_version or torch_pin(), CPU_INDEX=CPU_INDEX,
                  TIMEOUT=f"{timeout:g}", MEMORY=int(memory_mib), TOTAL_TIMEOUT=f"{TOTAL_TIMEOUT:g}",
                  SETTINGS=settings_text or settings(course, memory_mib))
    entries = [("setup.sh", template("gradescope_setup.sh", **values).encode(), 0o755),
               ("run_autograder", template("gradescope_run_autograder", **values).encode(), 0o755)]
    entries += [(path, data, 0o644) for path, data in grader_project_files()]
    entries += [(path, data, 0o644) for path, data in course_files(course)]
    return entries


def build_package(out_zip, course, timeout=5.0, memory_mib=DEFAULT_MEMORY_MIB, torch_version=None,
                  settings_text=None):
    """Write the Gradescope autograder zip to `out_zip` (atomically); returns its entries' paths.

    The zip is reproducible: fixed timestamps, sorted by path after the two scripts."""
    entries = package_entries(course, timeout, memory_mib, torch_version, settings_text)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data, mode in entries:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    folder = os.path.dirname(os.path.abspath(out_zip))
    fd, tmp = tempfile.mkstemp(prefix=".grader-", suffix=".zip", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buffer.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_zip)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return [path for path, _, _ in entries]


# ---------------------------------------------------------------- the student's upload
class SubmissionProblem(Exception):
    """The upload cannot be graded as it is (two files of one name, no module at all): the
    student's to fix, said in the results."""


def skip_part(part):
    return part in SKIPPED_FOLDERS or part.startswith(".")


def upload_files(root):
    """(label, name, bytes) of every .py file under `root`, zips unpacked (one level), and notes.

    Symbolic links are not followed; resource forks, hidden files and caches are left out."""
    found, notes, total = [], [], 0

    def take(label, name, data):
        nonlocal total
        if len(found) >= MAX_ENTRIES or total + len(data) > MAX_TOTAL_BYTES:
            raise SubmissionProblem("the upload is too large to grade: upload only your .py files")
        if len(data) > MAX_FILE_BYTES:
            notes.append(f"{label}: larger than {MAX_FILE_BYTES >> 20} MiB, left out")
            return
        total += len(data)
        found.append((label, name, data))

    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not skip_part(d))
        for name in sorted(names):
            path = os.path.join(folder, name)
            label = safe_text.clean_name(os.path.relpath(path, root), limit=1000)
            if name.startswith("."):
                continue
            if os.path.islink(path):
                if name.endswith(".py") or name.lower().endswith(".zip"):
                    notes.append(f"{label}: a symbolic link, left out (upload the file itself)")
                continue
            if not os.path.isfile(path):
                continue
            if name.endswith(".py"):
                with open(path, "rb") as fh:
                    take(label, name, fh.read(MAX_FILE_BYTES + 1))
            elif name.lower().endswith(".zip"):
                try:
                    with zipfile.ZipFile(path) as zf:
                        for info in zf.infolist():
                            parts = [p for p in info.filename.replace("\\", "/").split("/") if p]
                            if info.is_dir() or not parts or not parts[-1].endswith(".py") \
                                    or any(skip_part(p) for p in parts):
                                continue
                            member = safe_text.clean_name("/".join(parts), limit=1000)
                            if is_link_member(info):  # its data is the link's target, not a file
                                notes.append(f"{label}:{member}: a symbolic link, left out "
                                             "(upload the file itself)")
                                continue
                            if info.file_size > MAX_FILE_BYTES:
                                notes.append(f"{label}:{member}: larger than "
                                             f"{MAX_FILE_BYTES >> 20} MiB, left out")
                                continue
                            take(f"{label}:{member}", parts[-1], zf.read(info))
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                    notes.append(f"{label}: not a zip file that can be read ({exc}), left out")
    return found, notes


def gather(root, course, dest):
    """Copy the student's modules from anywhere under `root` into the flat folder `dest`.

    Returns (where each module came from {name: label}, notes). Two files of the same module
    name are a SubmissionProblem; other .py files (helpers) come along, the first of a name."""
    files, notes = upload_files(root)
    modules = set(course.module_files)
    by_name = {}
    for label, name, data in files:
        by_name.setdefault(name, []).append((label, data))
    clashes = [(name, [label for label, _ in copies]) for name, copies in sorted(by_name.items())
               if name in modules and len(copies) > 1]
    if clashes:
        lines = [f"{name} is in the upload {len(labels)} times: {', '.join(labels)}"
                 for name, labels in clashes]
        raise SubmissionProblem("; ".join(lines) + ". Upload each module once, then resubmit.")
    if not modules & set(by_name):
        from ..engine import did_you_mean
        seen = sorted(by_name)
        hint = did_you_mean(seen, sorted(modules))
        raise SubmissionProblem(
            "none of the course's modules is in the upload (expected "
            f"{', '.join(course.module_files)}; found {', '.join(seen[:8]) or 'no .py file'})"
            + (". " + "; ".join(hint) if hint else ""))
    os.makedirs(dest, exist_ok=True)
    os.chmod(dest, 0o755)  # the worker may run as another user and must read it
    origin = {}
    for name, copies in by_name.items():
        label, data = copies[0]
        if name not in modules and len(copies) > 1:
            notes.append(f"{name}: {len(copies)} files of this name; used {label}")
        target = os.path.join(dest, name)
        with open(target, "wb") as fh:
            fh.write(data)
        os.chmod(target, 0o644)
        if name in modules:
            origin[name] = label
    return origin, notes


# ---------------------------------------------------------------- one run on Gradescope
def student_problem(message):
    from ..reports import formats
    results = formats.gradescope_failure(message)
    results["output"] = f"Your submission could not be graded: {message}"
    return results


def upload_notes(origin, notes, course, report=None):
    """Markdown lines about the upload: modules found below the top, what was left out."""
    lines = []
    nested = {name: label for name, label in sorted(origin.items()) if label != name}
    if nested:
        lines.append("Graded from your upload: " + ", ".join(f"`{label}`" for label in nested.values()) + ".")
    missing = [m for m in course.module_files if m not in origin]
    if missing:
        lines.append("Not in your upload: " + ", ".join(f"`{m}`" for m in missing) + ".")
    lines += [f"Note: {n}." for n in notes]
    return "\n\n".join(lines) + ("\n\n" if lines else "")


def run(root, timeout=5.0, memory_mib=DEFAULT_MEMORY_MIB, sandbox="auto", total_timeout=TOTAL_TIMEOUT):
    """Grade the submission under `root`/submission, write `root`/results/results.json; the
    results say what went wrong when grading could not happen. Returns the exit status."""
    import json

    from .. import course as courses
    from .. import engine
    from ..reports import formats

    results_path = os.path.join(root, "results", "results.json")
    os.makedirs(os.path.dirname(results_path), exist_ok=True)
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="grader-")
    status = 0
    try:
        os.chmod(work, 0o755)
        course = courses.open_course(os.path.join(root, "source", "course"))
        try:
            origin, notes = gather(os.path.join(root, "submission"), course,
                                   os.path.join(work, "submission"))
        except SubmissionProblem as exc:
            results = student_problem(str(exc))
        else:
            report = engine.grade(os.path.join(work, "submission"), (), timeout=timeout,
                                  memory_mib=memory_mib, sandbox=sandbox, course=course,
                                  total_timeout=total_timeout)
            results = formats.gradescope_results(report)
            results["output"] = upload_notes(origin, notes, course) + results["output"]
            results["extra_data"] = {"sandbox": report["environment"].get("sandbox"),
                                     "skipped_score": report["skipped_score"],
                                     "percentage": report["percentage"]}
            print(f"graded: {report['score']:g}/{report['max_score']:g}; "
                  f"sandbox {report['environment'].get('sandbox')}; {report['duration_s']:g} s")
    except Exception as exc:  # the grader's failure, never the student's: say so, keep the trace
        traceback.print_exc()
        results = formats.gradescope_failure(
            f"{type(exc).__name__}: {exc}. This is a problem of the autograder, not of your code; "
            "please tell the course staff.")
        status = 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results.setdefault("execution_time", round(time.monotonic() - started, 2))
    formats.write_atomic(results_path, json.dumps(results, indent=2) + "\n")
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.instructor.gradescope",
                                     description="Grade one Gradescope submission (run_autograder).")
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("run", help="grade ROOT/submission into ROOT/results/results.json")
    one.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    one.add_argument("--timeout", type=float, default=5.0)
    one.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MIB)
    one.add_argument("--sandbox", default="auto")
    one.add_argument("--total-timeout", type=float, default=TOTAL_TIMEOUT)
    args = parser.parse_args(argv)
    return run(args.root, args.timeout, args.memory, args.sandbox, args.total_timeout)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # leave without tearing down torch (see grader.cli.entry)
