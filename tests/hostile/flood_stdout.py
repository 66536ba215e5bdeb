"""TASK: none
STATUS: passed
"""
import sys


def to_numpy(t):
    chunk = "x" * (1 << 20)
    for _ in range(40):
        sys.stdout.write(chunk)
        sys.stderr.write(chunk)
    return t.detach().cpu().numpy()
