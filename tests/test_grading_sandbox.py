"""The learner's process, probed from inside: what it can see, reach, write and spawn."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from msa_course.grading import judge
from msa_course.grading.sandbox import Limits, Sandbox, SandboxEnded, default_keep

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits(memory_mb=256, cell_timeout=5, total_timeout=20, processes=4)
# What of the checkout stays visible: the package, and the environment running the tests
# (.venv-dev, or .venv) when it lives in the checkout.
VISIBLE = {Path(sys.prefix).name, "msa_course"}
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root here")


def probe(code: str, name: str = "result"):
    with Sandbox(LIMITS, 11, [str(ROOT)], default_keep()) as box:
        reply = box.request({"op": "exec", "label": "<cell probe>", "code": code})
        assert reply["ok"], reply
        return judge.LearnerNamespace(box, {})[name]


@root_only
def test_the_project_is_hidden_except_what_python_needs():
    seen = probe(f"import os\nresult = sorted(os.listdir({str(ROOT)!r}))")
    assert set(seen) <= VISIBLE
    assert probe(f"import os\nresult = os.path.exists({str(ROOT / 'solutions')!r})") is False


@root_only
def test_no_network_and_no_writes_outside_its_folder():
    code = (
        "import socket, os\nresult = {}\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
        "    result['net'] = 'open'\nexcept OSError as err:\n    result['net'] = err.errno\n"
        "for path in ('/etc/x', '/var/tmp/../x', os.path.expanduser('~/ok')):\n"
        "    try:\n        open(path, 'w').close()\n        result[path] = 'written'\n"
        "    except OSError:\n        result[path] = 'refused'\n"
        "result['uid'] = os.getuid()\nresult['cwd'] = os.getcwd()"
    )
    result = probe(code)
    assert result["net"] != "open"
    assert result["/etc/x"] == result["/var/tmp/../x"] == "refused"
    assert result["/tmp/work/ok"] == "written" and result["cwd"] == "/tmp/work"
    assert result["uid"] >= 1_000_000_000


@root_only
def test_process_limit_holds():
    code = (
        "import os, time\nresult = 0\n"
        "for _ in range(20):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n"
        "        os._exit(0)\n    result += 1"
    )
    assert probe(code) < LIMITS.processes


def test_memory_limit_raises_memory_error_in_the_learner_process():
    with Sandbox(LIMITS, 12, [str(ROOT)], default_keep()) as box:
        reply = box.request({"op": "exec", "label": "<cell m>", "code": "x = bytearray(2**30)"})
    assert reply["error"]["type"] == "MemoryError"


def test_cell_timeout_ends_the_process():
    with Sandbox(Limits(cell_timeout=1), 13, [str(ROOT)], default_keep()) as box:
        with pytest.raises(SandboxEnded) as ended:
            box.request({"op": "exec", "label": "<cell t>", "code": "while True:\n    pass"})
    assert ended.value.code == "timeout"


@root_only
def test_user_namespace_fallback_still_hides_files_and_network():
    """Without root the child isolates itself in a user namespace; exercised here by
    starting the sandbox without a uid of its own."""
    box = Sandbox(LIMITS, 14, [str(ROOT)], default_keep())
    box.uid = None
    with box:
        assert box.level.startswith("grader's uid") and "no network" in box.level
        code = f"import os\nresult = sorted(os.listdir({str(ROOT)!r}))"
        assert box.request({"op": "exec", "label": "<cell u>", "code": code})["ok"]
        assert set(judge.LearnerNamespace(box, {})["result"]) <= VISIBLE


@root_only
def test_a_kept_folder_under_tmp_stays_readable_and_read_only(tmp_path):
    """A checkout cloned under /tmp keeps its .venv and package visible in the private /tmp."""
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "data.txt").write_text("visible")
    os.chmod(tmp_path, 0o755)
    code = (
        f"result = {{'read': open({str(kept / 'data.txt')!r}).read()}}\n"
        f"try:\n    open({str(kept / 'new.txt')!r}, 'w').close()\n    result['write'] = 'written'\n"
        "except OSError:\n    result['write'] = 'refused'\n"
    )
    with Sandbox(LIMITS, 15, [str(ROOT)], [*default_keep(), str(kept)]) as box:
        reply = box.request({"op": "exec", "label": "<cell k>", "code": code})
        assert reply["ok"], reply
        result = judge.LearnerNamespace(box, {})["result"]
    assert result == {"read": "visible", "write": "refused"}
    assert not (kept / "new.txt").exists()
