"""The learner's process, probed from inside: what it can see, reach, write and spawn, and
what is left of it afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from msa_course.grading import judge
from msa_course.grading.sandbox import Limits, Sandbox, SandboxEnded, default_allow
from msa_course.isolation.processes import kill_uid

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "grading" / "99_capacity.ipynb"
LIMITS = Limits(memory_mb=256, cell_timeout=5, total_timeout=20, processes=8)
# What of the checkout stays visible: the package, and the environment running the tests
# (.venv-dev, or .venv) when it lives in the checkout.
VISIBLE = {Path(sys.prefix).name, "msa_course"}
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root here")


def run(box: Sandbox, code: str, name: str = "result"):
    reply = box.request({"op": "exec", "label": "<cell probe>", "code": code})
    assert reply["ok"], reply
    return judge.LearnerNamespace(box, {})[name]


def probe(code: str, name: str = "result", allow: list[str] | None = None):
    with Sandbox(LIMITS, allow or default_allow()) as box:
        return run(box, code, name)


def uid_processes(uid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@root_only
def test_the_root_holds_only_the_allowlist():
    seen = probe("import os\nresult = sorted(os.listdir('/'))")
    allowed_tops = {Path(p).parts[1] for p in default_allow()}
    allowed_tops |= {Path(os.path.realpath(p)).parts[1] for p in default_allow()}
    links = {n for n in os.listdir("/") if os.path.islink(f"/{n}")}  # /lib -> usr/lib, kept
    assert set(seen) <= allowed_tops | links | {"dev", "etc", "proc", "tmp", "var"}
    assert set(probe(f"import os\nresult = os.listdir({str(ROOT)!r})")) <= VISIBLE
    assert probe(f"import os\nresult = os.path.exists({str(ROOT / 'solutions')!r})") is False
    assert probe("import os\nresult = sorted(os.listdir('/etc'))") == ["ld.so.cache"]


@root_only
def test_copies_of_the_solutions_elsewhere_are_invisible():
    """A world-readable copy anywhere on the machine (another clone, a backup) stays unseen,
    even for learner code that knows its path or walks the whole tree for it."""
    folder = Path(tempfile.mkdtemp(prefix="msa-backup-", dir="/var/tmp"))
    try:
        copy = folder / "msa_secret_copy_99_capacity.ipynb"
        shutil.copy(FIXTURE, copy)
        os.chmod(folder, 0o755)
        os.chmod(copy, 0o644)
        code = (
            f"import os\nresult = {{'direct': os.path.exists({str(copy)!r}), 'walk': []}}\n"
            "for top, dirs, files in os.walk('/'):\n"
            "    if top.startswith('/proc'):\n        dirs[:] = []\n        continue\n"
            "    result['walk'] += [f for f in files if f.startswith('msa_secret_copy')]\n"
        )
        assert probe(code) == {"direct": False, "walk": []}
    finally:
        shutil.rmtree(folder)


@root_only
def test_no_network_and_no_writes_outside_its_folder():
    code = (
        "import socket, os\nresult = {}\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
        "    result['net'] = 'open'\nexcept OSError as err:\n    result['net'] = err.errno\n"
        "for path in ('/etc/x', '/x', '/usr/x', os.path.expanduser('~/ok')):\n"
        "    try:\n        open(path, 'w').close()\n        result[path] = 'written'\n"
        "    except OSError:\n        result[path] = 'refused'\n"
        "result['uid'] = os.getuid()\nresult['cwd'] = os.getcwd()"
    )
    result = probe(code)
    assert result["net"] != "open"
    assert result["/etc/x"] == result["/x"] == result["/usr/x"] == "refused"
    assert result["/tmp/work/ok"] == "written" and result["cwd"] == "/tmp/work"
    assert result["uid"] >= 1_000_000_000


@root_only
def test_every_submission_gets_a_fresh_uid():
    uids = set()
    for _ in range(3):
        with Sandbox(LIMITS, default_allow()) as box:
            uids.add(run(box, "import os\nresult = os.getuid()"))
    assert len(uids) == 3


@root_only
def test_the_learner_sees_only_its_own_processes():
    pids = probe("import os\nresult = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())")
    assert pids == [1, 2]


LEAVE_BEHIND = """
import ctypes, os, threading, time
def linger():
    time.sleep(120)
for _ in range(2):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.setpgid(0, 0)
            threading.Thread(target=linger).start()
            ctypes.CDLL(None).pthread_exit(None)  # the main thread leaves, the other lives
        os._exit(0)
