"""One resource unit: a control group for each grader's submission and each hub learner's
server, so its memory (with the kernel's: tmpfs pages, inodes), its process count and its CPU
share are limits on all its processes together, however many it starts.

cgroup v1 (the memory, pids, cpu and cpuacct hierarchies writable by root) is what this
course's machines mount. Each group is made a child of the maker's own group in each hierarchy
(so whatever limits the maker runs under still apply) and named msa-course-<maker's pid>-<name>,
so the groups of a maker that was killed can be found and removed. Where no writable hierarchy
exists, `Cgroup.create` returns None and the caller says so: limits are then per process only.

Imports only os, signal and time: the sandbox's child joins its groups (`join`) before any
learner code runs, and every import there is paid by every submission.
"""

from __future__ import annotations

import errno
import os
import signal
import time

ROOT = "/sys/fs/cgroup"
HIERARCHIES = ("memory", "pids", "cpu", "cpuacct")
PREFIX = "msa-course-"
CPU_PERIOD_US = 100_000


class Cgroup:
    """The groups of one submission or server, one per hierarchy (name -> folder)."""

    def __init__(self, folders: dict[str, str]):
        self.folders = folders

    @classmethod
    def create(
        cls, name: str, memory_mb: int, processes: int, cpus: float, replace: bool = False
    ) -> Cgroup | None:
        """Make and limit the groups, or None when this machine gives no writable v1 groups.
        Groups of this name that this process made before and has not removed are an error
        (FileExistsError), unless `replace`: then their processes are killed and the groups
        made anew."""
        if os.geteuid() != 0:
            return None
        parents = {h: _own_path(h) for h in HIERARCHIES}
        if any(p is None or not os.access(p, os.W_OK) for p in parents.values()):
            return None
        for parent in parents.values():
            _remove_stale(parent)
        group = f"{PREFIX}{os.getpid()}-{name}"
        wanted = {h: os.path.join(parent, group) for h, parent in parents.items()}
        existing = [folder for folder in wanted.values() if os.path.isdir(folder)]
        if existing and not replace:
            raise FileExistsError(errno.EEXIST, "this cgroup exists already", existing[0])
        if existing:
            cls(wanted).remove()
        folders: dict[str, str] = {}
        try:
            for hierarchy, folder in wanted.items():
                os.mkdir(folder)
                folders[hierarchy] = folder
            memory = str(memory_mb * 1024 * 1024)
            _write(folders["memory"], "memory.limit_in_bytes", memory)
            if os.path.exists(os.path.join(folders["memory"], "memory.memsw.limit_in_bytes")):
                _write(folders["memory"], "memory.memsw.limit_in_bytes", memory)
            _write(folders["pids"], "pids.max", str(processes))
            _write(folders["cpu"], "cpu.cfs_period_us", str(CPU_PERIOD_US))
            _write(folders["cpu"], "cpu.cfs_quota_us", str(int(CPU_PERIOD_US * cpus)))
        except OSError:
            cls(folders).remove()
            return None
        return cls(folders)

    def procs_files(self) -> list[str]:
        """The files a process writes its pid to, to join every group (see `join`)."""
        return [os.path.join(folder, "cgroup.procs") for folder in self.folders.values()]

    def move_cpu(self, thread: int, into: bool) -> None:
        """Put one of the maker's threads into (or back out of) the group's CPU share, so the
        maker's own work on a submission counts against that submission alone."""
        folder = self.folders["cpu"] if into else os.path.dirname(self.folders["cpu"])
        _write(folder, "tasks", str(thread))

    def cpu_seconds(self) -> float:
        """CPU time used by every process of the group so far."""
        try:
            return int(_read(self.folders["cpuacct"], "cpuacct.usage")) / 1e9
        except (OSError, ValueError):
            return 0.0

    def oom_kills(self) -> int:
        """How many of the group's processes the kernel killed for memory."""
        try:
            text = _read(self.folders["memory"], "memory.oom_control")
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def pids(self) -> list[int]:
        if "pids" not in self.folders:
            return []
        try:
            text = _read(self.folders["pids"], "cgroup.procs")
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def kill(self, timeout: float = 5.0) -> bool:
        """SIGKILL every process in the groups until none is left; True when empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.005)
        return not self.pids()

    def remove(self) -> None:
        """Kill what is left and delete the groups (a group with processes cannot go)."""
        self.kill()
        for folder in self.folders.values():
            for _ in range(100):
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy for a moment while the last process exits
                    time.sleep(0.01)


def join(procs_files: list[str]) -> None:
    """Move this process into the groups (`Cgroup.procs_files`): a child does this first, so
    whatever it starts is inside them too."""
    for procs in procs_files:
        with open(procs, "w") as fh:
            fh.write(str(os.getpid()))


def created_by(pid: int) -> list[Cgroup]:
    """The groups process `pid` made and did not remove (found by their names)."""
    groups: dict[str, dict[str, str]] = {}
    for hierarchy in HIERARCHIES:
        parent = _own_path(hierarchy)
        for name in _children(parent, f"{PREFIX}{pid}-") if parent else ():
            groups.setdefault(name, {})[hierarchy] = os.path.join(parent, name)
    return [Cgroup(folders) for folders in groups.values()]


def remove_created_by(pid: int) -> None:
    """Kill and remove every group that process `pid` (say, a judging worker just killed) made."""
    for group in created_by(pid):
        group.remove()


def _own_path(hierarchy: str) -> str | None:
    """This process's own group in a v1 hierarchy, from /proc/self/cgroup."""
    try:
        lines = _read("/proc/self", "cgroup").splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if hierarchy in controllers.split(","):
            folder = os.path.join(ROOT, hierarchy, path.lstrip("/"))
            return folder if os.path.exists(os.path.join(folder, "cgroup.procs")) else None
    return None


def _children(parent: str, prefix: str) -> list[str]:
    try:
        return [n for n in os.listdir(parent) if n.startswith(prefix)]
    except OSError:
        return []


def _read(folder: str, name: str) -> str:
    with open(os.path.join(folder, name)) as fh:
        return fh.read()


def _write(folder: str, name: str, value: str) -> None:
    with open(os.path.join(folder, name), "w") as fh:
        fh.write(value)


_swept: set[str] = set()


def _remove_stale(parent: str) -> None:
    """Empty groups left by a maker that was killed before it could remove them (once per
    parent and process)."""
    if parent in _swept:
        return
    _swept.add(parent)
    for name in _children(parent, PREFIX):
        pid = name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            folder = os.path.join(parent, name)
            try:
                if not _read(folder, "cgroup.procs").split():
                    os.rmdir(folder)
            except OSError:
                pass
