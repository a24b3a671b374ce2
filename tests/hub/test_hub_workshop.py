"""A workshop end to end on a real JupyterHub: the room of conftest.py (three learners who
pulled the course with an nbgitpuller link, ran chapter 00 in their own kernels and answered
the exercise fully, partly, not at all); the course is updated under one learner's edits; the
instructor collects and grades."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from room import CHAPTER, LEARNERS, ROOT, SOLUTION, git

from msa_course.grading import source as src
from msa_course.workshop.collect import collect

pytestmark = [pytest.mark.hub, pytest.mark.slow]


def _expected_totals() -> dict[str, float]:
    """All points; the points of the tests right after the first answer; nothing."""
    cells = src.parse(SOLUTION).cells
    answers = [i for i, c in enumerate(cells) if c.solution]
    first = sum(c.points for c in cells[answers[0] : answers[1]] if c.is_test)
    total = sum(c.points for c in cells if c.is_test)
    assert 0 < first < total, "the exercise needs two questions for a partial answer"
    return {"ada": total, "grace": first, "linus": 0.0}


def test_workshop_end_to_end(hub, room, course_repo, instructor):
    _, upstream = course_repo
    runs = room["runs"]
    code_cells = sum(
        c["cell_type"] == "code" for c in json.loads((ROOT / CHAPTER).read_text())["cells"]
    )
    for name, run in runs.items():
        assert run["cells"] == code_cells, name
        assert (hub.homes / name / "msa-course" / CHAPTER).is_file()
    assert not runs["ada"]["exercise_errors"], "the fully answered exercise failed its checks"

    # The instructor updates the course: a new file, and a change to the exercise itself.
    ex_path = upstream / "exercises" / SOLUTION.name
    updated = json.loads(ex_path.read_text())
    updated["cells"][0]["source"] += "\n\n(Updated after the workshop started.)"
    ex_path.write_text(json.dumps(updated, indent=1) + "\n")
    (upstream / "course" / "UPDATE.md").write_text("New material.\n")
    git(upstream, "commit", "-q", "-am", "Update")
    git(upstream, "add", "course/UPDATE.md")
    git(upstream, "commit", "-q", "-m", "Add a file")
    git(upstream, "push", "-q", "origin", "main")
    hub.pull(hub.login("ada"), "ada", room["link"])

    ada_home = hub.homes / "ada" / "msa-course"
    assert (ada_home / "course" / "UPDATE.md").is_file(), "the update did not arrive"
    after = json.loads((ada_home / "exercises" / SOLUTION.name).read_text())  # still valid JSON

    def answers(nb):
        return [
            src.cell_text(c)
            for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")
        ]

    assert answers(after) == answers(runs["ada"]["answered"]), "the update destroyed ada's work"

    # The instructor (root) collects from the homes no learner can read, and grades.
    before = {p: p.stat().st_mtime_ns for p in hub.homes.glob("*/msa-course/exercises/*.ipynb")}
    submissions = instructor / "submissions"
    result = collect(hub.homes, "00", submissions)
    assert sorted(result.copied) == sorted(LEARNERS) and not result.skipped
    assert before == {p: p.stat().st_mtime_ns for p in before}, "collect changed a learner's file"

    grade = subprocess.run(
        [
            str(Path(sys.executable).parent / "msa-course"),
            "grade",
            str(submissions),
            "--source",
            str(SOLUTION),
            "--out",
            str(instructor / "graded"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert grade.returncode == 0, grade.stdout + grade.stderr
    with open(instructor / "graded" / "gradebook.csv", newline="") as f:
        totals = {row["learner"]: float(row["total"]) for row in csv.DictReader(f)}
    assert totals == _expected_totals()
