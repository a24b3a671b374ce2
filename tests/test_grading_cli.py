"""`msa-course grade` as an instructor uses it: outputs, resume after a kill, clear errors."""

from __future__ import annotations

import csv
import json
import os
import shutil
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


def gradebook_rows(out: Path) -> list[dict]:
    with open(out / "gradebook.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def grade_args(folder: Path, out: Path, *extra: str) -> list[str]:
    return ["grade", str(folder), "--source", str(FIXTURE), "--out", str(out), *extra]


def test_outputs_gradebook_json_and_feedback(klass, tmp_path, capsys):
    folder, expected = klass
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nlearner00,Ada\nabsent,Bo\n")
    assert cli.main(grade_args(folder, tmp_path, "-j", "2", "--roster", str(roster))) == 0
    terminal = capsys.readouterr()
    assert "8 graded, 0 unchanged" in terminal.out and "grading [" in terminal.err
    rows = gradebook_rows(tmp_path)
    assert {r["learner"]: float(r["total"]) for r in rows} == {**expected, "absent": 0.0}
    assert rows[0]["flags"] == "no-submission"  # "absent" sorts first
    result = json.loads((tmp_path / "results" / "learner01.json").read_text())
    assert result["score"] == 0 and result["seconds"] > 0 and result["sandbox"]
    assert result["title"] == "99 Capacity: grading fixture"
    page = (tmp_path / "feedback" / "learner00.html").read_text()
    assert "Score: 6 / 6" in page and "def servers_needed" in page  # the learner's own code
    assert "Question 1" in page and "99 Capacity: grading fixture" in page
    assert src.BEGIN_HIDDEN not in page and "shared_bytes(three images)" not in page
    empty = (tmp_path / "feedback" / "learner01.html").read_text()
    assert empty.count("Not answered.") == 4 and "NotImplementedError" not in empty


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
        (["grade", str(FIXTURE), "--source", str(FIXTURE), "--out", "o", "--lang", "xx"], "en"),
        (["grade", str(FIXTURE), "--source", str(FIXTURE), "--out", "o", "--due", "soon"], "--due"),
        (
            ["grade", str(FIXTURE), "--source", str(FIXTURE), "--out", "o", "--late-penalty", "5"],
            "needs --due",
        ),
    ],
)
def test_bad_input_is_one_clear_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


MANUAL = ROOT / "tests" / "data" / "grading" / "98_manual.ipynb"


def test_manual_answers_wait_for_the_instructor_then_merge(tmp_path, capsys):
    """Hand-graded answers are listed, written to manual.csv to fill in, and merged (points
    into the gradebook, the comment onto the learner's page) on the next run."""
    assignment = src.parse(MANUAL)
    folder = tmp_path / "submitted"
    folder.mkdir()
    answered = samples.submission(assignment)
    blank = samples.submission(assignment, {"q2-answer": samples.SKIP, "q3-answer": samples.SKIP})
    (folder / "ada.ipynb").write_text(dumps(answered), encoding="utf-8")
    (folder / "bo.ipynb").write_text(dumps(blank), encoding="utf-8")
    out = tmp_path / "out"
    args = ["grade", str(folder), "--source", str(MANUAL), "--out", str(out), "--quiet"]
    assert cli.main(args) == 0
    assert "hand-graded answers wait for points" in capsys.readouterr().out
    rows = {r["learner"]: r for r in gradebook_rows(out)}
    assert rows["ada"]["needs_manual"] == "q2-answer q3-answer q4-task"
    assert rows["ada"]["q2-answer"] == "" and rows["ada"]["total"] == "2"
    assert rows["bo"]["needs_manual"] == "q4-task" and rows["bo"]["q2-answer"] == "0"
    sheet = (out / "manual.csv").read_text().splitlines()
    assert sheet[0] == "learner,question,points,comment"
    assert sheet[1:] == ["ada,q2-answer,,", "ada,q3-answer,,", "ada,q4-task,,", "bo,q4-task,,"]
    sheet[1] = "ada,q2-answer,1.5,Right idea; say what the guest OS boot costs."
    sheet[3] = "ada,q4-task,1,"
    (out / "manual.csv").write_text("\n".join(sheet) + "\n")
    assert cli.main(args) == 0
    rows = {r["learner"]: r for r in gradebook_rows(out)}
    assert rows["ada"]["q2-answer"] == "1.5" and rows["ada"]["needs_manual"] == "q3-answer"
    assert rows["ada"]["total"] == "4.5" and rows["ada"]["max"] == "6"
    page = (out / "feedback" / "ada.html").read_text()
    assert "Right idea; say what the guest OS boot costs." in page
    assert "A container is a process" in page  # the written answer, shown back
    assert "MARK SCHEME" not in page


