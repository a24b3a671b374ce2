"""Learners on the real hub are strangers to each other: the room of conftest.py (three
learners who worked through chapter 00 and its exercise) in the default isolated mode.

Learner A (ada) tries, from her own kernel, what a curious or hostile learner would: read,
write or signal what is not hers, log in as someone else, and exhaust memory or processes.
Each attempt must fail, while the same probe shows what she may do (her own files, the
course environment) still works, so a probe that fails for every reason cannot pass."""

from __future__ import annotations

import json
import re
import sysconfig
from pathlib import Path

import psutil
import pytest
import requests
from room import EXERCISE, LEARNERS, ROOT, SOLUTION

import msa_course
from msa_course.workshop.localhub import HubError

pytestmark = [pytest.mark.hub, pytest.mark.slow]

PROBE = """
import json, os, signal, urllib.error, urllib.request

def attempt(action):
    try:
        action()
    except urllib.error.HTTPError as err:
        return f"HTTP {err.code}"
    except OSError as err:
        return type(err).__name__
    return "allowed"

def read(path):
    return lambda: open(path, "rb").read(1)

def create(path):
    return lambda: (open(path, "x").close(), os.unlink(path))

def fetch(url):
    token = os.environ["JUPYTERHUB_API_TOKEN"]
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    return lambda: urllib.request.urlopen(request, timeout=30).read(1)

print(json.dumps({label: attempt(action) for label, action in CHECKS.items()}))
"""


def probe(kernel, checks: dict[str, str]) -> dict[str, str]:
    """Run each check (a Python expression making an action) in the learner's kernel:
    label -> "allowed", or the error that stopped it."""
    table = "{" + ", ".join(f"{label!r}: {code}" for label, code in checks.items()) + "}"
    result = kernel.execute(PROBE.replace("CHECKS", table, 1))
    assert result.error is None, result.error
    return json.loads(result.outputs[-1]["text"])


def facts(p: psutil.Process) -> dict | None:
    """What a process is and runs as; None for one that ended (or is a zombie, running
    nothing) while it was being listed, such as a command the new terminal's shell ran."""
    try:
        with p.oneshot():
            return {
                "pid": p.pid,
                "name": p.name(),
                "cmdline": p.cmdline(),
                "uids": tuple(p.uids()),
                "gids": tuple(p.gids()),
            }
    except psutil.NoSuchProcess:
        return None


def test_every_learner_process_runs_as_the_learner(hub, room):
    """Servers, kernels and terminals: a terminal was a root shell in the old default."""
    rows, learner_pids = [], set()
    for name in LEARNERS:
        terminal = requests.post(
            f"{hub.url}/user/{name}/api/terminals",
            headers={"Authorization": f"token {hub.token}"},
            timeout=60,
        )
        assert terminal.ok, terminal.text
        uid, gid = hub.account(name).pw_uid, hub.account(name).pw_gid
        server = hub.server_process(name)
        processes = [info for p in [server, *server.children(recursive=True)] if (info := facts(p))]
        kernels = [p for p in processes if "ipykernel_launcher" in " ".join(p["cmdline"])]
        assert len(kernels) >= 2, f"{name}'s chapter and exercise kernels are not running"
        assert "bash" in [p["name"] for p in processes], f"{name}'s terminal is not running"
        for p in processes:
            role = "server" if p["pid"] == server.pid else "kernel" if p in kernels else p["name"]
            rows.append(f"{name:6} {role:8} pid {p['pid']:7} uids {p['uids']} gids {p['gids']}")
            assert set(p["uids"]) == {uid} and set(p["gids"]) == {gid}, rows[-1]
            learner_pids.add(p["pid"])
    print("\n".join(rows))
    uids = {hub.account(name).pw_uid for name in LEARNERS}
    assert 0 not in uids and len(uids) == len(LEARNERS)
    # Under the hub, only the proxy and the instructor's progress page (a service for admins,
    # reading the homes) are not a learner's: no learner-facing process is root.
    others = [info for p in hub.processes()[1:] if p.pid not in learner_pids and (info := facts(p))]
    progress = [p for p in others if "progress --hub-service" in " ".join(p["cmdline"])]
    assert len(progress) == 1, [p["cmdline"] for p in others]
    others.remove(progress[0])
    assert [p["name"] for p in others] == ["node"], [p["cmdline"] for p in others]