result = 'left'
"""


@root_only
def test_left_behind_processes_end_with_the_submission():
    """Processes in their own session and group whose main thread exited are gone when the
    sandbox closes, and none of them could reach another submission."""
    with Sandbox(LIMITS, default_allow()) as box:
        assert run(box, LEAVE_BEHIND) == "left"
        time.sleep(0.2)
        uid = box.uid
        assert uid_processes(uid), "the probe should have left processes behind"
    assert uid_processes(uid) == []


@root_only
def test_system_v_ipc_is_private():
    """A shared memory segment made in the sandbox never appears on the host."""
    import random

    key = random.randrange(1 << 20, 1 << 30)
    code = (
        "import ctypes\nlibc = ctypes.CDLL(None)\n"
        f"result = libc.shmget({key}, 4096, 0o1666)\n"  # IPC_CREAT | 0666
    )
    with Sandbox(LIMITS, default_allow()) as box:
        assert run(box, code) >= 0
        host = [line.split()[0] for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]]
        assert str(key) not in host
    host = [line.split()[0] for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]]
    assert str(key) not in host


@root_only
def test_process_limit_holds():
    code = (
        "import os, time\nresult = 0\n"
        "for _ in range(20):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n"
        "        os._exit(0)\n    result += 1"
    )
    assert probe(code) < LIMITS.processes


@root_only
def test_memory_is_limited_per_submission_not_per_process():
    """Children each under the per-process limit still share one submission's memory."""
    code = (
        "import os, time\nkids = []\n"
        "for _ in range(6):\n    pid = os.fork()\n    if pid == 0:\n"
        "        try:\n            hog = bytearray(100 * 2**20)\n            hog[::4096] = b'x' * len(hog[::4096])\n"
        "        except MemoryError:\n            os._exit(3)\n        time.sleep(30)\n        os._exit(0)\n"
        "    kids.append(pid)\n"
        "time.sleep(2)\nresult = [os.waitpid(p, os.WNOHANG)[0] for p in kids]"
    )
    with Sandbox(LIMITS, default_allow()) as box:
        if box.cgroup is None:
            pytest.skip("no writable cgroups on this machine")
        dead = run(box, code)
        assert sum(1 for p in dead if p) >= 4  # at most ~2 x 100 MB fit in 256 MB
        assert box.cgroup.oom_kills() >= 1


@root_only
def test_tmp_has_an_inode_limit():
    code = (
        "import os\nresult = 0\n"
        "try:\n    for i in range(100000):\n        open(f'/tmp/work/{i}', 'w').close()\n"
        "        result += 1\nexcept OSError as err:\n    pass\n"
    )
    assert probe(code) < LIMITS.tmp_inodes


def test_memory_limit_raises_memory_error_in_the_learner_process():
    with Sandbox(LIMITS, default_allow()) as box:
        reply = box.request({"op": "exec", "label": "<cell m>", "code": "x = bytearray(2**30)"})
    assert reply["error"]["type"] == "MemoryError"


def test_cell_timeout_ends_the_process():
    with Sandbox(Limits(cell_timeout=1), default_allow()) as box:
        with pytest.raises(SandboxEnded) as ended:
            box.request({"op": "exec", "label": "<cell t>", "code": "while True:\n    pass"})
    assert ended.value.code == "timeout"


def test_output_goes_through_a_capped_pipe():
    code = (
        "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 100_000)\nsys.stdout.flush()"
    )
    with Sandbox(LIMITS, default_allow()) as box:
        with pytest.raises(SandboxEnded) as ended:
            box.request({"op": "exec", "label": "<cell o>", "code": code})
        assert box.output_size() > LIMITS.output_bytes >= len(box.output())
    assert ended.value.code == "output-limit"


@root_only
def test_user_namespace_fallback_still_hides_files_and_network():
    """Without root the child isolates itself in a user namespace; exercised here by
    starting the sandbox without a uid of its own."""
    box = Sandbox(LIMITS, default_allow())
    box.uid = None
    with box:
        assert box.level.startswith("grader's uid") and "no network" in box.level
        seen = run(box, "import os\nresult = sorted(os.listdir('/'))")
        allowed_tops = {Path(p).parts[1] for p in default_allow()}
        assert allowed_tops <= set(seen)
        assert {"srv", "home", "opt"} & set(seen) <= allowed_tops


@root_only
def test_an_allowed_folder_under_tmp_stays_readable_and_read_only(tmp_path):
    """A checkout cloned under /tmp keeps its .venv and package visible in the private /tmp."""
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "data.txt").write_text("visible")
    code = (
        f"result = {{'read': open({str(kept / 'data.txt')!r}).read()}}\n"
        f"try:\n    open({str(kept / 'new.txt')!r}, 'w').close()\n    result['write'] = 'written'\n"
        "except OSError:\n    result['write'] = 'refused'\n"
    )
    result = probe(code, allow=[*default_allow(), str(kept)])
    assert result == {"read": "visible", "write": "refused"}
    assert not (kept / "new.txt").exists()


