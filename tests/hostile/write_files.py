"""TASK: none
STATUS: passed
"""
import os


def try_write(path):
    try:
        with open(path, "w") as fh:
            fh.write("hostile")
    except OSError:
        pass


def to_numpy(t):
    for path in ("@OUTSIDE@", "@PROJECT@/tests/exercises/test_tensor_numpy.py",
                 "@PROJECT@/grader/reports/build.py", "@REPORT@", os.path.join(os.getcwd(), "dropped.txt")):
        try_write(path)
    return t.detach().cpu().numpy()
