"""One submission, one resource unit: a control group per submission, so its memory (with the
kernel's: tmpfs pages, inodes), its process count and its CPU share are limits on the whole
submission, however many processes it starts.

cgroup v1 (the memory, pids, cpu and cpuacct hierarchies writable by root) is what this
course's grading machines mount. Each submission's group is made a child of the grader's own
group in each hierarchy (so whatever limits the grader itself runs under still apply) and
removed when the submission ends. Where no writable hierarchy exists, `Cgroup.create` returns
None and the caller says so in the run's summary: limits are then per process only.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
HIERARCHIES = ("memory", "pids", "cpu", "cpuacct")
PREFIX = "msa-grade-"
CPU_PERIOD_US = 100_000


def _own_path(hierarchy: str) -> Path | None:
    """The grader's own group in a v1 hierarchy, from /proc/self/cgroup."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if hierarchy in controllers.split(","):
            folder = ROOT / hierarchy / path.lstrip("/")
            return folder if (folder / "cgroup.procs").exists() else None
    return None


class Cgroup:
    """The groups of one submission, one per hierarchy."""

    def __init__(self, folders: dict[str, Path]):
        self.folders = folders

    @classmethod
    def create(cls, name: str, memory_mb: int, processes: int, cpus: float) -> Cgroup | None:
        """Make and limit the groups, or None when this machine gives no writable v1 groups."""
        if os.geteuid() != 0:
            return None
        parents = {h: _own_path(h) for h in HIERARCHIES}
        if any(p is None or not os.access(p, os.W_OK) for p in parents.values()):
            return None
        folders = {}
        try:
            for hierarchy, parent in parents.items():
                _remove_stale(parent)
                folders[hierarchy] = parent / f"{PREFIX}{os.getpid()}-{name}"
                folders[hierarchy].mkdir()
            memory = str(memory_mb * 1024 * 1024)
            _write(folders["memory"] / "memory.limit_in_bytes", memory)
            swap = folders["memory"] / "memory.memsw.limit_in_bytes"
            if swap.exists():
                _write(swap, memory)
            _write(folders["pids"] / "pids.max", str(processes))
            _write(folders["cpu"] / "cpu.cfs_period_us", str(CPU_PERIOD_US))
            _write(folders["cpu"] / "cpu.cfs_quota_us", str(int(CPU_PERIOD_US * cpus)))
        except OSError:
            cls(folders).remove()
            return None
        return cls(folders)

    def procs_files(self) -> list[str]:
        """Where a process writes its pid to join every group (see confine.join_cgroups)."""
        return [str(folder / "cgroup.procs") for folder in self.folders.values()]

    def move_cpu(self, thread: int, into: bool) -> None:
        """Put one grader thread into (or back out of) the submission's CPU share, so the
        grader's own work on the submission counts against that submission alone."""
        folder = self.folders["cpu"] if into else self.folders["cpu"].parent
        _write(folder / "tasks", str(thread))

    def cpu_seconds(self) -> float:
        """CPU time used by every process of the submission so far."""
        try:
            return int((self.folders["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError):
            return 0.0

    def oom_kills(self) -> int:
        """How many of the submission's processes the kernel killed for memory."""
        try:
            text = (self.folders["memory"] / "memory.oom_control").read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def pids(self) -> list[int]:
        try:
            text = (self.folders["pids"] / "cgroup.procs").read_text()
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
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy for a moment while the last process exits
                    time.sleep(0.01)


def _write(path: Path, value: str) -> None:
    with open(path, "w") as fh:
        fh.write(value)


_swept: set[Path] = set()


def remove_created_by(pid: int) -> None:
    """Kill and remove every group that process `pid` (a judging worker just killed) made."""
    groups: dict[str, dict[str, Path]] = {}
    for hierarchy in HIERARCHIES:
        parent = _own_path(hierarchy)
        for folder in parent.glob(f"{PREFIX}{pid}-*") if parent else ():
            groups.setdefault(folder.name, {})[hierarchy] = folder
    for folders in groups.values():
        if "pids" in folders:
            Cgroup(folders).remove()


def _remove_stale(parent: Path) -> None:
    """Empty groups left by a grader that was killed before it could remove them (once per
    parent and process)."""
    if parent in _swept:
        return
    _swept.add(parent)
    for folder in parent.glob(f"{PREFIX}*"):
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            try:
                if not (folder / "cgroup.procs").read_text().split():
                    folder.rmdir()
            except OSError:
                pass
