"""TASK: to_numpy
STATUS: error
MESSAGE: environment seen:
"""
import os


def to_numpy(t):
    # The worker's own environment, as Python sees it and as the kernel keeps it: at every
    # level (without namespaces other processes' /proc/PID/environ cannot be hidden; see
    # read_environ for bubblewrap), nothing of the grader's environment.
    seen = dict(os.environ)
    try:  # a worker that dropped root is not dumpable: its own /proc files are root's then
        with open("/proc/self/environ", "rb") as fh:
            for entry in fh.read().split(b"\0"):
                name, _, value = entry.decode(errors="replace").partition("=")
                if name:
                    seen[name] = value
    except OSError:
        pass
    raise RuntimeError("environment seen: " + " ".join(f"{k}={v}" for k, v in sorted(seen.items())))
