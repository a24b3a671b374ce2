"""Interoperability: the real nbgrader (`generate_assignment`, `autograde`) and
`msa-course grade` give honest submissions (full, partial, empty) the same points per test,
and list the same hand-graded answers as waiting for the instructor (98_manual has a written
answer, a code answer read by hand, and a task).

One temporary nbgrader course holds the grading fixture and every solutions/*.ipynb as
assignments; each learner's notebook sits at submitted/<learner>/<assignment>/<name>.ipynb,
the layout both graders read."""

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

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "tests" / "data" / "grading" / "99_capacity.ipynb",
    ROOT / "tests" / "data" / "grading" / "98_manual.ipynb",
    *sorted((ROOT / "solutions").glob("*.ipynb")),
]


def honest_class(assignment: src.Assignment) -> dict[str, dict]:
    ids = [c.grade_id for c in assignment.cells if c.solution]
    return {
        "full": samples.submission(assignment),
        "empty": samples.submission(assignment, dict.fromkeys(ids, samples.SKIP)),
        "partial": samples.submission(assignment, dict.fromkeys(ids[1::2], samples.SKIP)),
    }


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    if shutil.which("nbgrader", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("nbgrader is not installed in this environment")
    root = tmp_path_factory.mktemp("nbgrader_course")
    (root / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "msa"\n'
        "c.ExecutePreprocessor.timeout = 60\n"
    )
    for path in SOURCES:
        assignment = src.parse(path)
        (root / "source" / path.stem).mkdir(parents=True)
        shutil.copy(path, root / "source" / path.stem / path.name)
        learners = honest_class(assignment)
        if path.stem == "99_capacity":  # passes the visible checks, fails the hidden tests
            learners["tricky"] = samples.submission(
                assignment,
                {
                    "q3-answer": "def shared_bytes(images):\n    return 100",
                    "q4-answer": 'service_model = "paas"',
                },
            )
        for learner, nb in learners.items():
            target = root / "submitted" / learner / path.stem / path.name
            target.parent.mkdir(parents=True)
            target.write_text(dumps(nb), encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    # every assignment in one run of each step ("*" is a glob over source/ and submitted/):
    # starting nbgrader costs seconds
    for step in (
        ["generate_assignment", "*", "--force"],
        ["autograde", "*", "--create", "--force"],
    ):
        run = subprocess.run(
            ["nbgrader", *step], cwd=root, env=env, capture_output=True, text=True, timeout=1200
        )
        assert run.returncode == 0, run.stderr[-2000:]
    return root


def nbgrader_points(course: Path, assignment: str, learner: str):
    """Points nbgrader gave automatically, and the answers it leaves for manual grading."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        nb = gradebook.find_submission_notebook(assignment, assignment, learner)
        points = {g.name: g.auto_score for g in nb.grades if g.auto_score is not None}
        return points, sorted(g.name for g in nb.grades if g.needs_manual_grade)


@pytest.mark.parametrize("source_path", SOURCES, ids=lambda p: p.stem)
def test_same_points_as_nbgrader(course, source_path, tmp_path):
    name = source_path.stem
    out = tmp_path / "out"
    submitted = sorted((course / "submitted").glob(f"*/{name}/{name}.ipynb"))
    assert (
        cli.main(
            [
                "grade",
                *map(str, submitted),
                "--source",
                str(source_path),
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    for notebook in submitted:
        learner = notebook.parents[1].name
        ours = json.loads((out / "results" / f"{learner}.json").read_text())
        points = {q["grade_id"]: q["points"] for q in ours["questions"] if q["points"] is not None}
        manual = sorted(q["grade_id"] for q in ours["questions"] if q["points"] is None)
        theirs, their_manual = nbgrader_points(course, name, learner)
        assert points == theirs, (learner, points, theirs)
        assert manual == their_manual, (learner, manual, their_manual)
        if name == "98_manual" and learner == "full":
            assert manual == ["q2-answer", "q3-answer", "q4-task"]
    assert {n.parents[1].name for n in submitted} >= {"full", "empty", "partial"}