@root_only
def test_nothing_outlives_a_killed_grader(tmp_path):
    """SIGKILL the grading process mid-submission: its sandbox processes die with it."""
    script = tmp_path / "grader.py"
    script.write_text(
        "import sys, time\n"
        "from msa_course.grading.sandbox import Sandbox, Limits, default_allow\n"
        "box = Sandbox(Limits(cell_timeout=60, total_timeout=60), default_allow())\n"
        "box.ready()\nprint(box.uid, flush=True)\n"
        "box.request({'op': 'exec', 'label': '<cell s>', 'code': 'import time\\ntime.sleep(60)'})\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    uid = int(proc.stdout.readline())
    assert uid_processes(uid)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while uid_processes(uid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uid_processes(uid) == []


def test_output_cannot_reserve_or_erase_host_disk():
    code = (
        "import os\nresult = []\n"
        "for call in (lambda: os.posix_fallocate(1, 0, 2**28), lambda: os.ftruncate(1, 0)):\n"
        "    try:\n        call()\n        result.append('done')\n"
        "    except OSError as err:\n        result.append(err.errno)\n"
    )
    assert "done" not in probe(code)


@root_only
def test_a_busy_neighbour_neither_exceeds_its_cpu_share_nor_times_out_another():
    """Two submissions at once, as -j 2 runs them: one keeps six children spinning, the
    other does honest work under a cell limit. The hog gets at most its one CPU; the honest
    one is never charged for the time the hog held the CPUs."""
    import threading

    hog_code = (
        "import os, time\nfor _ in range(6):\n    if os.fork() == 0:\n        while True:\n"
        "            pass\ntime.sleep(4)\nresult = 1"
    )
    honest_code = "total = 0\nfor i in range(3_000_000):\n    total += i % 7\nresult = total"
    limits = Limits(memory_mb=256, cell_timeout=10, total_timeout=20, processes=8)
    outcome = {}

    def hog():
        with Sandbox(limits, default_allow()) as box:
            started, cpu0 = time.monotonic(), box.cgroup.cpu_seconds() if box.cgroup else 0
            outcome["hog"] = run(box, hog_code)
            if box.cgroup:
                outcome["share"] = (box.cgroup.cpu_seconds() - cpu0) / (time.monotonic() - started)

    thread = threading.Thread(target=hog)
    thread.start()
    time.sleep(1)
    honest_limits = Limits(memory_mb=256, cell_timeout=3, total_timeout=20, processes=8)
    with Sandbox(honest_limits, default_allow()) as box:
        for _ in range(3):
            assert run(box, honest_code) == sum(i % 7 for i in range(3_000_000))
        outcome["honest_charged"] = box.used
    thread.join()
    assert outcome["hog"] == 1
    if "share" in outcome:
        assert outcome["share"] <= 1.15  # one CPU (cpu.cfs_quota_us), not six


@root_only
def test_without_cgroups_the_uid_fallback_still_ends_every_process(monkeypatch):
    """Where no cgroups can be made, kill(-1) as the submission's uid ends what the PID
    namespace did not (here: checked with the namespace's own init still holding them)."""
    from msa_course.grading import sandbox as sb

    monkeypatch.setattr(sb.Cgroup, "create", classmethod(lambda cls, *args: None))
    with Sandbox(LIMITS, default_allow()) as box:
        assert box.cgroup is None and "per process only" in box.level
        assert run(box, LEAVE_BEHIND) == "left"
        time.sleep(0.2)
        uid = box.uid
        assert uid_processes(uid)
        kill_uid(uid)
        assert uid_processes(uid) == []


@root_only
def test_files_in_tmp_count_against_the_submissions_memory():
    """tmpfs pages are the submission's memory: /tmp larger than --memory cannot be filled."""
    code = (
        "with open('/tmp/work/big', 'wb') as fh:\n"
        "    for _ in range(150):\n        fh.write(b'x' * 2**20)\n        fh.flush()\n"
    )
    with Sandbox(Limits(memory_mb=64, tmp_mb=200), default_allow()) as box:
        if box.cgroup is None:
            pytest.skip("no writable cgroups on this machine")
        with pytest.raises(SandboxEnded) as ended:
            box.request({"op": "exec", "label": "<cell f>", "code": code})
    assert ended.value.code == "memory-limit"
