"""TASK: *
STATUS: crashed
EXERCISE: import_error
MESSAGE: memory limit
REQUIRES: memory-cgroup
TIMEOUT: 10
"""
# Six processes of 300 MB each, started at import: every one stays under the per-process limit,
# together they are far over the submission's. Where the sandbox's cgroup counts them all, the
# kernel stops them at the limit and the import `crashed`; uncontained, every child reports its
# memory and the module's answers are lost (failed tests, which the case does not accept).
import select
import subprocess
import sys
import time

import torch

CHILD = """
import time
hoard = b"\\x01" * (300 << 20)  # written, so every page is really taken
print("ok", flush=True)
time.sleep(20)  # @MARKER@
"""

children = [subprocess.Popen([sys.executable, "-I", "-S", "-c", CHILD], stdout=subprocess.PIPE)
            for _ in range(6)]
held, deadline = 0, time.monotonic() + 10  # (the grader's timeout comes first)
waiting = {c.stdout.fileno(): c for c in children}
while waiting and time.monotonic() < deadline:
    ready, _, _ = select.select(list(waiting), [], [], 0.05)
    for fd in ready:  # a line when the child holds its memory, the end when it was killed
        held += waiting.pop(fd).stdout.readline() == b"ok\n"
for c in children:
    c.kill()
    c.wait()
LOST = held == len(children)  # uncontained


def to_tensor(a, requires_grad=False):
    if LOST:
        return torch.zeros(1)
    return torch.tensor(a, dtype=torch.float32, requires_grad=requires_grad)


def to_numpy(t):
    if LOST:
        return torch.zeros(1).numpy()
    return t.detach().cpu().numpy()
