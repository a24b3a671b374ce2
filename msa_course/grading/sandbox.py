"""The learner's process: started, confined, spoken to, and ended by the grader.

A submission's code runs in a child Python process in its own process group with resource
limits (address space, CPU seconds, file size, open files, processes). As root the child also
gets an empty network namespace, a private mount namespace in which the grader's folders
(source, submissions, output, the project) are covered by empty read-only tmpfs and /tmp is a
small private tmpfs, and then drops to a uid no other process uses (so RLIMIT_NPROC counts
only its own processes, it cannot signal or read any other process, and every process it
leaves behind can be found and killed). `PR_SET_NO_NEW_PRIVS` keeps setuid programs from
giving root back. Without root, an unprivileged user namespace gives the same network and
filesystem isolation where the kernel allows it, otherwise only the limits apply; `level`
says which. The child only ever receives cells to run and plain-data questions, and answers
with plain data (see wire.py): hidden tests and the verdict stay in the grader.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from msa_course.grading import wire

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
UID_BASE = 1_000_000_000  # far above any account's uid; one uid per grader pid and slot
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")


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


class SandboxEnded(BaseException):
    """The learner's process is gone or broke the protocol. A BaseException on purpose: a
    test cell's `except Exception` must not swallow it."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


# ---------------------------------------------------------------- grader side


class Sandbox:
    """One learner process. `close()` (or leaving the `with` block) ends every process it made."""

    def __init__(
        self,
        limits: Limits,
        slot: int,
        hide: list[str],
        keep: list[str],
    ):
        self.limits = limits
        self.uid = UID_BASE + (os.getpid() % 1_000_000) * 100 + slot if os.geteuid() == 0 else None
        self.hide, self.keep = hide, keep
        self.deadline = time.monotonic() + limits.total_timeout
        self.level = "not started"
        self.ended: SandboxEnded | None = None
        self._next_id = 0
        self._buffer = b""
        self._proc: subprocess.Popen | None = None
        self._to_child = self._from_child = -1
        self._tmp = tempfile.TemporaryDirectory(prefix="msa-grade-")
        self._output = open(Path(self._tmp.name) / "output", "w+b")  # noqa: SIM115

    def __enter__(self) -> Sandbox:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Start the child and wait until it is confined and ready."""
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        config = {
            "fds": [to_child_r, from_child_w],
            "uid": self.uid,
            "limits": asdict(self.limits),
            "hide": self.hide,
            "keep": self.keep,
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
                [sys.executable, "-I", "-B", "-m", "msa_course.grading.runner", json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=self._output,
                stderr=self._output,
                pass_fds=(to_child_r, from_child_w),
                env=env,
                start_new_session=True,
                cwd="/",
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        try:
            hello = self._read_message(self.limits.cell_timeout + 10)
        except SandboxEnded as err:
            tail = self.output().decode("utf-8", "replace").strip().splitlines()[-1:]
            raise SandboxEnded("sandbox-failed", f"{err.detail}; {' '.join(tail)}") from None
        self.level = str(hello.get("sandbox", "?"))

    def request(self, message: dict) -> dict:
        """Send one request; return the child's reply or raise SandboxEnded."""
        if self.ended:
            raise self.ended
        self._next_id += 1
        message["id"] = self._next_id
        try:
            os.write(self._to_child, wire.dumps(message))
        except (BrokenPipeError, OSError):
            self._end("died", "the notebook's process ended")
        reply = self._read_message(self.limits.cell_timeout)
        if reply.get("id") != self._next_id:
            self._end("protocol", "the notebook's process sent a reply out of turn")
        return reply

    def _read_message(self, timeout: float) -> dict:
        deadline = min(time.monotonic() + timeout, self.deadline)
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                which = "total" if deadline >= self.deadline else "cell"
                limit = self.limits.total_timeout if which == "total" else self.limits.cell_timeout
                self._end("timeout", f"ran longer than the {which} time limit ({limit:g} s)")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                self._end(*self._death_reason())
            self._buffer += chunk
            if len(self._buffer) > self.limits.reply_bytes:
                self._end("protocol", f"sent a value larger than {self.limits.reply_bytes} bytes")
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return wire.loads(line)
        except wire.WireError as err:
            self._end("protocol", str(err))

    def _end(self, code: str, detail: str):
        self.ended = SandboxEnded(code, detail)
        self._kill()
        raise self.ended

    def _death_reason(self) -> tuple[str, str]:
        try:
            status = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "died", "the notebook's process closed its channel to the grader"
        if status < 0:
            sig = -status
            if sig == signal.SIGXCPU:
                return "cpu-limit", "used up its CPU time"
            if sig == signal.SIGXFSZ:
                return "output-limit", f"wrote more than {self.limits.output_bytes} bytes"
            return "died", f"the notebook's process was killed by {signal.Signals(sig).name}"
        return "died", f"the notebook's process exited (status {status})"

    def _kill(self) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.uid is not None:
            kill_uid(self.uid)

    def output(self, limit: int = 65536) -> bytes:
        """The start of what the learner's code printed."""
        self._output.flush()
        self._output.seek(0)
        return self._output.read(limit)

    def output_size(self) -> int:
        return os.fstat(self._output.fileno()).st_size

    def close(self) -> None:
        self._kill()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._output.close()
        self._tmp.cleanup()


