"""One budget per worker: a cgroup across the pids, memory and cpu controllers.

Rlimits bind one process each: a submission that forks, or writes files to a
memory-backed filesystem, is not held by them. Where this process may create
cgroups (root, and the controllers in cgroup v1 or v2), each worker's whole
sandbox runs in a fresh group with

- `pids.max`: processes and threads (RLIMIT_NPROC does not bind root, which a
  bubblewrap worker is outside its namespace);
- a memory limit: v2 `memory.max` with `memory.swap.max=0` and
  `memory.oom.group=1`; v1 `memory.limit_in_bytes` (and
  `memory.memsw.limit_in_bytes` where swap accounting exists). Every page a
  process of the sandbox touches counts, tmpfs pages included (they are charged
  to the writer's group);
- a CPU bound: v2 `cpu.max`, v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`.

Each controller is taken where it is mounted: in a v1 hierarchy of its own (or
shared), or in the v2 tree. What could not be set is simply absent from
`WorkerCgroup.limited`, and the caller reports the weaker per-process bound.
`GRADER_CGROUPS=off` in the environment makes nothing (to test that path).
"""

import itertools
import os
import time

CONTROLLERS = ("pids", "memory", "cpu", "cpuacct")  # cpuacct: v1 CPU usage, read only
CPU_PERIOD_US = 100_000
MOUNTINFO = "/proc/self/mountinfo"
PROC_CGROUP = "/proc/self/cgroup"
_counter = itertools.count()


def enabled():
    return os.environ.get("GRADER_CGROUPS", "").lower() not in ("off", "0", "no", "false")


def own_paths():
    """{controller: path} for v1 hierarchies and {'': path} for v2, from /proc/self/cgroup."""
    paths = {}
    try:
        with open(PROC_CGROUP) as fh:
            for line in fh:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controllers == "":
                    paths[""] = path
                for name in controllers.split(","):
                    paths.setdefault(name, path)
    except (OSError, ValueError):
        pass
    return paths


def unescape(field):
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def hierarchies():
    """[(version, base folder, controllers)] where child groups for our controllers may be made:
    the folder of this process's own cgroup in each mounted hierarchy; v1 first (a controller
    bound to a v1 hierarchy is absent from the v2 tree)."""
    own = own_paths()
    v1, v2 = [], []
    try:
        with open(MOUNTINFO) as fh:
            lines = fh.read().splitlines()
    except OSError:
        return []
    seen = set()
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        root, mountpoint = unescape(fields[3]), unescape(fields[4])
        fstype, superopts = tail[0], tail[2].split(",")
        if fstype == "cgroup":
            controllers = tuple(c for c in CONTROLLERS if c in superopts)
            if not controllers or controllers in seen or controllers[0] not in own:
                continue
            path = own[controllers[0]]
        elif fstype == "cgroup2" and "" in own:
            controllers, path = None, own[""]
        else:
            continue
        rel = os.path.relpath(path, root) if path.startswith(root) else None
        if rel is None or rel.startswith(".."):
            continue  # our cgroup is not visible under this mount
        base = os.path.normpath(os.path.join(mountpoint, rel))
        if controllers is not None:
            seen.add(controllers)
            v1.append(("v1", base, controllers))
        elif not any(b == base for _, b, _ in v2):
            v2.append(("v2", base, None))
    taken = {c for _, _, cs in v1 for c in cs}
    out = list(v1)
    for version, base, _ in v2:
        try:
            with open(os.path.join(base, "cgroup.controllers")) as fh:
                available = fh.read().split()
        except OSError:
            continue
        controllers = tuple(c for c in CONTROLLERS if c in available and c not in taken
                            and c != "cpuacct")
        if controllers:
            out.append((version, base, controllers))
    return out


def write(path, value):
    with open(path, "w") as fh:
        fh.write(str(value))