def test_each_learner_is_held_by_limits_of_their_own(hub, room):
    """Memory, processes and CPU per learner: a cgroup v1 group each, as this course's
    machines (and CI) mount them; rlimits on every process besides."""
    groups = set()
    for name in LEARNERS:
        server = hub.server_process(name)
        for p in [server, *server.children(recursive=True)]:
            limits = Path(f"/proc/{p.pid}/limits").read_text()
            assert re.search(r"^Max processes +512 +512 ", limits, re.M), limits
        memory, pids, cpu = (hub.cgroup(name, h) for h in ("memory", "pids", "cpu"))
        assert memory and pids and cpu, f"{name}'s server runs in no cgroup of its own"
        groups.add(memory)
        assert int((memory / "memory.limit_in_bytes").read_text()) == 2**30
        assert (pids / "pids.max").read_text().strip() == "512"
        quota = int((cpu / "cpu.cfs_quota_us").read_text())
        assert quota == int((cpu / "cpu.cfs_period_us").read_text())  # 1 core at most
    assert len(groups) == len(LEARNERS)


def test_a_learner_cannot_touch_what_is_not_theirs(hub, room, instructor):
    grace_home = hub.homes / "grace"
    grace = hub.account("grace")
    bystander = hub.kernel("grace")
    note = "import os; os.umask(0); open('/tmp/grace-note.txt', 'w').write('mine')"
    assert bystander.execute(f"x = 41; {note}").error is None  # a file anyone could read
    grace_kernel = hub.kernel_process("grace", bystander)
    grace_server = hub.server_process("grace")
    grace_url = grace_server.environ()["JUPYTERHUB_SERVICE_URL"]
    state = sorted(str(p) for p in hub.state.iterdir() if p.is_file())
    site = sysconfig.get_paths()["purelib"]
    package = Path(msa_course.__file__).parent
    denied = {
        "list grace's home": f"lambda: os.listdir({str(grace_home)!r})",
        "read grace's exercise": f"read({str(grace_home / EXERCISE)!r})",
        "list grace's kernel files": f"lambda: os.listdir({str(hub.runtime / str(grace.pw_uid))!r})",
        "read grace's /tmp": "read('/tmp/grace-note.txt')",
        "read the checkout's solutions": f"read({str(SOLUTION)!r})",
        "see the checkout's git history": f"lambda: os.stat({str(ROOT / '.git')!r})",
        "read the instructor's folder": f"read({str(instructor / 'solutions' / SOLUTION.name)!r})",
        **{f"read the hub's {Path(p).name}": f"read({p!r})" for p in state},
        "read the hub's environment": f"read('/proc/{hub.proc.pid}/environ')",
        "write into site-packages": f"create({site + '/evil.pth'!r})",
        "write into msa_course": f"create({str(package / 'evil.py')!r})",
        "see grace's server in /proc": f"lambda: os.stat('/proc/{grace_server.pid}')",
        "signal grace's server": f"lambda: os.kill({grace_server.pid}, 0)",
        "kill grace's kernel": f"lambda: os.kill({grace_kernel.pid}, signal.SIGKILL)",
        "use grace's server with ada's token": f"fetch({grace_url + 'api/contents'!r})",
        "become root": "lambda: os.setuid(0)",
    }
    allowed = {
        "read ada's exercise": f"read({str(hub.homes / 'ada' / EXERCISE)!r})",
        "write in ada's home": f"create({str(hub.homes / 'ada' / 'scratch.txt')!r})",
        "write in ada's /tmp": "create('/tmp/ada-note.txt')",
        "read the course environment": f"read({str(package / '__init__.py')!r})",
        "see her own server in /proc": f"lambda: os.stat('/proc/{hub.server_process('ada').pid}')",
    }
    assert len(state) >= 3, state  # database, cookie secret, passwords
    attacker = hub.kernel("ada")
    try:
        outcome = probe(attacker, {**denied, **allowed})
        leaked = attacker.execute(
            "import os; print(sorted(k for k in os.environ if k.startswith('MSA_HUB')))"
        )
    finally:
        attacker.close()
    print(json.dumps(outcome, indent=1))
    assert {k: outcome[k] for k in allowed} == dict.fromkeys(allowed, "allowed")
    assert not [k for k in denied if outcome[k] == "allowed"], outcome
    assert leaked.outputs[0]["text"] == "[]\n", "the hub's settings leaked into a learner's kernel"
    # Through the proxy, with ada's own login, grace's server refuses her too.
    r = hub.login("ada").get(f"{hub.url}/user/grace/api/contents", timeout=60)
    assert r.status_code == 403, (r.status_code, r.url)
    assert (
        grace_kernel.is_running() and bystander.execute("print(x + 1)").outputs[0]["text"] == "42\n"
    )
    bystander.close()


