"""The `grader` command: a thin layer over `grader.engine`.

Exit status: 0 when grading completed (whatever the score); 1 when --fail-under
is given and the percentage is below it; 2 for bad usage or when the grader
itself could not grade.
"""

import os
import re
import sys

import click

from . import safe_text


class GradingFailed(click.ClickException):
    """The grader could not grade: one line on stderr, exit status 2."""

    exit_code = 2


class BadInput(click.ClickException):
    """A missing folder, a file for a folder, an unknown exercise: one line, exit status 2."""

    exit_code = 2


# The whole submission's time budget by default (`grade`, `batch`). An honest submission of the
# course grades in under 10 s; one that loops everywhere costs a call timeout and a worker
# restart per task (56 tasks of 5 + 2 s: about 6.5 min) and is cut at 5 min, within the
# 10-minute limit platforms such as Gradescope set by default, with room for start-up.
DEFAULT_TOTAL_TIMEOUT = 300.0
NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2


class OneLineErrors(click.Group):
    """Every command's usage error (a bad option, a bad value) is one line on stderr, exit 2,
    like the grader's own BadInput: `Error: ... (grader grade -h for help)`."""

    def list_commands(self, ctx):
        """In the order they are defined: grading, the student's loop, the instructor's side."""
        return list(self.commands)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            value = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NO_ARGS_IS_HELP as exc:  # bare `grader`: the help, as before
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            message = " ".join(exc.format_message().split("\n")) if isinstance(exc, click.UsageError) \
                else exc.format_message()
            ctx = getattr(exc, "ctx", None)
            if isinstance(exc, click.UsageError) and ctx is not None:
                message += f" ({ctx.command_path} -h for help)"
            click.echo(safe_text.console(f"Error: {message}"), err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(value if isinstance(value, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="torch-grader", prog_name="grader")
def main():
    """Grade PyTorch and NumPy exercises with hidden tests, in a sandbox.

    Students: `grader list`, `grader check`, `grader hint TASK`, `grader watch`.
    Instructors and CI: `grader grade`, `grader batch`, `grader release`, `grader gradescope-package`.
    """


def course_option(fn):
    return click.option(
        "--course", "course_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
        help="The course folder (holding exercises/manifest.toml). Default: $GRADER_COURSE, "
             "else the nearest such folder at or above the current one.")(fn)


# ---------------------------------------------------------------- options every grading command shares
def limit_options(cpus=True, quiet=None, total_timeout=False):
    """--timeout, --memory and --cpus (and -q where the command prints a summary), the same on
    every command that grades. Each defaults to None: the course's [limits] (exercises/
    manifest.toml), else the grader's default; see `limits()`. --total-timeout, the whole
    submission's budget, where a command grades whole submissions (grade, batch)."""
    def decorate(fn):
        options = [
            click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=None,
                         metavar="SECONDS", help="Seconds one call into the submission may take before "
                         "it counts as a timeout. Default: the course's [limits] timeout, else 5."),
            click.option("--memory", type=click.IntRange(min=256, max=1 << 20), default=None,
                         metavar="MIB", help="Memory of the submission, in MiB: all its processes and "
                         "files together where a cgroup can hold them, else each process's data. "
                         "Default: the course's [limits] memory, else 2048."),
        ]
        if total_timeout:
            options.insert(1, click.option(
                "--total-timeout", "total_timeout", type=click.FloatRange(min=1, max=86400),
                default=DEFAULT_TOTAL_TIMEOUT, show_default=True, metavar="SECONDS",
                help="Seconds the whole submission may take; what has not run then is a timeout "
                     "and the report is still written."))
        if cpus:
            options.append(click.option(
                "--cpus", type=click.FloatRange(min=0.1, max=1024), default=None, metavar="N",
                help="CPU cores the submission's processes may use together (where a cgroup can "
                     "hold them). Default: the course's [limits] cpus, else 1."))
        if quiet:
            options.append(click.option("--quiet", "-q", is_flag=True, help=quiet))
        for option in reversed(options):
            fn = option(fn)
        return fn
    return decorate


def limits(course, timeout=None, memory=None, cpus=None):
    """(timeout, memory, cpus): what the command line gave, else the course's [limits], else the
    grader's defaults."""
    return tuple(value if value is not None else course.limit(name)
                 for name, value in (("timeout", timeout), ("memory", memory), ("cpus", cpus)))


def submission_arguments(fn):
    """SUBMISSION, as an argument or as -s/--submission: every command that grades takes both."""
    fn = click.option("--submission", "-s", "submission_flag", type=click.Path(), default=None,
                      metavar="DIR", help="The folder with the modules (the same as SUBMISSION). "
                      "Default: the course's exercises/.")(fn)
    return click.argument("submission", required=False, type=click.Path(), default=None)(fn)


def one_submission(argument, option):
    if argument is not None and option is not None and argument != option:
        raise BadInput(f"two submissions given ({argument!r} and -s {option!r}); give one")
    return argument if argument is not None else option


def find_course(course_dir):
    """The course, checked as data (`course.problems`): a broken course (a duplicate exercise, a
    task without tests...) is refused in one line, exit 2, before anything is graded or written."""
    from . import course
    from .errors import UsageError
    try:
        return course.check(course.find(course_dir))
    except UsageError as exc:
        raise BadInput(str(exc)) from None


@main.command()
@submission_arguments
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write the report to this file (atomically) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["json", "gradescope", "junit", "classroom"]),
              default="json", show_default=True, help="Report format: the native JSON, Gradescope's "
              "results.json, JUnit XML for CI dashboards, or a GitHub Classroom runner result.")