@pytest.mark.parametrize(
    "line, message",
    [
        ("ada,q9,1,", "'q9' is not a hand-graded question (those are: q2-answer, q3-answer"),
        ("ada,q2-answer,5,", "points '5' for q2-answer must be a number from 0 to 2"),
        ("ada,q2-answer,lots,", "points 'lots'"),
        ("zed,q2-answer,1,", "no learner 'zed'"),
        ("ada,q2-answer", "needs 4 columns"),
    ],
)
def test_a_malformed_manual_file_is_one_clear_line(line, message, tmp_path, capsys):
    folder = tmp_path / "submitted"
    folder.mkdir()
    nb = samples.submission(src.parse(MANUAL))
    (folder / "ada.ipynb").write_text(dumps(nb), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "manual.csv").write_text(f"learner,question,points,comment\n{line}\n")
    args = ["grade", str(folder), "--source", str(MANUAL), "--out", str(out), "--quiet"]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert message in err and "manual.csv, line 2" in err and err.count("\n") == 1
    assert not (out / "gradebook.csv").exists()  # refused before anything was written


def test_late_work_is_marked_and_penalised(klass, tmp_path):
    folder, expected = klass
    submissions = tmp_path / "submitted"
    shutil.copytree(folder, submissions)
    due = 1_700_000_000
    os.utime(submissions / "learner00.ipynb", (due - 3600, due - 3600))  # an hour early
    os.utime(submissions / "learner03.ipynb", (due + 30 * 3600, due + 30 * 3600))  # 30 h late
    for other in submissions.glob("*.ipynb"):
        if other.stem not in ("learner00", "learner03"):
            os.utime(other, (due, due))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(due))
    out = tmp_path / "out"
    extra = ("--due", stamp, "--late-penalty", "10/day", "--quiet")
    assert cli.main(grade_args(submissions, out, *extra)) == 0
    rows = {r["learner"]: r for r in gradebook_rows(out)}
    assert rows["learner00"]["late"] == "" and float(rows["learner00"]["total"]) == 6
    assert rows["learner03"]["late"] == "30.0"
    assert float(rows["learner03"]["total"]) == pytest.approx(expected["learner03"] * 0.8)
    page = (out / "feedback" / "learner03.html").read_text()
    assert "Handed in 1 d 6 h after the due time: 20% off." in page


def test_sigterm_keeps_what_is_graded_and_writes_the_gradebook(klass, tmp_path):
    folder, _ = klass
    out = tmp_path / "out"
    command = [sys.executable, "-m", "msa_course", *grade_args(folder, out, "--quiet")]
    proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(list((out / "results").glob("*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr[-2000:]
    assert b"Traceback" not in stderr and b"not graded; run the same command again" in stderr
    rows = gradebook_rows(out)
    assert 2 <= len(rows) and {r["learner"] for r in rows} <= {f"learner{i:02d}" for i in range(8)}
    assert len(rows) == len(list((out / "results").glob("*.json")))


@pytest.mark.parametrize("command", ["grade", "collect", "build-site"])
def test_out_that_cannot_be_written_is_one_clear_line(command, klass, tmp_path, capsys):
    folder, _ = klass
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    args = {
        "grade": grade_args(folder, a_file),
        "collect": ["collect", "--homes", str(tmp_path), "--assignment", "99", "--out"],
        "build-site": ["build-site", "--root", str(ROOT)],
    }[command]
    if command != "grade":
        args.append(str(a_file))
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "is a file; give a folder" in err and err.count("\n") == 1
    inside = tmp_path / "a_file" / "sub"
    args[args.index(str(a_file))] = str(inside)
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "cannot write there" in err and err.count("\n") == 1
