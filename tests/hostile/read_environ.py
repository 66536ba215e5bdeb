"""TASK: to_numpy
STATUS: error
MESSAGE: environment seen:
"""
import os


def to_numpy(t):
    # Every environment this process can read: its own, and every process's in /proc (the
    # sandbox's first one, bwrap, included). The test plants GRADER_HOSTILE_SECRET in the
    # grader's environment and checks that nothing of that environment comes back here.
    seen = dict(os.environ)
    for pid in os.listdir("/proc"):
        if pid.isdigit() or pid == "self":
            try:
                with open(f"/proc/{pid}/environ", "rb") as fh:
                    for entry in fh.read().split(b"\0"):
                        name, _, value = entry.decode(errors="replace").partition("=")
                        if name:
                            seen[name] = value
            except OSError:
                pass
    first = sorted(seen, key=lambda name: (not name.startswith("GRADER_HOSTILE"), name))
    raise RuntimeError("environment seen: " + " ".join(f"{k}={seen[k]}" for k in first))
