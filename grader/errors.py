"""Errors that carry their meaning for the command line."""


class UsageError(Exception):
    """Bad input from the person running the grader: one line, exit status 2."""
