"""The trusted mode, by name (MSA_HUB_MODE=trusted), for one person on their own machine: the
course runs on the real hub, every server runs as the hub's own user, and nothing separates
two learners, as deploy/README.md says."""

from __future__ import annotations

import os

import pytest

from msa_course.workshop.localhub import LocalHub

pytestmark = [pytest.mark.hub, pytest.mark.slow]


@pytest.fixture(scope="module")
def trusted_hub(tmp_path_factory, proxy):
    hub = LocalHub(tmp_path_factory.mktemp("trusted"), mode="trusted").start()
    try:
        yield hub
    finally:
        hub.stop()


def test_the_trusted_mode_runs_everyone_as_the_hub_user(trusted_hub):
    hub = trusted_hub
    for name in ("me", "friend"):
        hub.login(name)  # names are claimed here too
        hub.spawn(name)
    assert set(hub.server_process("me").uids()) == {os.getuid()}
    mine = hub.kernel("me")
    theirs = hub.kernel("friend")
    try:
        assert mine.execute("import msa_course, os; print(os.getuid())").outputs[0]["text"] == (
            f"{os.getuid()}\n"
        )
        note = hub.homes / "me" / "note.txt"
        assert mine.execute(f"open({str(note)!r}, 'w').write('mine')").error is None
        stolen = theirs.execute(f"print(open({str(note)!r}).read())")
        assert stolen.outputs[0]["text"] == "mine\n", "trusted mode is documented as open"
    finally:
        mine.close()
        theirs.close()
    assert all(p.uids().real == os.getuid() for p in hub.processes())