def kill_uid(uid: int) -> None:
    """SIGKILL every live process owned by `uid` (ours alone), until none is left."""
    for _ in range(50):
        found = False
        for entry in os.scandir("/proc"):
            try:
                if not entry.name.isdigit() or entry.stat().st_uid != uid:
                    continue
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    state = fh.read().rsplit(b")", 1)[1].split()[0]
                if state != b"Z":  # a zombie is dead already, waiting for its parent
                    found = True
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, IndexError):
                continue
        if not found:
            return
        time.sleep(0.01)


# ---------------------------------------------------------------- child side


def confine(config: dict) -> str:
    """Run in the child before any learner code: isolate, limit, drop privileges.
    Returns a one-line description of the isolation actually in force."""
    import resource

    libc = ctypes.CDLL(None, use_errno=True)
    limits = Limits(**config["limits"])
    uid = config.get("uid")
    parts = []
    if uid is not None:
        isolated = libc.unshare(CLONE_NEWNS | CLONE_NEWNET) == 0
    else:
        isolated = _enter_user_namespace(libc)
    work = "/tmp/work"
    if isolated:
        parts.append("no network")
        _private_filesystem(libc, config["hide"], config["keep"], limits, uid)
        parts.append("grader's folders hidden, private /tmp")
    else:  # no namespaces: at least a folder of its own
        work = tempfile.mkdtemp(prefix="msa-learner-")
        os.environ["HOME"] = os.environ["TMPDIR"] = work
        parts.append("network and files NOT isolated (no namespaces)")
    mem = limits.memory_mb * 1024 * 1024
    cpu = int(limits.total_timeout) + 2
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if uid is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        parts.insert(0, "own unprivileged uid")
    else:
        parts.insert(0, "grader's uid (no process limit)")
    os.chdir(work)
    return ", ".join(parts) + f", {limits.memory_mb} MB, {cpu} CPU s"


def _enter_user_namespace(libc) -> bool:
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) != 0:
        return False
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    except OSError:
        return False
    return True


def _mount(libc, source, target: str, fstype, flags: int, data) -> None:
    enc = [None if x is None else str(x).encode() for x in (source, target, fstype, data)]
    if libc.mount(enc[0], enc[1], enc[2], flags, enc[3]) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _private_filesystem(libc, hide: list[str], keep: list[str], limits: Limits, uid) -> None:
    """Cover the grader's folders with empty read-only tmpfs, put back the read-only paths
    the learner's Python needs, make everything else read-only and /tmp private.

    A kept path may itself live under /tmp (a checkout cloned there, with its .venv): it is
    opened before anything is covered and bound back, read-only, into the private /tmp.
    """
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE, None)
    hide = hide + [d for d in map(_closed_ancestor, keep) if d]
    in_tmp = {p for p in keep if os.path.isdir(p) and any(_inside(p, t) for t in PRIVATE_TMP)}
    keep_fds = {}
    for path in keep:
        if os.path.isdir(path) and (path in in_tmp or any(_inside(path, h) for h in hide)):
            keep_fds[path] = os.open(path, os.O_PATH | os.O_DIRECTORY)
    for path in sorted(set(hide), key=len):
        if os.path.isdir(path) and path != "/":
            _mount(libc, "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    for path, fd in keep_fds.items():
        if path not in in_tmp:
            _bind(libc, fd, path)
    for point in _mount_points():
        try:  # best effort: some special mounts refuse; the uid drop still protects them
            _mount(libc, None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)
        except OSError:
            pass
    for path in PRIVATE_TMP:
        if os.path.isdir(path):
            _mount(
                libc,
                "tmpfs",
                path,
                "tmpfs",
                MS_NOSUID | MS_NODEV,
                f"size={limits.tmp_mb}m,mode=1777",
            )
    for path in sorted(in_tmp, key=len):
        _bind(libc, keep_fds[path], path)
        _mount(libc, None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)
    os.makedirs("/tmp/work", mode=0o700)
    if uid is not None:
        os.chown("/tmp/work", uid, uid)


def _bind(libc, fd: int, path: str) -> None:
    """Bind the folder open as `fd` at `path` (created if the covering tmpfs lacks it)."""
    os.makedirs(path, exist_ok=True)
    _mount(libc, f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
    os.close(fd)


def _closed_ancestor(path: str) -> str | None:
    """The outermost folder above `path` that other users may not enter (such as /root
    holding a pyenv Python): covering it and putting `path` back lets the learner's uid in."""
    parts = Path(path).parts
    for depth in range(2, len(parts)):
        folder = os.path.join(*parts[:depth])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def default_keep() -> list[str]:
    """What the learner's Python must read: its prefixes and this package."""
    import msa_course

    return sorted({sys.prefix, sys.base_prefix, str(Path(msa_course.__file__).parent)})


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def _mount_points() -> list[str]:
    with open("/proc/self/mountinfo") as fh:
        return [line.split()[4] for line in fh]
