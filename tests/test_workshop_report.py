"""`msa-course report`: the class report agrees with the gradebook it was built from, names
misconceptions by the exercise's hints, exports what Canvas and Moodle import, and refuses
grades that are not one consistent assignment without writing anything."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest
from helpers import EXERCISES, SOLUTIONS, html_tables

from msa_course.grading import gradebook
from msa_course.grading import samples as grading_samples
from msa_course.grading import source as src
from msa_course.workshop import exercise as ex
from msa_course.workshop import lms, samples

CLI = str(Path(sys.executable).parent / "msa-course")


def report(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLI, "report", *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8").splitlines()))


@pytest.fixture(scope="module")
def ex01() -> ex.Exercise:
    return ex.load(EXERCISES / "01_infrastructure.ipynb")


@pytest.fixture(scope="module")
def class40(tmp_path_factory, ex01):
    """40 generated graded learners and their report."""
    base = tmp_path_factory.mktemp("class40")
    results = samples.make_grades(base / "grades", ex01, 40, seed=2)
    out = report(base / "grades", "--out", base / "report")
    assert out.returncode == 0, out.stderr
    return base, results


def test_the_report_agrees_with_the_gradebook(class40):
    base, results = class40
    book = read_csv(base / "grades" / "gradebook.csv")
    header, rows = book[0], {row[0]: row for row in book[1:]}
    summary = json.loads((base / "report" / "summary.json").read_text())
    ids = header[1 : header.index("total")]
    for learner, row in rows.items():
        info = summary["learners"][learner]
        assert f"{info['score']:g}" == row[header.index("total")]
        assert [f"{info['points'][g]:g}" for g in ids] == row[1 : 1 + len(ids)]
    learners = html_tables((base / "report" / "report.html").read_text())["learners"]
    assert len(learners) == 41
    for cells in learners[1:]:
        row = rows[cells[0]]
        assert cells[1 : 1 + len(ids)] == row[1 : 1 + len(ids)]
        assert cells[1 + len(ids)] == row[header.index("total")]
    assert (base / "report" / "gradebook.csv").read_bytes() == (
        base / "grades" / "gradebook.csv"
    ).read_bytes()
    totals = [float(row[header.index("total")]) for row in rows.values()]
    assert summary["total"]["mean"] == round(sum(totals) / 40, 2)
    assert sum(b["count"] for b in summary["total"]["histogram"]) == 40


def test_questions_and_hints_count_each_learner_once(class40, ex01):
    base, results = class40
    summary = json.loads((base / "report" / "summary.json").read_text())
    for q, question in zip(summary["questions"], ex01.questions):
        assert q["passed"] + q["failed"] + q["hidden"] + q["unanswered"] == 40
        statuses = [
            next(a for a in r["questions"] if a["grade_id"] == q["grade_id"])["status"]
            for r in results
        ]
        assert q["passed"] == statuses.count("passed")
        assert q["hidden"] == statuses.count("hidden-failed")
        expected: dict[str, set[str]] = {}
        for r in results:
            answer = next(a for a in r["questions"] if a["grade_id"] == q["grade_id"])
            if answer["status"] == "failed":
                hint = question.classify(answer["feedback"], error=None).text
                expected.setdefault(hint, set()).add(r["learner"])
            elif answer["status"] == "hidden-failed":
                expected.setdefault("Passes the visible checks, fails the hidden tests", set()).add(
                    r["learner"]
                )
        assert {h["text"]: set(h["who"]) for h in q["hints"]} == expected
    assert (
        summary["hardest"][0]
        == min(summary["questions"], key=lambda q: q["mean"] / q["max_points"])["grade_id"]
    )
    page = (base / "report" / "report.html").read_text()
    fired = [h for q in summary["questions"] for h in q["hints"]]
    assert fired and all(escape(h["text"]) in page for h in fired)


def test_follow_up_lists_low_scores_and_flags(class40):
    base, results = class40
    summary = json.loads((base / "report" / "summary.json").read_text())
    listed = {row["learner"] for row in summary["follow_up"]}
    low = {r["learner"] for r in results if r["score"] < 0.5 * r["max_score"]}
    flagged = {r["learner"] for r in results if r["flagged"]}
    assert listed == low | flagged and flagged


def test_lms_exports(class40):
    base, results = class40
    canvas = read_csv(base / "report" / "canvas.csv")
    assert canvas[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "01 Infrastructure: exercise",
    ]
    assert canvas[1] == ["Points Possible", "", "", "", "", "12"]
    scores = {r["learner"]: f"{r['score']:g}" for r in results}
    assert {row[3]: row[5] for row in canvas[2:]} == scores
    moodle = read_csv(base / "report" / "moodle.csv")
    assert moodle[0] == ["Username", "Email address", "01 Infrastructure: exercise"]
    assert {row[0]: row[2] for row in moodle[1:]} == scores


def test_an_lms_roster_maps_learners(tmp_path, class40):
    base, _ = class40
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "learner,name,login,email,canvas_id,section\n"
        'learner00,"Lovelace, Ada",ada.l,ada@example.org,1001,Mon\n'
    )
    out = report(base / "grades", "--out", tmp_path / "r", "--lms-roster", roster)
    assert out.returncode == 0, out.stderr
    canvas = {row[3]: row for row in read_csv(tmp_path / "r" / "canvas.csv")[2:]}
    assert canvas["ada.l"] == ["Lovelace, Ada", "1001", "", "ada.l", "Mon", "12"]
    assert "learner01" in canvas  # not on the roster: the hub name
    moodle = {row[0]: row for row in read_csv(tmp_path / "r" / "moodle.csv")[1:]}
    assert moodle["ada.l"][1] == "ada@example.org"


@pytest.mark.parametrize(
    "content, message",
    [
        ("name,login\nx,y\n", "learner among them"),
        ("learner,phone\nx,1\n", "unknown column(s) phone"),
        ("learner\nx\nx\n", "line 3: a second row for x"),
    ],
)
def test_a_bad_lms_roster_is_one_line(tmp_path, content, message):
    path = tmp_path / "roster.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=re.escape(message)):
        lms.read_roster(path)


def _graded(tmp_path: Path, ex01, size: int = 4) -> Path:
    samples.make_grades(tmp_path / "grades", ex01, size)
    return tmp_path / "grades"


def _regrade(grades: Path, ex01, result: dict) -> None:
    """Save a changed result and rebuild the gradebook from all results, as a grading run
    that came to that result would."""
    gradebook.save_result(grades, result)
    rows = [json.loads(p.read_text()) for p in sorted((grades / "results").glob("*.json"))]
    ids = [q.grade_id for q in ex01.questions]
    gradebook.atomic_write(grades / "gradebook.csv", gradebook.gradebook_csv(ids, rows))


def test_bad_input_is_one_line_and_writes_nothing(tmp_path, ex01):
    grades = _graded(tmp_path, ex01)
    out = tmp_path / "out"
    cases = []
    empty = tmp_path / "empty"
    empty.mkdir()
    cases.append(([empty, "--out", out], "holds no graded results"))
    cases.append(
        (
            [grades, "--out", out, "--assignment", "02"],
            "holds grades of 01_infrastructure, not of exercise 02",
        )
    )
    cases.append(([grades, "--out", grades], "--out must not be inside"))
    cases.append(([grades, "--out", out, "--lang", "xx"], "--lang 'xx': choose one of en"))
    cases.append(([grades, "--out", grades / "results" / "x"], "--out must not be inside"))
    for args, message in cases:
        run = report(*args)
        assert run.returncode == 1 and message in run.stderr, (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1
        assert not out.exists() and not (grades / "results" / "x").exists()


def test_stale_mixed_or_malformed_grades_are_refused(tmp_path, ex01):
    grades = _graded(tmp_path, ex01)
    book = grades / "gradebook.csv"
    original = book.read_text()
    book.write_text(original.replace("learner00,2,3,3,2,2,12", "learner00,2,3,3,2,2,11"))
    run = report(grades, "--out", tmp_path / "o")
    assert run.returncode == 1 and "does not match results/" in run.stderr
    book.write_text(original)
    other = json.loads((grades / "results" / "learner01.json").read_text())
    other["assignment"] = "02_vms_and_containers"
    (grades / "results" / "learner01.json").write_text(json.dumps(other))
    run = report(grades, "--out", tmp_path / "o")
    assert run.returncode == 1 and "mixes assignments" in run.stderr
    (grades / "results" / "learner01.json").write_text("{not json")
    run = report(grades, "--out", tmp_path / "o")
    assert run.returncode == 1 and "learner01.json: not a grading result" in run.stderr
    assert not (tmp_path / "o").exists()


def test_learner_text_never_reaches_the_page(tmp_path, ex01):
    grades = _graded(tmp_path, ex01)
    path = grades / "results" / "learner01.json"
    result = json.loads(path.read_text())
    result["questions"][0].update(status="failed", feedback="servers_needed: <script>x</script>")
    result["flags"] = [{"code": "<img src=x>", "detail": "<b>"}]
    _regrade(grades, ex01, result)
    run = report(grades, "--out", tmp_path / "o")
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "o" / "report.html").read_text()
    assert "<script>x" not in page and "<img src=x>" not in page and "&lt;img src=x&gt;" in page


def test_hand_graded_points_pending_leave_the_lms_blank(tmp_path, ex01):
    grades = _graded(tmp_path, ex01)
    path = grades / "results" / "learner00.json"
    result = json.loads(path.read_text())
    result["questions"][0].update(points=None, status="pending-manual", kind="manual")
    result["score"] = sum(q["points"] or 0 for q in result["questions"])
    _regrade(grades, ex01, result)
    run = report(grades, "--out", tmp_path / "o")
    assert run.returncode == 0 and "1 learners wait for hand-graded points" in run.stdout
    canvas = {row[3]: row[5] for row in read_csv(tmp_path / "o" / "canvas.csv")[2:]}
    assert canvas["learner00"] == "" and canvas["learner01"] == "0"


@pytest.mark.slow
def test_a_real_grading_run(tmp_path):
    """Three submissions graded by msa-course grade (one fires a hint, one is missing from
    the roster): the report names the hint and counts the missing learner."""
    source = src.parse(SOLUTIONS / "00_welcome.ipynb")
    top_down = '["application patterns", "platform patterns", "infrastructure components"]'
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, answers in [
        ("ada", {}),
        ("grace", {"q1-answer": f"build_order = {top_down}"}),
        ("linus", {g: grading_samples.SKIP for g in ("q1-answer", "q2-answer", "q3-answer")}),
    ]:
        nb = grading_samples.submission(source, answers)
        (subs / f"{name}.ipynb").write_text(json.dumps(nb))
    (tmp_path / "roster.csv").write_text("ada\ngrace\nlinus\nmissing\n")
    grade = subprocess.run(
        [
            CLI,
            "grade",
            str(subs),
            "--source",
            str(SOLUTIONS / "00_welcome.ipynb"),
            "--out",
            str(tmp_path / "g"),
            "--roster",
            str(tmp_path / "roster.csv"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert grade.returncode == 0, grade.stderr
    run = report(tmp_path / "g", "--out", tmp_path / "r", "--assignment", "00")
    assert run.returncode == 0, run.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["graded"] == 3 and summary["missing"] == 1
    q1 = summary["questions"][0]
    assert q1["hints"][0]["who"] == ["grace"]
    assert q1["hints"][0]["text"].startswith("That is the order from the top down")
    header, *rows = read_csv(tmp_path / "g" / "gradebook.csv")
    total = header.index("total")
    assert {k: f"{v['score']:g}" for k, v in summary["learners"].items()} == {
        row[0]: row[total] for row in rows
    }
    assert "missing" in {r["learner"] for r in summary["follow_up"]}
