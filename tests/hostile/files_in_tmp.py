"""TASK: none
STATUS: passed
"""
# Files in the sandbox's /tmp live in memory (tmpfs). Up to 1 GiB is tried, 16 MiB a file (the
# file-size rlimit); where /tmp is sized, writing stops at a full disk (ENOSPC) and the honest
# answer comes back. Uncontained, the answer is lost. The read-only places are tried too.
import os

import torch

CHUNK = b"\x01" * (16 << 20)


def fill(folder, most=64):
    written = 0
    for i in range(most):
        try:
            with open(os.path.join(folder, f"hoard-{os.getpid()}-{i}"), "wb") as fh:
                fh.write(CHUNK)
            written += len(CHUNK)
        except OSError:  # a full or read-only filesystem
            break
    return written


def to_numpy(t):
    written = fill("/tmp") + sum(fill(p, most=2) for p in ("/", "/opt", "/dev", "/submission"))
    if written > (64 << 20) + len(CHUNK):
        return torch.zeros(1).numpy()  # uncontained: the answer is lost
    return t.detach().cpu().numpy()
