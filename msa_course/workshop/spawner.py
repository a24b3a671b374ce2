"""The workshop hub's default spawner: every learner is a Unix user of their own.

The hub (as root; no systemd needed) creates the account <prefix><name> with useradd when the
learner is added (msa_course.workshop.login), or at the latest on their first start, and a home
only that account can enter. Their server, kernels and terminals run as that account, never as
root, and
- in a cgroup of their own (v1 memory, pids, cpu, nested in the hub's own;
  msa_course.isolation.cgroups, as the grader's submissions), so memory and processes are capped for the learner as a whole
  and CPU is shared fairly and capped at cpu_limit cores. Where those hierarchies are not
  writable only rlimits hold: memory per process, processes per account, no CPU share
  (`limits_in_force` says which, at start);
- in a private view of the files (a mount namespace): the instructor's checkout (solutions,
  git history), the hub's state and the folders in `private` are covered by empty tmpfs, and
  the course environment and its Python are put back read-only, even from a folder learners
  cannot enter (such as a Python under /root); /tmp, /var/tmp and /dev/shm are the learner's
  own, as systemd's PrivateTmp makes them, and /proc lists only the learner's own processes
  (hidepid, on Linux >= 5.8).
When a learner's server stops (or ends by itself), every process their account still runs
ends with it.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import resource
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Integer, List, Unicode

from msa_course.isolation import cgroups
from msa_course.isolation.cgroups import Cgroup
from msa_course.isolation.namespaces import (
    CLONE_NEWNS,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    mount,
    unshare,
)
from msa_course.isolation.processes import kill_uid, no_new_privileges


def isolation_problem() -> str | None:
    """Why this machine cannot run the isolated mode, with the fix; None when it can."""
    if os.geteuid() != 0:
        return (
            "the isolated mode creates a Unix account per learner and needs the hub to run as "
            "root; on a laptop, for yourself only, set MSA_HUB_MODE=trusted"
        )
    if not shutil.which("useradd"):
        return "useradd not found: install it (Debian/Ubuntu: apt-get install passwd)"
    probe = f"import ctypes, sys; sys.exit(ctypes.CDLL(None).unshare({CLONE_NEWNS}) != 0)"
    if subprocess.run([sys.executable, "-c", probe], check=False).returncode != 0:
        return (
            "this machine refuses mount namespaces (CAP_SYS_ADMIN), which hide the instructor's "
            "folders from learners: run the hub as root on the host or in a VM, not in an "
            "unprivileged container"
        )
    return None


def limits_in_force() -> str:
    """One line for the hub's log: what holds a learner's memory, processes and CPU."""
    probe = Cgroup.create(f"probe-{os.getpid()}", 64, 16, 1.0)
    if probe:
        probe.remove()
        return (
            "learners' limits: memory, processes and CPU (fair share and cap) per learner, "
            "in a cgroup v1 group each"
        )
    return (
        "learners' limits: rlimits only (no writable cgroup v1 memory, pids and cpu): memory "
        "per process, processes per account, NO CPU share or cap"
    )


PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")


def private_view(hide: list[str], keep_ro: list[str], keep_rw: list[str], tmp_bytes: int) -> None:
    """In a new mount namespace, cover `hide` (and any folder above a kept one that others
    may not enter) with empty tmpfs, give the learner a /tmp of their own (PRIVATE_TMP, at
    most `tmp_bytes` each), then bind the kept folders back where they were, `keep_ro`
    read-only, and mount a /proc that shows the learner only their own processes. Runs as
    root, before the process becomes the learner."""
    unshare(CLONE_NEWNS)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    keep = keep_ro + keep_rw
    covers = {path: "size=64k,mode=755" for path in hide}
    covers.update((d, "size=64k,mode=755") for d in map(_closed_ancestor, keep) if d)
    covers.update((path, f"size={tmp_bytes},mode=1777") for path in PRIVATE_TMP)
    # Open what is kept before covering it; bind it back from the open folder afterwards.
    fds = {
        path: os.open(path, os.O_PATH | os.O_DIRECTORY)
        for path in keep
        if os.path.isdir(path) and any(_inside(path, c) for c in covers)
    }
    for path in sorted(covers, key=len):  # a folder inside one covered already is gone
        if os.path.isdir(path) and path != "/":
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, covers[path])
    for path, fd in sorted(fds.items(), key=lambda item: len(item[0])):
        os.makedirs(path, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
        if path in keep_ro:
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    if separate_proc_mounts():  # a /proc that lists only the learner's own processes
        flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
        mount("proc", "/proc", "proc", flags, "hidepid=invisible")


def separate_proc_mounts() -> bool:
    """Whether each mount of /proc has options of its own (Linux >= 5.8): before that,
    hidepid on a learner's /proc would hide processes on the whole machine's."""
    version = tuple(int(n) for n in re.findall(r"\d+", os.uname().release)[:2])
    return version >= (5, 8)


def _closed_ancestor(path: str) -> str | None:
    """The outermost folder above `path` that others may not enter (such as /root holding a
    pyenv Python): covering it and binding `path` back lets a learner in."""
    parts = Path(path).parts
    for depth in range(2, len(parts)):
        folder = os.path.join(*parts[:depth])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def course_environment() -> list[str]:
    """What a learner's server must read: this Python's prefixes and the msa_course package
    (inside an instructor's checkout when installed with pip -e)."""
    import msa_course

    package = str(Path(msa_course.__file__).parent)
    return sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, package})