@click.option("--exercise", "-e", "exercises", multiple=True, metavar="NAME",
              help="Grade only this exercise (repeatable). Default: all of them.")
@limit_options(quiet="Do not print the score table on stderr.", total_timeout=True)
@click.option("--fail-under", type=click.FloatRange(min=0, max=100), default=None, metavar="PERCENT",
              help="Exit with status 1 when the score is below this percentage (for CI).")
@click.option("--sandbox", type=click.Choice(["auto", "bubblewrap", "unprivileged-user", "process"]),
              default="auto", show_default=True,
              help="Isolation for the submission: auto picks the strongest that works here.")
@click.option("--github-output", "github_output", default=None, metavar="NAME",
              help="Also write the GitHub Classroom runner result, base64-encoded, as NAME=... to "
                   "the file named by $GITHUB_OUTPUT (for autograding-grading-reporter).")
@course_option
def grade(submission, submission_flag, output, fmt, exercises, timeout, total_timeout, memory, cpus,
          quiet, fail_under, sandbox, github_output, course_dir):
    """Grade SUBMISSION, a folder of student modules (default: the course's exercises/).

    The report goes to stdout (or --output); a score table goes to stderr, and, when
    $GITHUB_STEP_SUMMARY names a file, a Markdown table is appended to it.
    """
    from . import engine
    from .reports import formats, table
    from .sandbox.client import GraderError

    # Everything that can be refused is refused before a worker starts.
    if output and (why := formats.check_writable(output)):
        raise BadInput(f"--output {output}: {why}")
    if github_output is not None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", github_output):
            raise BadInput(f"--github-output {github_output!r}: a name of letters, digits, - and _")
        if not os.environ.get("GITHUB_OUTPUT"):
            raise BadInput("--github-output needs $GITHUB_OUTPUT, the file GitHub Actions reads outputs from")
    course = find_course(course_dir)
    submission = one_submission(submission, submission_flag) or course.exercises_dir
    timeout, memory, cpus = limits(course, timeout, memory, cpus)
    try:
        result = engine.grade(submission, exercises, timeout=timeout, memory_mib=memory,
                              sandbox=sandbox, course=course, cpus=cpus, total_timeout=total_timeout)
    except (engine.UsageError, GraderError) as exc:
        message = " ".join(str(exc).split())
        from .judge import points  # Classroom records 0 of the course's maximum, not 0 of 0
        maximum = points.max_score(course, exercises) if github_output is not None or fmt == "classroom" else 0
        if github_output is not None:  # the reporter then fails the job with the reason
            write_github_output(github_output, formats.classroom_failure(message, maximum))
        if isinstance(exc, engine.UsageError):
            raise BadInput(str(exc)) from None
        # The grader's own failure: the report (in its format) says so, never a score of 0.
        write_report(formats.render(formats.error_report(os.path.basename(
            os.path.realpath(submission)), message), fmt, maximum), output)
        raise GradingFailed(message) from None
    if github_output is not None:
        write_github_output(github_output, formats.classroom_result(result))
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        try:
            with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as fh:
                fh.write(table.markdown_table(result) + "\n")
        except OSError as exc:
            click.echo(f"could not append to $GITHUB_STEP_SUMMARY: {exc.strerror}", err=True)
    write_report(formats.render(result, fmt), output)
    if not quiet:
        for line in engine.misnamed(result["submission_path"], course):
            click.echo(safe_text.console(line), err=True)
        click.echo(table.summary_table(result), err=True, nl=False)
    # The exact percentage, not the rounded one in the report: 14/288 is 4.86 %, below 4.9.
    exact = 100.0 * result["score"] / result["max_score"] if result["max_score"] else 0.0
    if fail_under is not None and exact < fail_under:
        click.echo(f"score {result['score']:g}/{result['max_score']:g} = {exact:.6g}% is below "
                   f"--fail-under {fail_under:g}%", err=True)
        sys.exit(1)


