"""Makes sure no process started by a submission outlives grading.

The grader becomes a child subreaper (Linux): a process the worker forks and
orphans, even a double-forked daemon, is re-parented to the grader instead of
init, so it can still be found through /proc and killed.
"""

import ctypes
import os
import signal

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def children_of(pid):
    """Direct children of `pid`, read from /proc."""
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(name))
    return found


def descendants(pid):
    seen, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            if child not in seen:
                seen.append(child)
                todo.append(child)
    return seen


def kill_tree(pid, spare=(), also=()):
    """SIGKILL `pid`, everything below it and the pids in `also` (a cgroup's members,
    which may have left the tree); stopped first, so nothing forks away meanwhile."""
    victims = [p for p in dict.fromkeys([pid, *descendants(pid), *also]) if p not in spare]
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for victim in victims:
            try:
                os.kill(victim, sig)
            except (ProcessLookupError, PermissionError):
                pass
    for victim in victims:  # reap those that are our own children; others are not ours to wait for
        try:
            os.waitpid(victim, 0)
        except ChildProcessError:
            pass


def kill_orphans(spare=()):
    """Kill whatever was re-parented to this process (we are its subreaper), then reap."""
    for _ in range(5):
        orphans = [p for p in children_of(os.getpid()) if p not in spare]
        if not orphans:
            break
        for pid in orphans:
            kill_tree(pid, spare)
