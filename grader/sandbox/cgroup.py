"""A process-count limit that holds for root too: a pids cgroup per worker.

RLIMIT_NPROC is not enforced for root, and inside bubblewrap the worker is root
outside its namespace, so a fork bomb would only meet the PID namespace's end
at the next kill. Where this process may create cgroups (root, and a pids
controller in cgroup v1 or v2), each worker runs in a fresh cgroup with
`pids.max` (threads count too). Elsewhere nothing is made and the rlimit is all
there is; `PidsCgroup.make` then returns None.
"""

import itertools
import os
import time

ROOT = "/sys/fs/cgroup"
_counter = itertools.count()


def own_path(controller):
    """This process's cgroup path for `controller` ('' for the v2 unified tree), from /proc/self/cgroup."""
    try:
        with open("/proc/self/cgroup") as fh:
            for line in fh:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controller in controllers.split(","):
                    return path
    except OSError:
        pass
    return None


def pids_bases():
    """Folders where a pids cgroup may be made, v1 first."""
    bases = []
    v1 = own_path("pids")
    if v1 is not None and os.path.isdir(os.path.join(ROOT, "pids")):
        bases.append(os.path.join(ROOT, "pids") + v1)
    v2 = own_path("")
    for mount in (ROOT, os.path.join(ROOT, "unified")):
        try:
            with open(os.path.join(mount, "cgroup.controllers")) as fh:
                has_pids = "pids" in fh.read().split()
        except OSError:
            continue
        if has_pids and v2 is not None:
            bases.append(mount + v2)
    return bases


class PidsCgroup:
    def __init__(self, path):
        self.path = path

    @property
    def procs_file(self):
        return os.path.join(self.path, "cgroup.procs")

    @classmethod
    def make(cls, limit):
        if os.geteuid() != 0:
            return None
        for base in pids_bases():
            path = os.path.join(base.rstrip("/"), f"grader-{os.getpid()}-{next(_counter)}")
            try:
                os.mkdir(path)
            except OSError:
                continue
            try:
                with open(os.path.join(path, "pids.max"), "w") as fh:
                    fh.write(str(limit))
            except OSError:
                os.rmdir(path)
                continue
            return cls(path)
        return None

    def wrap(self, argv):
        """`argv` started inside this cgroup: a shell joins it, then execs the command, so no
        process of the worker is ever outside it."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', self.procs_file, *argv]

    def members(self):
        try:
            with open(self.procs_file) as fh:
                return [int(line) for line in fh if line.strip()]
        except (OSError, ValueError):
            return []

    def remove(self):
        """Delete the cgroup once its processes are gone (killed ones may take a moment)."""
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)
