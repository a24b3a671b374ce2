"""Inside the sandbox's child, before any learner code runs: namespaces, an allowlisted root,
limits, a uid of its own.

The child (P, started by the grader) joins the submission's cgroups, enters new mount, network,
IPC and PID namespaces and builds a root that holds only what the allowlist names (the Python
installation and packages, bound read-only), a few device nodes, a fresh /proc and a private
size- and inode-limited /tmp. P then forks the namespace's init (I, pid 1), which swaps the
root (pivot_root, old root detached) and forks the learner's process (R, pid 2). When R ends, I
exits and the kernel kills every process left in the namespace; P reports R's end to the
grader. Each of them dies with its parent (PR_SET_PDEATHSIG). As root, R drops to the uid the
grader chose for this submission alone; otherwise an unprivileged user namespace gives the
same namespaces where the kernel allows it, and failing that only the limits apply. The calls
and flags it shares with the workshop hub's learner servers are in msa_course.isolation.
"""

from __future__ import annotations

import ctypes
import os
import signal

from msa_course.isolation.cgroups import join
from msa_course.isolation.namespaces import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    MNT_DETACH,
    MS_BIND,
    MS_NOATIME,
    MS_NODEV,
    MS_NODIRATIME,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_RELATIME,
    MS_REMOUNT,
    libc,
    mount,
)
from msa_course.isolation.processes import die_with_parent, no_new_privileges

SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
DEVICES = ("null", "zero", "full", "random", "urandom")
WORK = "/tmp/work"
# A mount's flags that a bind in a user namespace must keep (the kernel locks them).
_LOCKED = (
    (os.ST_NOEXEC, MS_NOEXEC),
    (os.ST_NOATIME, MS_NOATIME),
    (os.ST_NODIRATIME, MS_NODIRATIME),
    (os.ST_RELATIME, MS_RELATIME),
)


