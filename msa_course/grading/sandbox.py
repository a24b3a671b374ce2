"""The learner's process as the grader sees it: started, spoken to, timed, and ended.

Each submission gets a process of its own (the child confines itself: confine.py) with a uid
never used before in this run, its own cgroups (msa_course.isolation.cgroups) and its own PID
namespace, so ending a submission ends every process it made, whatever session, group or
thread tricks they played. Its stdout and stderr come back through a pipe the grader drains with a cap;
requests and replies travel on two more pipes as plain data (wire.py). A cell's time is
charged in the submission's own terms: wall time less the time its process waited for a CPU
that others held, or its CPU time if that is more; so a busy neighbour never times it out.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from msa_course.grading import wire
from msa_course.isolation.cgroups import Cgroup
from msa_course.isolation.processes import kill_uid

UID_BASE = 1_000_000_000  # far above any account's uid
UID_BLOCK = 4096  # uids one run claims at a time, never handing one out twice
UID_BLOCKS = (2**32 - 2 - UID_BASE) // UID_BLOCK
WALL_FACTOR = 5  # a cell also ends after this many times its limit in plain wall time
OUTPUT_KEPT = 65536  # bytes of the learner's output the grader keeps for reports and checks
# The child starts without `site` (-S: its .pth hooks cost ~0.1 s a start) and is given the
# grader's package folders instead (python_path).
BOOT = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1])['path']; "
    "from msa_course.grading.runner import main; main()"
)


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Defaults suit the course's exercises with a wide margin."""

    memory_mb: int = 512
    cell_timeout: float = 10.0
    total_timeout: float = 60.0
    output_bytes: int = 2_000_000
    reply_bytes: int = 4_000_000
    processes: int = 16
    open_files: int = 64
    tmp_mb: int = 32
    tmp_inodes: int = 4096
    cpus: float = 1.0
    judge_cpu: float = 20.0  # the grader's own CPU seconds on one submission's values


