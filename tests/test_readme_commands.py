"""Every `grader` command line the README (and the handout's README, docs/report.md and the
commands' help texts) shows
is checked against the command itself: examples are parsed by click as the shell would pass them
(an unknown option, a missing value or a bad choice fails), and in synopses
(`grader grade [SUBMISSION] [--output FILE] ...`) every option named must exist."""

import inspect
import os
import re
import shlex

import click
import pytest
from helpers import PROJECT

from grader import cli
from grader import course as courses

COMMAND = re.compile(r"^(?:\$ )?(?:grader|python -m grader(?:\.cli)?) ([a-z].*)$")


def code_lines(text):
    """Command lines of code blocks (indented or fenced) and of inline code spans, with a synopsis's
    continuation lines (`             [--timeout SECONDS] ...`) joined to it."""
    lines, in_fence = [], False
    for raw in text.splitlines():
        if raw.strip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence or raw.startswith("    "):
            stripped = raw.strip()
            if lines and stripped.startswith("[") and lines[-1][1]:
                lines[-1] = (lines[-1][0] + " " + stripped, True)
            else:
                lines.append((stripped, True))
        else:
            lines += [(span, False) for span in re.findall(r"`([^`]+)`", raw)]
            if lines and not lines[-1][1]:
                lines[-1] = (lines[-1][0], False)
    out = []
    for line, in_block in lines:
        line = re.split(r"\s#\s", line)[0].strip()  # a comment after the command
        if in_block:
            line = re.split(r"\s{2,}", line)[0]  # a listing: the command, then what it does
        match = COMMAND.match(line)
        if match:
            out.append((match.group(1), in_block))
    return out


def documents():
    with open(os.path.join(PROJECT, "README.md"), encoding="utf-8") as fh:
        yield "README.md", fh.read()
    with open(os.path.join(PROJECT, "docs", "report.md"), encoding="utf-8") as fh:
        yield "docs/report.md", fh.read()
    from grader.instructor import release
    yield "the handout README", release.readme(courses.find(PROJECT))
    yield "grader -h", inspect.cleandoc(cli.main.help)
    for name, command in cli.main.commands.items():
        yield f"grader {name} -h", "\n".join([inspect.cleandoc(command.help or "")] + [
            getattr(param, "help", None) or "" for param in command.params])


def command_lines():
    return [(name, line, whole) for name, text in documents() for line, whole in code_lines(text)]


def options_of(command):
    return {opt for param in command.params for opt in getattr(param, "opts", []) + getattr(param, "secondary_opts", [])}


def check_line(line, whole=True):
    """None when `grader LINE` is right, else what is wrong. A synopsis, or a fragment of prose
    (`grader batch --jobs 2`, not `whole`), has its options checked, not its arguments."""
    synopsis = "[" in line or "|" in line or "..." in line or not whole
    try:
        words = shlex.split(line)
    except ValueError as exc:
        return f"not a shell line: {exc}"
    if not words:
        return "empty"
    command = cli.main.commands.get(words[0])
    if command is None:
        return f"no command {words[0]!r}"
    if synopsis:
        named = re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", line)
        unknown = [opt for opt in named if opt not in options_of(command) | {"-h", "--help"}]
        return f"no option {unknown[0]} on `grader {words[0]}`" if unknown else None
    try:
        with cli.main.make_context("grader", [words[0]]) as parent:
            command.make_context(words[0], words[1:], parent=parent)
    except click.ClickException as exc:
        return exc.format_message()
    return None


def test_the_documents_show_commands_at_all():
    lines = command_lines()
    shown = {line.split()[0] for _, line, _ in lines if line.split()}
    assert {"grade", "list", "check", "hint", "watch", "batch", "merge", "release",
            "gradescope-package"} <= shown, shown
    assert check_line("list -x mywork") and check_line("grade --format xml")  # the check bites
    assert check_line("batch ROOT [--nope N]")


@pytest.mark.parametrize("where, line, whole", command_lines())
def test_a_command_line_of_the_docs_is_one_the_grader_accepts(where, line, whole):
    assert check_line(line, whole) is None, f"{where}: `grader {line}`: {check_line(line, whole)}"
