"""An autograder for PyTorch and NumPy exercises.

The trusted side (this package, pytest, the hidden tests) never imports a
submission: student code runs in a sandboxed worker process (`grader.worker`)
and only plain data comes back (`grader.codec`).
"""

__version__ = "0.1.0"