class SandboxEnded(BaseException):
    """The learner's process is gone or broke the protocol. A BaseException on purpose: a
    test cell's `except Exception` must not swallow it."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


class Uids:
    """Fresh uids: a random block of UID_BLOCK uids that no live process uses, then the next.
    `claim()` hands a whole block to a judging worker, never one handed out before."""

    def __init__(self, base: int | None = None):
        self._lock = threading.Lock()
        self._claimed: set[int] = set()
        self._base, self._next = (base, 0) if base is not None else (0, UID_BLOCK)

    def take(self) -> int:
        with self._lock:
            if self._next == UID_BLOCK:
                self._base, self._next = self.claim(), 0
            self._next += 1
            return self._base + self._next - 1

    def claim(self) -> int:
        used = _live_uids()
        for _ in range(100):
            base = UID_BASE + random.randrange(UID_BLOCKS) * UID_BLOCK
            if base not in self._claimed and not any(base <= u < base + UID_BLOCK for u in used):
                self._claimed.add(base)
                return base
        raise RuntimeError("no free block of sandbox uids")


uids = Uids()
next_uid = uids.take


def _live_uids() -> set[int]:
    uids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uids.add(entry.stat().st_uid)
            except OSError:
                pass
    return uids


class Sandbox:
    """One learner process. `close()` (or leaving the `with` block) ends every process it made.

    `allow` lists what the learner's root holds besides /tmp, /dev and /proc (default_allow()).
    `uid` is the submission's own uid (root only; by default a fresh one)."""

    def __init__(self, limits: Limits, allow: list[str], uid: int | None = None):
        self.limits = limits
        self.allow = allow
        self.uid = (uid or next_uid()) if os.geteuid() == 0 else None
        self.level = "not started"
        self.ended: SandboxEnded | None = None
        self.used = 0.0  # seconds charged to the submission so far
        self.last_output = b""  # what the last request printed (up to OUTPUT_KEPT bytes)
        self._output = bytearray()
        self._output_size = 0
        self._next_id = 0
        self._buffer = b""
        self._proc: subprocess.Popen | None = None
        self._learner_pid: int | None = None
        self._to_child = self._from_child = self._out = -1
        self._tmp = tempfile.TemporaryDirectory(prefix="msa-grade-")
        name = str(self.uid) if self.uid is not None else f"{threading.get_ident()}-{id(self)}"
        self.cgroup = Cgroup.create(name, limits.memory_mb, limits.processes + 2, limits.cpus)

    def __enter__(self) -> Sandbox:
        try:
            self.ready()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def spawn(self) -> None:
        """Start the child, not waiting for it: a worker spawns the next submission's sandbox
        while it judges the current one."""
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        self._out, out_w = os.pipe()
        os.set_blocking(self._out, False)
        root = Path(self._tmp.name) / "root"
        root.mkdir()
        config = {
            "fds": [to_child_r, from_child_w],
            "uid": self.uid,
            "limits": asdict(self.limits),
            "allow": self.allow,
            "root": str(root),
            "cgroups": self.cgroup.procs_files() if self.cgroup else [],
            "path": python_path(),
        }
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp/work",
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
            "TMPDIR": "/tmp/work",
        }
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-B", "-c", BOOT, json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                pass_fds=(to_child_r, from_child_w),
                env=env,
                start_new_session=True,
                cwd="/",
            )
        finally:
            for fd in (to_child_r, from_child_w, out_w):
                os.close(fd)

    def ready(self) -> None:
        """Wait until the child (spawned now if it was not) is confined and says so."""
        if self._proc is None:
            self.spawn()
        try:
            hello = self._read_message(self.limits.cell_timeout + 10, charge=False)
        except SandboxEnded as err:
            tail = self.output().decode("utf-8", "replace").strip().splitlines()[-1:]
            raise SandboxEnded("sandbox-failed", f"{err.detail}; {' '.join(tail)}") from None
        self.level = str(hello.get("sandbox", "?"))[:200] + "; " + self.resources()

    def resources(self) -> str:
        """The per-submission limits in force, in words (for the run's summary)."""
        lim = self.limits
        if self.cgroup:
            return (
                f"per submission (cgroup v1): {lim.memory_mb} MB with kernel memory, "
                f"{lim.processes} processes, {lim.cpus:g} CPU"
            )
        return f"per process only (no writable cgroups): {lim.memory_mb} MB address space" + (
            f", {lim.processes} processes per uid" if self.uid is not None else ""
        )

    def request(self, message: dict) -> dict:
        """Send one request; return the child's reply or raise SandboxEnded."""
        if self.ended:
            raise self.ended
        self._next_id += 1
        message["id"] = self._next_id
        mark = len(self._output)
        try:
            os.write(self._to_child, wire.dumps(message))
        except (BrokenPipeError, OSError):
            self.end("died", "the notebook's process ended")
        try:
            reply = self._read_message(self.limits.cell_timeout)
        finally:
            self.last_output = bytes(self._output[mark:])
        if reply.get("id") != self._next_id:
            self.end("protocol", "the notebook's process sent a reply out of turn")
        return reply

    def _read_message(self, timeout: float, charge: bool = True) -> dict:
        clock = _Clock(self)
        while b"\n" not in self._buffer:
            spent = clock.charged()
            if spent >= timeout or (charge and self.used + spent >= self.limits.total_timeout):
                self.used += spent if charge else 0.0
                total = charge and self.used >= self.limits.total_timeout
                which, limit = ("total", self.limits.total_timeout) if total else ("cell", timeout)
                self.end("timeout", f"ran longer than the {which} time limit ({limit:g} s)")
            if clock.wall() >= timeout * WALL_FACTOR:
                self.end("timeout", f"waited {clock.wall():.0f} s for a CPU; the machine is busy")
            ready, _, _ = select.select([self._from_child, self._out], [], [], 0.1)
            if self._out in ready:
                self._drain()
            if self._from_child not in ready:
                continue
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                self._drain()
                self.end(*self._death_reason())
            self._buffer += chunk
            if len(self._buffer) > self.limits.reply_bytes:
                self.end("protocol", f"sent a value larger than {self.limits.reply_bytes} bytes")
        self._drain()
        if charge:
            self.used += clock.charged()
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return wire.loads(line)
        except wire.WireError as err:
            self.end("protocol", str(err))

    def _drain(self) -> None:
        """Read what the learner printed; past the cap, the submission ends."""
        while True:
            try:
                chunk = os.read(self._out, 1 << 16)
            except (BlockingIOError, OSError):
                return
            if not chunk:
                return
            self._output_size += len(chunk)
            room = OUTPUT_KEPT - len(self._output)
            if room > 0:
                self._output += chunk[:room]
            if self._output_size > self.limits.output_bytes:
                self.end("output-limit", f"printed more than {self.limits.output_bytes} bytes")

    def learner_pid(self) -> int | None:
        """The host pid of the learner's process (R: the child of the namespace's init)."""
        if self._learner_pid is None and self._proc is not None:
            pid = self._proc.pid
            for _ in range(2):  # P -> I -> R
                try:
                    pid = int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    return None
            self._learner_pid = pid
        return self._learner_pid

    def end(self, code: str, detail: str):
        """End the submission with this flag: every process killed, SandboxEnded raised (also
        by the judge, for a value it refuses)."""
        self.ended = SandboxEnded(code, detail)
        self._kill()
        raise self.ended

    def _death_reason(self) -> tuple[str, str]:
        try:
            status = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "died", "the notebook's process closed its channel to the grader"
        if self.cgroup and self.cgroup.oom_kills():
            return "memory-limit", f"used more than {self.limits.memory_mb} MB in all"
        if status < 0:
            sig = -status
            if sig == signal.SIGXCPU:
                return "cpu-limit", "used up its CPU time"
            return "died", f"the notebook's process was killed by {signal.Signals(sig).name}"
        return "died", f"the notebook's process exited (status {status})"

    def _kill(self) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)  # P, and I's pid-1 death ends the rest
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.cgroup:  # holds every process of the submission: none can leave it
            self.cgroup.kill()
        elif self.uid is not None:
            kill_uid(self.uid)

    @contextlib.contextmanager
    def sharing_cpu(self):
        """Run the grader's judging of this submission inside the submission's CPU share."""
        if self.cgroup is None:
            yield
            return
        thread = threading.get_native_id()
        self.cgroup.move_cpu(thread, into=True)
        try:
            yield
        finally:
            self.cgroup.move_cpu(thread, into=False)

    def output(self) -> bytes:
        """The start of what the learner's code printed (OUTPUT_KEPT bytes at most)."""
        return bytes(self._output)

    def output_size(self) -> int:
        return self._output_size

    def close(self) -> None:
        self._kill()
        if self.cgroup:
            self.cgroup.remove()
        for fd in (self._to_child, self._from_child, self._out):
            try:
                os.close(fd)
            except OSError:
                pass
        self._to_child = self._from_child = self._out = -1
        self._tmp.cleanup()