def confine(config: dict) -> str:
    """Isolate, limit and drop privileges; return (in R only) what is in force, in words.
    Imports only what it must: it runs before every submission (see sandbox.BOOT)."""
    import resource

    limits = config["limits"]
    die_with_parent()
    join(config.get("cgroups", []))
    uid = config.get("uid")
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID
    if uid is not None:
        isolated = libc.unshare(flags) == 0
    else:
        isolated = _enter_user_namespace(flags)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if isolated:
        root = _build_root(config["root"], config["allow"], limits, uid)
        _become_init_then_learner(root, config["fds"])
        parts = ["allowlisted read-only root", "private /tmp", "no network", "own PID and IPC"]
        work = WORK
    else:
        import tempfile

        work = tempfile.mkdtemp(prefix="msa-learner-")
        parts = ["files, network and processes NOT isolated (no namespaces)"]
    os.environ["HOME"] = os.environ["TMPDIR"] = work
    mem = limits["memory_mb"] * 1024 * 1024
    cpu = int(limits["total_timeout"]) + 2
    tmp_bytes = limits["tmp_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (tmp_bytes, tmp_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    no_new_privileges()
    if uid is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        parts.insert(0, "own uid")
    else:
        parts.insert(0, "grader's uid")
    os.chdir(work)
    return ", ".join(parts)


def _enter_user_namespace(flags: int) -> bool:
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(CLONE_NEWUSER | flags) != 0:
        return False
    try:
        for name, text in (
            ("setgroups", "deny"),
            ("uid_map", f"0 {uid} 1"),
            ("gid_map", f"0 {gid} 1"),
        ):
            with open(f"/proc/self/{name}", "w") as fh:
                fh.write(text)
    except OSError:
        return False
    return True


def _build_root(root: str, allow: list[str], limits, uid) -> str:
    """A tmpfs at `root` holding only the allowlisted paths (read-only), the device nodes,
    a private /tmp and mount points for /proc; everything else of the host is absent."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=755")
    os.makedirs(f"{root}/tmp")
    tmp_options = f"size={limits['tmp_mb']}m,nr_inodes={limits['tmp_inodes']},mode=1777"
    mount("tmpfs", f"{root}/tmp", "tmpfs", MS_NOSUID | MS_NODEV, tmp_options)
    exposed: list[str] = []
    for path in sorted(allow, key=lambda p: (len(p), p)):
        _expose(root, path, exposed, depth=0)
    os.makedirs(f"{root}/dev", exist_ok=True)
    for name in DEVICES:
        _bind(f"/dev/{name}", f"{root}/dev/{name}", device=True)
    os.symlink("/tmp", f"{root}/dev/shm")
    os.makedirs(f"{root}/var", exist_ok=True)
    os.symlink("/tmp", f"{root}/var/tmp")
    os.makedirs(f"{root}/proc")
    os.makedirs(f"{root}/.old")
    os.makedirs(f"{root}{WORK}", mode=0o700)
    if uid is not None:
        os.chown(f"{root}{WORK}", uid, uid)
    return root


def _expose(root: str, path: str, exposed: list[str], depth: int) -> None:
    """Make `path` appear at the same place under `root`: symlinks on the way are recreated
    (and followed), the final file or folder is bound read-only."""
    if depth > 20 or not os.path.lexists(path):
        return
    host = "/"
    parts = [p for p in os.path.normpath(path).split("/") if p]
    for i, part in enumerate(parts):
        host = os.path.join(host, part)
        if any(host == e or host.startswith(e.rstrip("/") + "/") for e in exposed):
            return  # inside a folder already bound
        target = root + host
        if os.path.islink(host):
            link = os.readlink(host)
            if not os.path.lexists(target):
                os.symlink(link, target)
            resolved = os.path.normpath(os.path.join(os.path.dirname(host), link))
            _expose(root, os.path.join(resolved, *parts[i + 1 :]), exposed, depth + 1)
            return
        if i < len(parts) - 1:
            os.makedirs(target, exist_ok=True)
    _bind(host, root + host)
    exposed.append(host)


def _bind(source: str, target: str, device: bool = False) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    mount(source, target, None, MS_BIND)
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | (0 if device else MS_NODEV)
    found = os.statvfs(source).f_flag
    flags |= sum(ms for st, ms in _LOCKED if found & st)
    mount(None, target, None, flags)


def _become_init_then_learner(root: str, fds: list[int]) -> None:
    """Fork I (pid 1 of the new PID namespace) and, from it, R; P and I only wait. Returns
    only in R, with / swapped for `root`."""
    init = os.fork()
    if init:
        _quiet(fds)
        _exit_as(_wait_for(init))
    die_with_parent()
    mount("proc", f"{root}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None or libc.syscall(number, root.encode(), f"{root}/.old".encode()) != 0:
        raise OSError(ctypes.get_errno(), "pivot_root failed")
    os.chdir("/")
    if libc.umount2(b"/.old", MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), "could not detach the old root")
    os.rmdir("/.old")
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    learner = os.fork()
    if learner:
        _quiet(fds)
        _exit_as(_wait_for(learner))
    die_with_parent()


def _quiet(fds: list[int]) -> None:
    """A waiting process holds none of the learner's channels, so the grader sees them close
    when the learner's process ends."""
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (1, 2):
        os.dup2(null, fd)
    for fd in [*fds, null]:
        try:
            os.close(fd)
        except OSError:
            pass


def _wait_for(pid: int) -> int:
    """Reap children (I adopts the namespace's orphans) until `pid` ends; its wait status."""
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            return 0
        if done == pid:
            return status


def _exit_as(status: int) -> None:
    """End this waiting process the way its child ended (a signal becomes 128 + signal in
    pid 1, which cannot kill itself, and the signal again in P)."""
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        code = 128 - code
    if code > 128 and os.getpid() != 1:
        signal.signal(code - 128, signal.SIG_DFL)
        os.kill(os.getpid(), code - 128)
    os._exit(code)