_accounts = asyncio.Lock()  # one useradd at a time from this hub


async def ensure_account(name: str, prefix: str, homes: str) -> pwd.struct_passwd:
    """Learner `name`'s Unix account <prefix><name> with home <homes>/<name>, made with
    useradd when missing; an existing account with another home is someone else's: refused."""
    account, home = prefix + name, Path(homes) / name
    async with _accounts:
        for _ in range(3):  # useradd fails while another program holds /etc/passwd's lock
            try:
                user = pwd.getpwnam(account)
                break
            except KeyError:
                error = await _useradd(account, home, f"msa-course learner {name}")
        else:
            raise RuntimeError(f"could not create the Unix account {account}: {error}")
    if Path(user.pw_dir) != home or user.pw_uid == 0:
        raise RuntimeError(
            f"a Unix account {account} already exists with home {user.pw_dir}, so it is not "
            f"this hub's learner {name}: remove that account or choose another "
            "MSA_HUB_USER_PREFIX"
        )
    return user


async def _useradd(account: str, home: Path, comment: str) -> str:
    """Run useradd (no home made here, no subordinate ids, no lastlog); its output."""
    proc = await asyncio.create_subprocess_exec(
        "useradd",
        "--home-dir",
        str(home),
        "--no-create-home",
        "--user-group",
        "--shell",
        "/bin/bash",
        "--comment",
        comment,
        "--no-log-init",
        "--key",
        "SUB_UID_COUNT=0",
        "--key",
        "SUB_GID_COUNT=0",
        account,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return out.decode(errors="replace").strip()


class LearnerSpawner(LocalProcessSpawner):
    """A server per learner, run as the learner's own Unix account (created on first start)."""

    homes = Unicode(config=True, help="Folder holding one home per learner: <homes>/<name>.")
    runtime = Unicode(
        config=True, help="Folder for each account's Jupyter runtime files (kernel sockets)."
    )
    user_prefix = Unicode(
        "msa-", config=True, help="Unix account of learner <name>: <user_prefix><name>."
    )
    private = List(Unicode(), config=True, help="Folders learners' processes must not see.")
    max_processes = Integer(
        512, config=True, help="Processes and threads one learner may run at once."
    )

    _cgroup: Cgroup | None = None  # the running server's, None without cgroups

    @property
    def account(self) -> str:
        return self.user_prefix + self.user.name

    @property
    def home(self) -> Path:
        return Path(self.homes) / self.user.name

    def _runtime_dir(self, uid: int) -> Path:
        return Path(self.runtime) / str(uid)

    async def start(self):
        t0 = time.monotonic()
        user = await ensure_account(self.user.name, self.user_prefix, self.homes)
        # What the account still runs (a daemon that outlived a hub killed mid-session) ends
        # before the new server starts.
        await asyncio.get_running_loop().run_in_executor(None, kill_uid, user.pw_uid)
        self._prepare(user)
        self.log.info(
            "Account, home and cgroups of %s ready in %.0f ms",
            self.account,
            (time.monotonic() - t0) * 1000,
        )
        return await super().start()

    def _prepare(self, user: pwd.struct_passwd) -> None:
        """The home (only the learner may enter it), runtime folder and cgroups, made as root."""
        home = self.home
        if not home.exists():
            home.mkdir(mode=0o700)
            os.chown(home, user.pw_uid, user.pw_gid)
        st = home.lstat()
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != user.pw_uid:
            raise RuntimeError(
                f"{home} is not a folder owned by {self.account} (uid {user.pw_uid}); move it "
                "aside or give it to that account (chown -R)"
            )
        runtime = self._runtime_dir(user.pw_uid)
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.chown(runtime, user.pw_uid, user.pw_gid)
        memory = self.mem_limit or os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        cpus = self.cpu_limit or os.cpu_count()
        # replace: the group of this learner's earlier start, if that start failed before its
        # server could be stopped, goes with whatever is left in it.
        self._cgroup = Cgroup.create(
            self.account, memory // 2**20, self.max_processes, cpus, replace=True
        )
        if self._cgroup is None:
            self.log.warning("No cgroups for %s: only rlimits hold its limits", self.account)

    def user_env(self, env: dict) -> dict:
        user = pwd.getpwnam(self.account)
        env.update(
            USER=self.account,
            HOME=str(self.home),
            SHELL=user.pw_shell,
            JUPYTER_RUNTIME_DIR=str(self._runtime_dir(user.pw_uid)),
        )
        return env

    def make_preexec_fn(self, name: str):
        """Runs in the new process, as root, just before the server starts: join the
        learner's cgroups, take the private view, set limits, become the learner."""
        become = set_user_setuid(self.account)
        account, procs_files = self.account, self._cgroup.procs_files() if self._cgroup else []
        user = pwd.getpwnam(account)
        keep_rw = [str(self.home), str(self._runtime_dir(user.pw_uid))]
        memory, processes = self.mem_limit, self.max_processes
        tmp_bytes = memory or 2**30  # /tmp's pages count as the learner's memory, too
        hide, keep_ro = list(self.private), course_environment()

        def preexec() -> None:
            try:
                cgroups.join(procs_files)
                private_view(hide, keep_ro, keep_rw, tmp_bytes)
                resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
                if memory and not procs_files:
                    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
                no_new_privileges()
                become()
            except BaseException as err:
                print(f"msa-course: cannot start {account}'s server: {err}", file=sys.stderr)
                raise

        return preexec

    async def poll(self):
        status = await super().poll()
        if status is not None and self._cgroup is not None:  # the server ended by itself
            await self._end_leftovers()
        return status

    async def stop(self, now: bool = False) -> None:
        await super().stop(now)
        await self._end_leftovers()

    async def _end_leftovers(self) -> None:
        """End whatever the learner's account still runs without a server (a background job,
        a daemon) and remove the server's cgroups: a learner's processes live and die with it."""
        loop = asyncio.get_running_loop()
        cgroup, self._cgroup = self._cgroup, None
        if cgroup:
            await loop.run_in_executor(None, cgroup.remove)
        try:
            uid = pwd.getpwnam(self.account).pw_uid
        except KeyError:
            return
        await loop.run_in_executor(None, kill_uid, uid)