def write_report(text, output):
    """The report to `output` (atomically) or to stdout."""
    from .reports import formats
    if output:
        try:
            formats.write_atomic(output, text)
        except OSError as exc:
            raise GradingFailed(f"could not write the report to {output}: {exc.strerror}") from None
    else:
        click.echo(safe_text.console(text), nl=False)


# ---------------------------------------------------------------- the student's loop
def use_colour(stream=None):
    """Colour on a terminal only, and never when NO_COLOR is set (https://no-color.org)."""
    stream = stream or sys.stdout
    return bool(stream.isatty()) and not os.environ.get("NO_COLOR")


def submission_option(fn):
    return click.option("--submission", "-s", type=click.Path(), default=None, metavar="DIR",
                        help="The folder with your modules. Default: the course's exercises/.")(fn)


def warm_grader(course, timeout=None, memory=None, cpus=None):
    from .engine import Grader
    timeout, memory, cpus = limits(course, timeout, memory, cpus)
    return Grader(course, timeout=timeout, memory_mib=memory, cpus=cpus)


def run_student_grading(fn):
    """Bad input and grader failures as one line and exit 2, for the student's commands."""
    from .errors import UsageError
    from .sandbox.client import GraderError
    try:
        return fn()
    except UsageError as exc:
        raise BadInput(str(exc)) from None
    except GraderError as exc:
        raise GradingFailed(str(exc)) from None


@main.command(name="list")
@submission_arguments
@limit_options()
@course_option
def list_(submission, submission_flag, timeout, memory, cpus, course_dir):
    """Show your progress: every exercise in learning order, each task done / failing / not
    started, your score so far and a progress bar.

    SUBMISSION is the folder with your modules (default: the course's exercises/). In a student
    handout this runs the public tests; in the instructor's course, the hidden ones.
    """
    from .student import progress
    course = find_course(course_dir)
    submission = one_submission(submission, submission_flag) or course.exercises_dir

    def work():
        grader = warm_grader(course, timeout, memory, cpus)
        try:
            return grader.grade(submission)
        finally:
            grader.close()
    report = run_student_grading(work)
    click.echo(safe_text.console(progress.render(report, course, submission, colour=use_colour())), nl=False)


