"""TASK: *
STATUS: crashed
EXERCISE: import_error
MESSAGE: memory limit
REQUIRES: memory-cgroup
"""
# Memory no process maps: 96 memfds of 16 MiB (the file-size rlimit), written at import, 1.5 GiB
# that no address-space limit sees. Where the sandbox's cgroup counts them (shared memory is
# charged to the writer's group), the import `crashed` at the memory limit; uncontained, the
# module's answers are lost (failed tests, which the case does not accept).
import os

import torch

CHUNK = b"\x01" * (16 << 20)
hoard = []
for _ in range(96):
    fd = os.memfd_create("hoard")
    os.write(fd, CHUNK)
    hoard.append(fd)
LOST = True  # every byte was kept: uncontained


def to_tensor(a, requires_grad=False):
    return torch.zeros(1)


def to_numpy(t):
    return torch.zeros(1).numpy()