def test_names_are_claimed_not_shared(hub, room):
    for password in (hub.passwords["ada"], "grace-guessed-1", hub.passwords["grace"] + "x"):
        with pytest.raises(HubError, match="403"):
            hub.login("grace", password)
    hub.login("grace")  # her own password still works
    hub.login("newcomer")  # a first login claims the name and makes the account at once
    assert hub.account("newcomer").pw_dir == str(hub.homes / "newcomer")
    with pytest.raises(HubError, match="A name is 1 to 20 characters"):
        hub.login("Robert'); DROP TABLE", "whatever-it-is")


def test_the_instructor_resets_a_password_and_the_files_stay(hub, room):
    uid, old = hub.account("linus").pw_uid, hub.passwords["linus"]
    before = hub.contents("linus", EXERCISE)
    kernel = hub.kernel("linus")  # leaves a daemon behind, outside his server's process tree
    daemon = kernel.execute(
        "import subprocess\n"
        "shell = 'sleep 600 >/dev/null 2>&1 & echo $!'\n"
        "p = subprocess.Popen(['setsid', 'sh', '-c', shell], stdout=subprocess.PIPE)\n"
        "print(p.communicate()[0].decode().strip())"
    )
    kernel.close()
    daemon = psutil.Process(int(daemon.outputs[0]["text"]))
    server = hub.server_process("linus")
    assert daemon.uids().real == uid and daemon not in server.children(recursive=True)
    hub.api("DELETE", "/users/linus")  # the admin page's "delete user"
    gone = not daemon.is_running() or daemon.status() == psutil.STATUS_ZOMBIE
    assert gone, "stopping linus's server left his daemon running"
    hub.passwords["linus"] = "linus-second-try"
    hub.login("linus")  # claims the name again, with a new password
    with pytest.raises(HubError, match="403"):
        hub.login("linus", old)
    hub.spawn("linus")
    assert hub.server_process("linus").uids().real == uid == hub.account("linus").pw_uid
    assert hub.contents("linus", EXERCISE) == before


def test_a_memory_bomb_takes_down_only_its_own_kernel(hub, room):
    bystander = hub.kernel("grace")
    assert bystander.execute("x = 41").error is None
    grace_server, grace_kernel = hub.server_process("grace"), hub.kernel_process("grace", bystander)
    ada_server = hub.server_process("ada")
    bomb = hub.kernel("ada")
    try:
        result = bomb.execute("chunks = []\nwhile True:\n    chunks.append(b'x' * 2**26)")
    finally:
        bomb.close()
    assert result.error in ("the kernel died (restarting)", "MemoryError: "), result.error
    # the learner's own group's OOM killer ended the kernel, not the machine's
    oom = (hub.cgroup("ada", "memory") / "memory.oom_control").read_text()
    assert "oom_kill 0" not in oom, oom
    assert grace_server.is_running() and grace_kernel.is_running()
    assert bystander.execute("print(x + 1)").outputs[0]["text"] == "42\n"
    bystander.close()
    assert ada_server.is_running(), "ada's server should outlive her kernel's memory bomb"


def test_a_fork_bomb_stops_at_the_learners_process_limit(hub, room):
    bomb = hub.kernel("ada")
    try:
        result = bomb.execute(
            "import errno, os\n"
            "children, error = [], None\n"
            "try:\n"
            "    for _ in range(5000):\n"
            "        children.append(os.spawnv(os.P_NOWAIT, '/bin/sleep', ['sleep', '300']))\n"
            "except OSError as err:\n"
            "    error = errno.errorcode[err.errno]\n"
            "finally:\n"
            "    for pid in children:\n"
            "        os.kill(pid, 9)\n"
            "        os.waitpid(pid, 0)\n"
            "print(len(children), error)"
        )
    finally:
        bomb.close()
    assert result.error is None, result.error
    started, error = result.outputs[0]["text"].split()
    assert error == "EAGAIN" and 0 < int(started) < 512, result.outputs
    bystander = hub.kernel("grace")
    try:
        check = bystander.execute("import subprocess; print(subprocess.run(['true']).returncode)")
    finally:
        bystander.close()
    assert check.outputs[0]["text"] == "0\n"
