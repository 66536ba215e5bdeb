"""TASK: none
STATUS: passed
NEIGHBOUR: solutions
"""
# Three processes spinning from the import on (for at most 10 s; they end with the sandbox), while
# each call of to_numpy waits a little so that grading lasts a few seconds: where the sandbox's
# cgroup bounds its CPU, together they get the submission's cores and no more, and a neighbour
# graded at the same time keeps its own. The test measures the sandbox's CPU use against the bound.
import subprocess
import sys
import time

SPIN = "import time\nend = time.monotonic() + 10\nwhile time.monotonic() < end: pass  # @MARKER@"
spinners = [subprocess.Popen([sys.executable, "-I", "-S", "-c", SPIN]) for _ in range(3)]


def to_numpy(t):
    # 0.5 s: with three spinners on the submission's one core, the call's own work (a probe's
    # included) gets a quarter of it, and each call must still end within the test's --timeout
    # of 1.5 s. Three spinners already hold the bound; more only starve the honest calls.
    time.sleep(0.5)
    return t.detach().cpu().numpy()