@main.command()
@click.argument("target", required=False, default=None)
@submission_option
@limit_options()
@course_option
def check(target, submission, timeout, memory, cpus, course_dir):
    """Check one exercise or task and say what to fix.

    TARGET is an exercise (`losses`) or a task (`cross_entropy`); without one, the next
    unfinished task of the course is checked. Each failed test is shown on a few lines: what was
    called, what came back, what was expected, and where in your file to look; then the next step.

    Exit status: 0 when every test that ran passed, 1 otherwise, 2 for a name that does not exist.
    """
    from .student import check as checking
    course = find_course(course_dir)
    submission = submission or course.exercises_dir

    def work():
        grader = warm_grader(course, timeout, memory, cpus)
        try:
            return checking.run_check(grader, course, target, submission, colour=use_colour())
        finally:
            grader.close()
    result = run_student_grading(work)
    click.echo(safe_text.console(result.text), nl=False)
    sys.exit(result.exit_code)


@main.command()
@click.argument("task")
@submission_option
@click.option("--reset", is_flag=True, help="Start this task's hints again from the first.")
@course_option
def hint(task, submission, reset, course_dir):
    """Show one more hint for TASK each time you ask (remembered per submission folder)."""
    from .student import hints
    from .student.targets import resolve_task
    course = find_course(course_dir)
    submission = submission or course.exercises_dir
    _, found = run_student_grading(lambda: resolve_task(task, course))
    click.echo(hints.render(found, submission, reset=reset), nl=False)


@main.command()
@submission_option
@limit_options()
@course_option
def watch(submission, timeout, memory, cpus, course_dir):
    """Re-check a module each time you save it, and show what to do next. Ctrl-C stops.

    The grader stays loaded and starts the next sandbox ahead of time, so a re-check after a save
    takes a fraction of a second.
    """
    from .student import watch as watching
    course = find_course(course_dir)
    submission = submission or course.exercises_dir
    run_student_grading(lambda: __import__("grader.engine").engine.check_submission(submission, course))
    grader = warm_grader(course, timeout, memory, cpus)
    colour = use_colour()
    try:
        run_student_grading(lambda: watching.watch(grader, course, submission, click.echo,
                                                   colour=colour, clear=colour))
    except KeyboardInterrupt:
        click.echo("\nStopped watching.")
    finally:
        grader.close()


# ---------------------------------------------------------------- the instructor's side
@main.command()
@click.argument("out", type=click.Path())
@click.option("--force", is_flag=True, help="Replace OUT when it exists and is not empty.")
@course_option
def release(out, force, course_dir):
    """Write the student handout to OUT: stubs, manifest, pictures, public tests, the grader.

    No solution and no hidden test goes in; a visible test that needs a reference
    implementation is left out and named."""
    from .errors import UsageError
    from .instructor import release as releases

    try:
        click.echo(releases.build(find_course(course_dir), out, force=force).summary())
    except UsageError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise GradingFailed(f"could not write the handout {out}: {exc}") from None


@main.command()
@click.option("--mutants", is_flag=True,
              help="Also grade mutants of the solutions: the share each task's tests kill, and the "
                   "survivors with their diffs (minutes; resumes from tests/audit/mutants-state.jsonl).")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=256), default=1, show_default=True,
              metavar="N", help="Rounds of mutants graded at once.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also write the summary as a self-contained HTML page.")
@click.option("--exercise", "-e", "exercises", multiple=True, metavar="NAME",
              help="Audit only this exercise (repeatable). Default: all of them.")
@click.option("--task", "tasks", multiple=True, metavar="NAME",
              help="With --mutants: only the mutants of this task (repeatable).")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=2.0, show_default=True,
              help="Seconds one call into a mutant may take.")
