"""TASK: none
STATUS: passed
REQUIRES: cgroup
"""
# A fork bomb, bounded so that a test can run it: a small process forks until it is refused
# or has 2000 children. Where the worker's process count is limited, it is refused early.
import subprocess
import sys

import torch

BOMB = """
import os, sys, time
count = 0
try:
    while count < 2000:
        if os.fork() == 0:
            os.closerange(0, 3)  # so that the bomb's reader sees it end
            time.sleep(120)  # @MARKER@
            os._exit(0)
        count += 1
except OSError:
    pass
print(count)
"""


def to_tensor(a, requires_grad=False):
    forked = int(subprocess.run([sys.executable, "-c", BOMB], capture_output=True, text=True).stdout)
    if forked >= 2000:
        return torch.zeros(1)  # uncontained: the answer is lost
    return torch.tensor(a, dtype=torch.float32, requires_grad=requires_grad)
