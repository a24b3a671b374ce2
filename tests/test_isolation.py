"""The isolation kit the grader and the hub share: a group that exists already is never
silently emptied, only replaced when the caller says so; a process joins groups by their
files; kill_uid ends every process of a uid."""

from __future__ import annotations

import os
import secrets
import subprocess
import time

import pytest

from msa_course.isolation import cgroups
from msa_course.isolation.cgroups import Cgroup
from msa_course.isolation.processes import kill_uid


def group(name: str, replace: bool = False) -> Cgroup:
    made = Cgroup.create(name, 64, 8, 0.5, replace=replace)
    if made is None:
        pytest.skip("no writable cgroup v1 hierarchies here (needs root)")
    return made


def sleeper(procs_files: list[str]) -> subprocess.Popen:
    return subprocess.Popen(["sleep", "60"], preexec_fn=lambda: cgroups.join(procs_files))


def test_an_existing_group_is_refused_unless_replaced():
    name = f"test-{secrets.token_hex(4)}"
    first = group(name)
    proc = sleeper(first.procs_files())
    try:
        assert first.pids() == [proc.pid]
        with pytest.raises(FileExistsError):
            Cgroup.create(name, 64, 8, 0.5)
        assert proc.poll() is None and first.pids() == [proc.pid]  # untouched

        second = group(name, replace=True)
        assert proc.wait(timeout=10) == -9  # the earlier group's process went with it
        assert second.pids() == [] and second.folders == first.folders
        with open(os.path.join(second.folders["pids"], "pids.max")) as fh:
            assert fh.read().strip() == "8"
    finally:
        proc.kill()
        proc.wait()
        first.remove()
    assert not any(os.path.exists(folder) for folder in first.folders.values())


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run processes as another uid")
def test_kill_uid_ends_every_process_of_the_uid():
    from msa_course.grading.sandbox import next_uid

    uid = next_uid()

    def become():
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)

    procs = [
        subprocess.Popen(["sleep", "60"], preexec_fn=become, start_new_session=True)
        for _ in range(3)
    ]
    time.sleep(0.1)
    kill_uid(uid)
    assert [p.wait(timeout=10) for p in procs] == [-9, -9, -9]
