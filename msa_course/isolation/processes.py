"""A learner's processes as a whole: they gain no privileges (no setuid programs), they die
with the process that started them, and they all end together, found by their uid, which is
theirs alone (a grader's submission or a hub learner's account).

Imports only os, signal and time (and namespaces' libc): the sandbox's child imports it before
any learner code runs.
"""

from __future__ import annotations

import os
import signal
import time

from msa_course.isolation.namespaces import libc

PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38


def die_with_parent() -> None:
    """SIGKILL this process when its parent ends (or end it now if the parent is gone already),
    so nothing a killed grader or worker started outlives it."""
    parent = os.getppid()
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def no_new_privileges() -> None:
    """From now on no exec gives this process or its children more privileges than they have
    (setuid and file capabilities are ignored)."""
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def kill_uid(uid: int) -> None:
    """End every process owned by `uid` (ours alone): a child that becomes `uid` sends
    kill(-1, SIGKILL), which reaches every process of that uid at once, until none is left
    (a zombie leader whose other threads still run counts as alive)."""
    for _ in range(100):
        if not _alive_as(uid):
            return
        pid = os.fork()
        if pid == 0:  # only system calls here, then _exit: safe in a threaded caller
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.01)


def _alive_as(uid: int) -> bool:
    for entry in os.scandir("/proc"):
        try:
            if not entry.name.isdigit() or entry.stat().st_uid != uid:
                continue
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
            if state != b"Z" or len(os.listdir(f"/proc/{entry.name}/task")) > 1:
                return True
        except (OSError, IndexError):
            continue
    return False