@click.option("--fresh", is_flag=True, help="With --mutants: forget the results of earlier runs.")
@course_option
def audit(mutants, jobs, html_file, exercises, tasks, timeout, fresh, course_dir):
    """Check the course: as data (names, files, tests per task) and as tests (stubs score 0,
    solutions full, constants 0, public tests pass on the solutions, pitfalls fail them).

    Exit status: 0 when everything holds, 1 when a check fails, 2 when the course is broken
    as data (each problem on its own line) or the audit could not run.
    """
    from . import course as courses
    from .audit import core, render
    from .errors import UsageError
    from .reports import formats
    from .sandbox.client import GraderError

    if html_file and (why := formats.check_writable(html_file)):
        raise BadInput(f"--html {html_file}: {why}")
    try:
        course = courses.find(course_dir)  # unchecked: the audit lists every problem itself
        result = core.run(course, exercises, tasks, mutants=mutants, jobs=jobs, timeout=timeout,
                          fresh=fresh)
    except UsageError as exc:
        raise BadInput(str(exc)) from None
    except GraderError as exc:
        raise GradingFailed(str(exc)) from None
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: the mutants graded so far are kept in {core.STATE}; run again to "
                   "resume", err=True)
        sys.exit(130)
    click.echo(render.text(result, course), nl=False)
    if html_file:
        try:
            formats.write_atomic(html_file, render.page(result, course))
        except OSError as exc:
            raise GradingFailed(f"could not write {html_file}: {exc.strerror}") from None
    sys.exit(result.exit_code)


def write_github_output(name, runner_result):
    """Append NAME=<base64 of the runner result's JSON> to $GITHUB_OUTPUT."""
    import base64
    import json

    encoded = base64.b64encode(json.dumps(runner_result).encode()).decode("ascii")
    try:
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as fh:
            fh.write(f"{name}={encoded}\n")
    except OSError as exc:
        raise GradingFailed(f"could not write to $GITHUB_OUTPUT: {exc.strerror}") from None


@main.command("gradescope-package")
@click.argument("out_zip", metavar="OUT.zip", type=click.Path(dir_okay=False))
@limit_options(cpus=False)
@course_option
def gradescope_package(out_zip, timeout, memory, course_dir):
    """Write OUT.zip, the autograder of a Gradescope programming assignment.

    It holds setup.sh and run_autograder, the grader, and the course without its solutions.
    """
    from .errors import UsageError
    from .instructor import gradescope
    from .reports import formats

    if why := formats.check_writable(out_zip):
        raise BadInput(f"{out_zip}: {why}")
    course = find_course(course_dir)
    if memory is None:  # Gradescope's default container is small: its own default, unless the
        memory = course.limits.get("memory", gradescope.DEFAULT_MEMORY_MIB)  # course sets one
    timeout, memory, _ = limits(course, timeout, memory)
    try:
        settings = gradescope.settings(course, memory)
        paths = gradescope.build_package(out_zip, course, timeout=timeout, memory_mib=memory,
                                         settings_text=settings)
    except UsageError as exc:
        raise BadInput(str(exc)) from None
    size = os.path.getsize(out_zip)
    click.echo(f"wrote {out_zip} ({len(paths)} files, {size / 1024:.0f} KiB): upload it as the "
               "autograder of a Gradescope programming assignment", err=True)
    click.echo(settings, err=True)


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
@limit_options(quiet="No progress lines on stderr; the summary only.", total_timeout=True)
@click.option("--sandbox", type=click.Choice(["auto", "bubblewrap", "unprivileged-user", "process"]),
              default="auto", show_default=True, help="Isolation for the submissions.")
@click.option("--worker-template/--fresh-workers", "worker_template", default=True, show_default=True,
              help="Fork each submission's sandboxed worker from a template that imported torch once "
                   "per grading process, or start a fresh worker (importing torch) for each. Either way "
                   "each submission has its own namespaces, cgroup and limits and the same scores; the "
                   "template needs bubblewrap and no GPU, else fresh workers grade. Each report's "
                   "environment.worker says which did.")
