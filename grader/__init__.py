"""An autograder for PyTorch and NumPy exercises.

The trusted side (this package, pytest, the hidden tests) never imports a
submission: student code runs in a sandboxed worker process (`grader.worker`)
and only plain data comes back (`grader.worker.codec`).
"""

__version__ = "0.1.0"


def check(target=None, submission=None, course=None, timeout=None, file=None, memory=None, cpus=None):
    """Check a task or an exercise from Python (a notebook): see `grader.student.check.check`."""
    from .student.check import check as run
    return run(target, submission=submission, course=course, timeout=timeout, file=file,
               memory=memory, cpus=cpus)
