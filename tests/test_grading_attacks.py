"""Hostile submissions (tests/data/attacks/, one per attack in issue 8) graded in one class
run beside honest ones: every attack earns nothing and is flagged, the honest submissions get
their right scores, nothing escapes to the machine and no process survives the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from msa_course import cli
from msa_course.grading import samples
from msa_course.grading import source as src
from msa_course.grading.tidy import dumps

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "grading" / "99_capacity.ipynb"
ATTACKS = ROOT / "tests" / "data" / "attacks"
ESCAPES = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock", str(ROOT), "/root", "/etc"]

# attack -> a flag it must raise (others may come too)
EXPECTED_FLAG = {
    "swallow_exceptions": "exception-handler",
    "monkeypatch_checks": "redefines-checks",
    "imitate_pass": "imitates-pass",
    "edit_tests": "edited-test",
    "delete_tests": "deleted-cell",
    "reorder_tests": "reordered",
    "duplicate_tests": "duplicate-grade-id",
    "read_hidden_tests": "reads-machinery",
    "sys_exit": "exits",
    "os_exit": "died",
    "kill_kernel": "died",
    "detach_and_kill": "signals-processes",
    "memory_in_children": "memory-limit",
    "tmp_inode_flood": "writes-files",
    "cpu_children": "timeout",
    "sysv_ipc": "reads-machinery",
    "output_tamper": "tampers-output",
    "hash_flood": "protocol",
    "forged_error_record": "reads-machinery",
    "infinite_loop": "timeout",
    "memory_bomb": "memory-limit",
    "fork_bomb": "timeout",
    "output_flood": "output-limit",
    "write_outside": "writes-files",
    "not_a_notebook": "invalid-notebook",
    "malformed_json": "invalid-notebook",
    "not_cells": "invalid-notebook",
}
HONEST = {"honest_full": 6.0, "honest_partial": 2.0, "honest_empty": 0.0}


def test_every_attack_has_a_fixture_and_an_expectation():
    assert {p.stem for p in ATTACKS.glob("*.ipynb")} == set(EXPECTED_FLAG)
    # The README's security paragraph promises this many; an attack added updates it.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"the {len(EXPECTED_FLAG)} attack notebooks in `tests/data/attacks/`" in readme


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    """Grade attacks and honest work together, with tight limits, two at a time."""
    folder = tmp_path_factory.mktemp("class")
    out = tmp_path_factory.mktemp("out")
    for attack in ATTACKS.glob("*.ipynb"):
        shutil.copy(attack, folder / attack.name)
    assignment = src.parse(FIXTURE)
    skip = dict.fromkeys(["q1-answer", "q2-answer", "q3-answer", "q4-answer"], samples.SKIP)
    honest = {
        "honest_full": samples.submission(assignment),
        "honest_empty": samples.submission(assignment, skip),
        "honest_partial": samples.submission(  # q1 solved, the rest left alone
            assignment, {k: v for k, v in skip.items() if k != "q1-answer"}
        ),
    }
    for name, nb in honest.items():
        (folder / f"{name}.ipynb").write_text(dumps(nb), encoding="utf-8")
    for folder_name in ESCAPES:
        Path(folder_name, "msa_attack_escaped").unlink(missing_ok=True)
    code = cli.main(
        [
            "grade",
            str(folder),
            "--source",
            str(FIXTURE),
            "--out",
            str(out),
            "-j",
            "2",
            "--timeout-cell",
            "3",
            "--timeout-total",
            "15",
            "--memory",
            "256",
            "--processes",
            "8",
            "--quiet",
        ]
    )
    assert code == 0
    results = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    return results, out


@pytest.mark.parametrize("attack", sorted(EXPECTED_FLAG))
def test_attack_earns_nothing_and_is_flagged(class_run, attack):
    result = class_run[0][attack]
    assert result["score"] == 0, result["questions"]
    codes = {f["code"] for f in result["flags"]}
    assert result["flagged"] and EXPECTED_FLAG[attack] in codes, codes


@pytest.mark.parametrize("learner", sorted(HONEST))
def test_honest_work_in_the_same_run_is_graded_normally(class_run, learner):
    result = class_run[0][learner]
    assert result["score"] == HONEST[learner]
    assert not result["flagged"], result["flags"]


def test_nothing_escaped_and_nothing_survived(class_run):
    for folder in ESCAPES:
        assert not Path(folder, "msa_attack_escaped").exists(), folder
    if os.geteuid() == 0:  # this run's uids only: other graders may run on the machine
        uids = {r["uid"] for r in class_run[0].values() if r.get("uid")}
        assert len(uids) == len([r for r in class_run[0].values() if r.get("sandbox")])
        alive = subprocess.run(["ps", "-eo", "uid="], capture_output=True, text=True)
        assert not uids & {int(u) for u in alive.stdout.split()}


def test_gradebook_lists_the_whole_class(class_run):
    results, out = class_run
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert rows[0] == "learner,q1-test,q2-test,q3-test,q4-test,total,max,late,needs_manual,flags"
    assert len(rows) == 1 + len(EXPECTED_FLAG) + len(HONEST)
    assert "honest_full,2,1,2,1,6,6,,," in rows


def test_the_disk_attack_is_real_outside_the_sandbox():
    """Control: unconfined, the read-hidden-tests attack finds the source and scores."""
    nb = json.loads((ATTACKS / "read_hidden_tests.ipynb").read_text())
    code = next(
        c["source"]
        for c in nb["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "q1-answer"
    )
    probe = f"import math\n{code}\nprint(servers_needed(1000, 300))"
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.stdout.strip() == "4", run.stderr[-500:]
