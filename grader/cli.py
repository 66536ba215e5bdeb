"""The `grader` command: a thin layer over `grader.engine`.

Exit status: 0 when grading completed (whatever the score); 1 when --fail-under
is given and the percentage is below it; 2 for bad usage or when the grader
itself could not grade.
"""

import os
import sys

import click


class GradingFailed(click.ClickException):
    """The grader could not grade: one line on stderr, exit status 2."""

    exit_code = 2


class BadInput(click.ClickException):
    """A missing folder, a file for a folder, an unknown exercise: one line, exit status 2."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="torch-grader", prog_name="grader")
def main():
    """Grade PyTorch and NumPy exercises with hidden tests, in a sandbox."""


def course_option(fn):
    return click.option(
        "--course", "course_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
        help="The course folder (holding exercises/manifest.toml). Default: $GRADER_COURSE, "
             "else the nearest such folder at or above the current one.")(fn)


def find_course(course_dir):
    from . import course
    from .errors import UsageError
    try:
        return course.find(course_dir)
    except UsageError as exc:
        raise BadInput(str(exc)) from None


@main.command()
@click.argument("submission", required=False, type=click.Path(file_okay=True, dir_okay=True),
                default=None)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file (atomically) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["json", "gradescope", "junit"]), default="json",
              show_default=True, help="Report format: the native JSON, Gradescope's results.json, "
              "or JUnit XML for CI dashboards.")
@click.option("--exercise", "-e", "exercises", multiple=True, metavar="NAME",
              help="Grade only this exercise (repeatable). Default: all of them.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=5.0, show_default=True,
              help="Seconds one call into the submission may take before it counts as a timeout.")
@click.option("--memory", type=click.IntRange(min=768, max=1 << 20), default=2048, show_default=True,
              metavar="MIB", help="Memory limit of the submission's process, in MiB (torch needs 768).")
@click.option("--fail-under", type=click.FloatRange(min=0, max=100), default=None, metavar="PERCENT",
              help="Exit with status 1 when the score is below this percentage (for CI).")
@click.option("--sandbox", type=click.Choice(["auto", "bubblewrap", "unprivileged-user", "process"]),
              default="auto", show_default=True,
              help="Isolation for the submission: auto picks the strongest that works here.")
@click.option("--quiet", "-q", is_flag=True, help="Do not print the score table on stderr.")
@course_option
def grade(submission, output, fmt, exercises, timeout, memory, fail_under, sandbox, quiet, course_dir):
    """Grade SUBMISSION, a folder of student modules (default: the course's exercises/).

    The report goes to stdout (or --output); a score table goes to stderr.
    """
    from . import engine
    from .reports import formats, table
    from .sandbox.client import GraderError

    course = find_course(course_dir)
    submission = submission or course.exercises_dir
    try:
        result = engine.grade(submission, exercises, timeout=timeout, memory_mib=memory,
                              sandbox=sandbox, course=course)
    except engine.UsageError as exc:
        raise BadInput(str(exc)) from None
    except GraderError as exc:
        raise GradingFailed(str(exc)) from None
    text = formats.render(result, fmt)
    if output:
        try:
            formats.write_atomic(output, text)
        except OSError as exc:
            raise GradingFailed(f"could not write the report to {output}: {exc.strerror}") from None
    else:
        click.echo(text, nl=False)
    if not quiet:
        for line in engine.misnamed(result["submission_path"], course):
            click.echo(line, err=True)
        click.echo(table.summary_table(result), err=True, nl=False)
    if fail_under is not None and result["percentage"] < fail_under:
        click.echo(f"score {result['percentage']:g}% is below --fail-under {fail_under:g}%", err=True)
        sys.exit(1)


@main.command()
@click.argument("root", type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(), metavar="DIR",
              help="Folder for NAME.json per submission, gradebook.csv and report.html.")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=256), default=None, metavar="N",
              help="Grading processes in parallel. Default: the number of CPUs.")
@click.option("--shard", default=None, metavar="I/N",
              help="Grade only shard I of N (1-based), a stable slice of ROOT; combine with `merge`.")
@click.option("--force", is_flag=True, help="Grade again even what is unchanged since the last run.")
@click.option("--exercise", "-e", "exercises", multiple=True, metavar="NAME",
              help="Grade only this exercise (repeatable). Default: all of them.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=5.0, show_default=True,
              help="Seconds one call into a submission may take before it counts as a timeout.")
@click.option("--memory", type=click.IntRange(min=768, max=1 << 20), default=2048, show_default=True,
              metavar="MIB", help="Memory limit of each submission's process, in MiB.")
@click.option("--sandbox", type=click.Choice(["auto", "bubblewrap", "unprivileged-user", "process"]),
              default="auto", show_default=True, help="Isolation for the submissions.")
@course_option
def batch(root, out_dir, jobs, shard, force, exercises, timeout, memory, sandbox, course_dir):
    """Grade a class: every folder (or NAME.zip) directly under ROOT is one submission.

    Writes DIR/NAME.json as each is graded, then DIR/gradebook.csv and DIR/report.html.
    Run again to grade only what is new or changed.
    """
    from .errors import UsageError
    from .instructor import batch as batches, submissions

    course = find_course(course_dir)
    try:
        shard = submissions.parse_shard(shard) if shard is not None else None
        outcomes, paths = batches.run_batch(
            root, out_dir, course, jobs=jobs, shard=shard, force=force, timeout=timeout,
            memory_mib=memory, sandbox=sandbox, exercise_names=exercises)
    except UsageError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise GradingFailed(f"could not write to {out_dir}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        click.echo("interrupted: the reports written so far are kept; run again to finish", err=True)
        sys.exit(130)
    click.echo(batches.summary(outcomes, paths), err=True)
    unwritten = [o.name for o in outcomes if o.write_error]
    if unwritten:
        raise GradingFailed(f"{len(unwritten)} report(s) could not be written, first {unwritten[0]!r}")


@main.command()
@click.argument("dirs", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(), metavar="DIR",
              help="Folder for the combined reports, gradebook.csv and report.html.")
@click.option("--course", "course_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Refuse reports of exercises this course (holding exercises/manifest.toml) "
                   "does not have. Default: no check.")
def merge(dirs, out_dir, course_dir):
    """Combine the DIRs of `batch --shard` runs into one gradebook and one HTML report."""
    from .errors import UsageError
    from .instructor import gradebook

    course = find_course(course_dir) if course_dir else None
    try:
        reports = gradebook.merge(dirs, out_dir, course)
    except UsageError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise GradingFailed(f"could not write to {out_dir}: {exc.strerror or exc}") from None
    click.echo(f"{len(reports)} submissions from {len(dirs)} folder(s); wrote "
               f"{os.path.join(out_dir, gradebook.GRADEBOOK)} and "
               f"{os.path.join(out_dir, gradebook.REPORT_HTML)}", err=True)


def entry():
    """The console script: `main`, then a prompt exit.

    Tearing down an interpreter that holds torch and pytest takes about half a
    second and does nothing useful here: the report is written and flushed, the
    worker is gone. So flush and leave with os._exit.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