class _Clock:
    """Time charged to a submission while the grader waits for one reply."""

    def __init__(self, box: Sandbox):
        self.box = box
        self.start = time.monotonic()
        self.delay0 = self._delay()
        self.cpu0 = box.cgroup.cpu_seconds() if box.cgroup else 0.0

    def _delay(self) -> float:
        """Seconds the learner's process has waited for a CPU (schedstat's run_delay)."""
        pid = self.box.learner_pid()
        if pid is None:
            return 0.0
        try:
            return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            return 0.0

    def wall(self) -> float:
        return time.monotonic() - self.start

    def charged(self) -> float:
        waited = max(0.0, self._delay() - self.delay0)
        cpu = (self.box.cgroup.cpu_seconds() - self.cpu0) if self.box.cgroup else 0.0
        return max(self.wall() - waited, cpu)


def default_allow() -> list[str]:
    """What the learner's root holds: the Python installation (prefixes, so the standard
    library and the installed packages), this package, and the system libraries Python loads."""
    import msa_course

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.add(str(Path(msa_course.__file__).parent))
    paths |= _library_folders()
    interpreter = _elf_interpreter(os.path.realpath(sys.executable))
    if interpreter:
        paths.add(interpreter)
    for extra in ("/etc/ld.so.cache",):
        if os.path.exists(extra):
            paths.add(extra)
    return sorted(paths)


def python_path() -> list[str]:
    """Where the learner's Python finds packages: this package's parent folder (an editable
    install's checkout, of which the sandbox shows only the package) and site-packages."""
    import site

    import msa_course

    folders = [str(Path(msa_course.__file__).parent.parent)]
    folders += [p for p in site.getsitepackages() if os.path.isdir(p)]
    return list(dict.fromkeys(folders))


def _library_folders() -> set[str]:
    """Folders of the shared libraries this process has loaded (libc, libm, libz, ...)."""
    folders = set()
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                path = line.split(maxsplit=5)[-1].strip()
                if path.startswith("/") and ".so" in os.path.basename(path):
                    folders.add(os.path.dirname(path))
    except OSError:
        pass
    prefixes = (sys.prefix, sys.base_prefix)
    return {f for f in folders if not any(f.startswith(p + "/") for p in prefixes)}


def _elf_interpreter(path: str) -> str | None:
    """The dynamic loader an ELF executable names (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2."""
    import struct

    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 16)
    except OSError:
        return None
    if data[:4] != b"\x7fELF":
        return None
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    if wide:
        phoff = struct.unpack_from(f"{order}Q", data, 32)[0]
        size, count = struct.unpack_from(f"{order}HH", data, 54)
    else:
        phoff = struct.unpack_from(f"{order}I", data, 28)[0]
        size, count = struct.unpack_from(f"{order}HH", data, 42)
    for i in range(count):
        at = phoff + i * size
        if at + size > len(data) or struct.unpack_from(f"{order}I", data, at)[0] != 3:
            continue
        fields = ("QQQQ", 8) if wide else ("IIII", 4)
        offset, _, _, filesz = struct.unpack_from(order + fields[0], data, at + fields[1])
        return data[offset : offset + filesz].rstrip(b"\0").decode() or None
    return None
