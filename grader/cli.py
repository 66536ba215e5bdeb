"""The `grader` command: a thin layer over `grader.engine`.

Exit status: 0 when grading completed (whatever the score); 1 when --fail-under
is given and the percentage is below it; 2 for bad usage or when the grader
itself could not grade.
"""

import os
import sys

import click

DEFAULT_SUBMISSION = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                  "exercises")


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
              metavar="MIB", help="Memory limit of the submission, in MiB (torch needs 768): each "
              "process, and all of them with their files together where a cgroup can hold them.")
@click.option("--cpus", type=click.FloatRange(min=0.1, max=1024), default=1.0, show_default=True,
              help="CPU cores the submission's processes may use together (where a cgroup can hold them).")
@click.option("--fail-under", type=click.FloatRange(min=0, max=100), default=None, metavar="PERCENT",
              help="Exit with status 1 when the score is below this percentage (for CI).")
@click.option("--sandbox", type=click.Choice(["auto", "bubblewrap", "unprivileged-user", "process"]),
              default="auto", show_default=True,
              help="Isolation for the submission: auto picks the strongest that works here.")
@click.option("--quiet", "-q", is_flag=True, help="Do not print the score table on stderr.")
def grade(submission, output, fmt, exercises, timeout, memory, cpus, fail_under, sandbox, quiet):
    """Grade SUBMISSION, a folder of student modules (default: the project's exercises/).

    The report goes to stdout (or --output); a score table goes to stderr.
    """
    from . import engine
    from .reports import formats, table
    from .sandbox.client import GraderError

    submission = submission or DEFAULT_SUBMISSION
    try:
        result = engine.grade(submission, exercises, timeout=timeout, memory_mib=memory,
                              sandbox=sandbox, cpus=cpus)
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
        click.echo(table.summary_table(result), err=True, nl=False)
    if fail_under is not None and result["percentage"] < fail_under:
        click.echo(f"score {result['percentage']:g}% is below --fail-under {fail_under:g}%", err=True)
        sys.exit(1)


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