@course_option
def batch(root, out_dir, jobs, shard, force, exercises, timeout, total_timeout, memory, cpus, quiet, sandbox,
          worker_template, course_dir):
    """Grade a class: every folder (or NAME.zip) directly under ROOT is one submission.

    Writes DIR/NAME.json as each is graded, then DIR/gradebook.csv and DIR/report.html.
    Run again to grade only what is new or changed.
    """
    from .errors import UsageError
    from .instructor import batch as batches, submissions

    course = find_course(course_dir)
    timeout, memory, cpus = limits(course, timeout, memory, cpus)
    try:
        shard = submissions.parse_shard(shard) if shard is not None else None
        outcomes, paths = batches.run_batch(
            root, out_dir, course, jobs=jobs, shard=shard, force=force, timeout=timeout,
            memory_mib=memory, cpus=cpus, sandbox=sandbox, exercise_names=exercises, quiet=quiet,
            total_timeout=total_timeout, worker_template=worker_template)
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
@click.option("--check-course", "course_dir", type=click.Path(file_okay=False), default=None,
              metavar="DIR", help="Refuse reports of exercises this course (holding "
              "exercises/manifest.toml) does not have. Default: no check. (Not --course: merge "
              "grades nothing, so it needs no course.)")
@click.option("--root", "root", type=click.Path(), default=None, metavar="ROOT",
              help="The class's submissions (the ROOT the shards graded): every student there "
                   "must have a report, else the missing are named and the exit status is 1.")
def merge(dirs, out_dir, course_dir, root):
    """Combine the DIRs of `batch --shard` runs into one gradebook and one HTML report."""
    from .errors import UsageError
    from .instructor import gradebook

    course = find_course(course_dir) if course_dir else None
    try:
        if root is not None:  # refused before anything is written
            gradebook.missing_students(root, [])
        reports = gradebook.merge(dirs, out_dir, course, root=root)
        missing = (gradebook.missing_students(root, reports, [*dirs, out_dir])
                   if root is not None else [])
    except UsageError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise GradingFailed(f"could not write to {out_dir}: {exc.strerror or exc}") from None
    click.echo(f"{len(reports)} submissions from {len(dirs)} folder(s); wrote "
               f"{os.path.join(out_dir, gradebook.GRADEBOOK)} and "
               f"{os.path.join(out_dir, gradebook.REPORT_HTML)}", err=True)
    if missing:
        # A shard that was cancelled or never ran: the gradebook lacks these rows. Say so and fail,
        # so that a scheduler shows the merge as failed rather than a short gradebook as done.
        shown = ", ".join(repr(name) for name in missing[:50])
        more = f" and {len(missing) - 50} more" if len(missing) > 50 else ""
        click.echo(f"incomplete: {len(missing)} of the {len(missing) + len(reports)} submissions "
                   f"under {root} have no report in these folders: {shown}{more}. Grade their "
                   "shards again (the finished work is kept), then merge again.", err=True)
        sys.exit(1)


def entry():
    """The console script: `main`, then a prompt exit.

    Tearing down an interpreter that holds torch and pytest takes about half a
    second and does nothing useful here: the report is written and flushed, the
    worker is gone. So flush and leave with os._exit.
    """
    standard_fds_open()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: Python started with that fd closed
                stream.flush()
    except (OSError, ValueError):
        code = code or 1
    os._exit(code)


def standard_fds_open():
    """Put /dev/null on fds 0, 1 and 2 where the grader was started with them closed
    (`grader grade ... >&-`): a closed one is taken by the next file or pipe the grader opens,
    and what is meant for stdout or stderr lands there (with fd 1 closed, `grade` scored the
    solutions 0, an import error for every module)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


if __name__ == "__main__":  # pragma: no cover
    entry()
