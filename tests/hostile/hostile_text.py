"""TASK: to_numpy
STATUS: error
MESSAGE: lone � surrogate
"""
# Text that broke the outputs: XML-illegal characters and a colour code, workflow commands
# (new and old form), and a lone surrogate in the exception message. Every output's handling of
# it is checked in tests/test_outputs.py; here: the report stays JSON and the verdict an error.


def to_numpy(t):
    print("\x00\x0c\x1b[31mred\x1b[0m")
    print("::error::x")
    print("  ::add-mask::y")
    print("::stop-commands::token")
    print("older form: ##[add-mask]secret")
    raise ValueError("lone \ud800 surrogate \x00 ::error::z\n  ::add-mask::w")
