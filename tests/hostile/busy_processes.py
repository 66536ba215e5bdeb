"""TASK: none
STATUS: passed
NEIGHBOUR: solutions
"""
# Six processes spinning from the import on (for 4 s, then they end): where the sandbox's cgroup
# bounds its CPU, together they get the submission's cores and no more, and a neighbour graded
# at the same time keeps its own. The test measures the sandbox's CPU use against the bound.
import subprocess
import sys

SPIN = "import time\nend = time.monotonic() + 4\nwhile time.monotonic() < end: pass  # @MARKER@"
spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(6)]
