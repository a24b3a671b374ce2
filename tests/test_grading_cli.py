"""`msa-course grade` as an instructor uses it: outputs, resume after a kill, clear errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from msa_course import cli
from msa_course.grading import samples
from msa_course.grading import source as src
from msa_course.grading.tidy import dumps

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "grading" / "99_capacity.ipynb"


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> tuple[Path, dict[str, float]]:
    folder = tmp_path_factory.mktemp("submitted")
    expected = {}
    for name, nb, score in samples.make_class(src.parse(FIXTURE), 8, seed=3):
        (folder / f"{name}.ipynb").write_text(dumps(nb), encoding="utf-8")
        expected[name] = score
    return folder, expected


def grade_args(folder: Path, out: Path, *extra: str) -> list[str]:
    return ["grade", str(folder), "--source", str(FIXTURE), "--out", str(out), *extra]


def test_outputs_gradebook_json_and_feedback(klass, tmp_path, capsys):
    folder, expected = klass
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nlearner00,Ada\nabsent,Bo\n")
    assert cli.main(grade_args(folder, tmp_path, "-j", "2", "--roster", str(roster))) == 0
    terminal = capsys.readouterr()
    assert "8 graded, 0 unchanged" in terminal.out and "grading [" in terminal.err
    rows = (tmp_path / "gradebook.csv").read_text().splitlines()
    totals = {r.split(",")[0]: float(r.split(",")[-3]) for r in rows[1:]}
    assert totals == {**expected, "absent": 0.0}
    assert "no-submission" in rows[1]  # "absent" sorts first
    result = json.loads((tmp_path / "results" / "learner01.json").read_text())
    assert result["score"] == 0 and result["seconds"] > 0 and result["sandbox"]
    page = (tmp_path / "feedback" / "learner01.html").read_text()
    assert "Score: 0 / 6" in page and "servers_needed" in page
    assert src.BEGIN_HIDDEN not in page and "shared_bytes(three images)" not in page


def test_rerun_resumes_and_regrade_redoes(klass, tmp_path, capsys):
    folder, _ = klass
    cli.main(grade_args(folder, tmp_path, "--quiet"))
    capsys.readouterr()
    cli.main(grade_args(folder, tmp_path, "--quiet"))
    assert "0 graded, 8 unchanged" in capsys.readouterr().out
    cli.main(grade_args(folder, tmp_path, "--quiet", "--regrade"))
    assert "8 graded, 0 unchanged" in capsys.readouterr().out


def test_killed_run_resumes_to_the_same_gradebook(klass, tmp_path):
    folder, _ = klass
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert cli.main(grade_args(folder, whole, "--quiet")) == 0
    command = [sys.executable, "-m", "msa_course", *grade_args(folder, killed, "--quiet")]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((killed / "results").glob("*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = list((killed / "results").glob("*.json"))
    assert 2 <= len(finished) < 8
    for path in finished:  # atomic: whatever was written is whole
        json.loads(path.read_text())
    assert not (killed / "gradebook.csv").exists()
    assert cli.main(grade_args(folder, killed, "--quiet")) == 0
    assert (killed / "gradebook.csv").read_text() == (whole / "gradebook.csv").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["grade", "x.ipynb", "--source", "missing.ipynb", "--out", "o"], "no such notebook"),
        (["grade", "x.ipynb", "--assignment", "77", "--out", "o"], "need exactly one"),
        (["grade", "nowhere", "--source", str(FIXTURE), "--out", "o"], "no such file or folder"),
        (["grade", str(FIXTURE), "--source", str(FIXTURE), "--out", "o", "-j", "0"], "-j"),
    ],
)
def test_bad_input_is_one_clear_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