def read(path):
    """A small kernel file's text, or None (os.read: a few µs, where open() costs tens; the
    client reads a couple of these around every call)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 4096).decode()
    except OSError:
        return None
    finally:
        os.close(fd)


def keyed(text, key):
    """The value of `key` in a 'key value' per line file (memory.events, cpu.stat, ...)."""
    for line in (text or "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == key:
            try:
                return int(parts[1])
            except ValueError:
                return None
    return None


def set_limits(version, path, controllers, pids_max, memory_bytes, cpus):
    """Write the limits into the new group at `path`; returns the controllers that hold."""
    done = set()
    if version == "v2":
        present = set((read(os.path.join(path, "cgroup.controllers")) or "").split())
        controllers = tuple(c for c in controllers if c in present)
    for name in controllers:
        try:
            if name == "pids":
                write(os.path.join(path, "pids.max"), pids_max)
            elif name == "memory" and version == "v1":
                write(os.path.join(path, "memory.limit_in_bytes"), memory_bytes)
                memsw = os.path.join(path, "memory.memsw.limit_in_bytes")
                if os.path.exists(memsw):
                    write(memsw, memory_bytes)
            elif name == "memory":
                write(os.path.join(path, "memory.max"), memory_bytes)
                for key, value in (("memory.swap.max", 0), ("memory.oom.group", 1)):
                    if os.path.exists(os.path.join(path, key)):
                        write(os.path.join(path, key), value)
            elif name == "cpu" and version == "v1":
                write(os.path.join(path, "cpu.cfs_period_us"), CPU_PERIOD_US)
                write(os.path.join(path, "cpu.cfs_quota_us"), max(1000, int(cpus * CPU_PERIOD_US)))
            elif name == "cpu":
                write(os.path.join(path, "cpu.max"),
                      f"{max(1000, int(cpus * CPU_PERIOD_US))} {CPU_PERIOD_US}")
            done.add(name)  # cpuacct (v1) only counts
        except OSError:
            continue
    return done


def enable_v2_controllers(base, controllers):
    """Ask the parent to hand `controllers` to its children (works where it holds no process
    itself, or is the root); those it refuses stay off."""
    for name in controllers:
        try:
            write(os.path.join(base, "cgroup.subtree_control"), f"+{name}")
        except OSError:
            pass


class WorkerCgroup:
    """The cgroup folders of one worker, one per hierarchy, and the limits they hold."""

    def __init__(self, groups, limited, memory_bytes=None):
        self.groups = groups  # [(version, path, controllers that hold there)]
        self.limited = limited  # {"pids", "memory", "cpu"} that are in force
        self.memory_bytes = memory_bytes
        self.open_files = {}  # memory controller file name -> descriptor (-1: not there)

    @classmethod
    def make(cls, pids_max, memory_bytes, cpus):
        """A fresh group in every hierarchy that takes one; None where none could be made."""
        if os.geteuid() != 0 or not enabled():
            return None
        groups, limited = [], set()
        name = f"grader-{os.getpid()}-{next(_counter)}"
        for version, base, controllers in hierarchies():
            sweep_stale(base)
            wanted = tuple(c for c in controllers if c == "cpuacct" or c not in limited)
            if not wanted:
                continue
            if version == "v2":
                subtree = set((read(os.path.join(base, "cgroup.subtree_control")) or "").split())
                if not set(wanted) <= subtree:
                    enable_v2_controllers(base, [c for c in wanted if c not in subtree])
            path = os.path.join(base, name)
            try:
                os.mkdir(path)
            except OSError:
                continue
            held = set_limits(version, path, wanted, pids_max, memory_bytes, cpus)
            if not held:
                remove_folder(path)
                continue
            groups.append((version, path, held))
            limited |= held - {"cpuacct"}
        if not groups:
            return None
        return cls(groups, limited, memory_bytes)

    def path_of(self, controller):
        for _, path, held in self.groups:
            if controller in held:
                return path
        return None

    @property
    def procs_files(self):
        return [os.path.join(path, "cgroup.procs") for _, path, _ in self.groups]

    def wrap(self, argv):
        """`argv` started inside every group: a shell joins them, then execs the command, so no
        process of the worker is ever outside them."""
        files = self.procs_files
        joins = " && ".join(f'echo $$ > "${{{i}}}"' for i in range(len(files)))
        script = f'{joins} && shift {len(files) - 1} && exec "$@"' if len(files) > 1 \
            else f'{joins} && exec "$@"'
        return ["/bin/sh", "-c", script, *files, *argv]

    def add(self, pid):
        """Move the process `pid` (not yet running any submission code) into every group."""
        for procs in self.procs_files:
            with open(procs, "w") as fh:
                fh.write(str(pid))

    def members(self):
        found = []
        for procs in self.procs_files:
            try:
                with open(procs) as fh:
                    found += [int(line) for line in fh if line.strip()]
            except (OSError, ValueError):
                pass
        return list(dict.fromkeys(found))

    def memory_file(self, name):
        """The text of the memory controller's file `name`, or None. The client reads a few of
        these around every call: each is opened once and read again in place (a cgroup file
        says what holds now each time it is read from its start)."""
        fd = self.open_files.get(name)
        if fd is None:
            path = self.path_of("memory")
            try:
                fd = os.open(os.path.join(path, name), os.O_RDONLY) if path is not None else -1
            except OSError:
                fd = -1
            self.open_files[name] = fd
        if fd < 0:
            return None
        try:
            return os.pread(fd, 4096, 0).decode()
        except OSError:
            return None

    def oom_kills(self):
        """How many processes the kernel killed at this group's memory limit (0 if unknown)."""
        path = self.path_of("memory")
        if path is None:
            return 0
        v2 = self.memory_file("memory.events")
        if v2 is not None:
            return keyed(v2, "oom_kill") or keyed(v2, "oom_group_kill") or 0
        control = self.memory_file("memory.oom_control")
        count = keyed(control, "oom_kill")
        if count is not None:
            return count
        # Kernels before 4.13 do not count kills: a group under OOM now is the best sign.
        return 1 if keyed(control, "under_oom") else 0

    def memory_limit_hits(self):
        """How often the group's memory use met its limit (the kernel then reclaims, which can
        stall the group for seconds before it kills): v2 memory.events `max`; v1 memory.failcnt,
        plus one once the peak reached the limit (some kernels leave failcnt at 0)."""
        path = self.path_of("memory")
        if path is None:
            return 0
        v2 = self.memory_file("memory.events")
        if v2 is not None:
            return keyed(v2, "max") or 0
        numbers = []
        for name in ("memory.failcnt", "memory.max_usage_in_bytes"):
            text = (self.memory_file(name) or "").strip()
            numbers.append(int(text) if text.isdigit() else 0)
        failcnt, peak = numbers
        return failcnt + (1 if self.memory_bytes and peak >= self.memory_bytes - (1 << 20) else 0)

    def memory_peak(self):
        """The group's highest memory use so far, in bytes (None where the kernel does not say)."""
        return self.memory_number("memory.max_usage_in_bytes", "memory.peak")

    def memory_usage(self):
        """The group's memory use now, in bytes (None where the kernel does not say)."""
        return self.memory_number("memory.usage_in_bytes", "memory.current")

    def memory_number(self, *names):
        """The first of the memory controller's files `names` (v1, v2) that holds a number."""
        path = self.path_of("memory")
        for name in names if path is not None else ():
            text = read(os.path.join(path, name))
            if text is not None and text.strip().isdigit():
                return int(text)
        return None

    def lower_memory(self, memory_bytes):
        """Set a lower memory limit (v1: the memory+swap one after it, which may not be below it)."""
        path = self.path_of("memory")
        if path is None or "memory" not in self.limited:
            return False
        names = ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.max")
        try:
            for name in names:
                if os.path.exists(os.path.join(path, name)):
                    write(os.path.join(path, name), memory_bytes)
        except OSError:
            return False
        self.memory_bytes = memory_bytes
        return True

    def cpu_usage_ns(self):
        """CPU time used by every process of the group so far, in ns (None where unknown)."""
        path = self.path_of("cpuacct")
        if path is not None:
            text = read(os.path.join(path, "cpuacct.usage"))
            if text is not None and text.strip().isdigit():
                return int(text)
        path = self.path_of("cpu")
        if path is not None:
            usec = keyed(read(os.path.join(path, "cpu.stat")), "usage_usec")
            if usec is not None:
                return usec * 1000
        return None

    def remove(self):
        """Delete the groups once their processes are gone (killed ones may take a moment)."""
        for fd in self.open_files.values():
            if fd >= 0:
                os.close(fd)
        self.open_files = {}
        for _, path, _ in self.groups:
            remove_folder(path)


_swept = set()


def sweep_stale(base):
    """Remove, once per process and hierarchy, the empty groups of graders that are gone: a grader
    killed outright (kill -9, a machine's OOM killer) cannot remove its own."""
    if base in _swept:
        return
    _swept.add(base)
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if len(parts) != 3 or parts[0] != "grader" or not parts[1].isdigit():
            continue
        try:
            os.kill(int(parts[1]), 0)
            continue  # that grader still runs
        except ProcessLookupError:
            pass
        except OSError:
            continue
        try:
            os.rmdir(os.path.join(base, name))  # refused while the group holds a process
        except OSError:
            pass


def remove_folder(path):
    for _ in range(50):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)
