"""Honest submissions made from a source: what learners hand in when they solve all, some or
none of the questions. The grader's tests, its benchmark and an instructor's dry run grade
these and know the right score in advance."""

from __future__ import annotations

import numpy as np

from msa_course.grading import source as src
from msa_course.grading.release import release_notebook

SKIP = None  # leave the released stub in place


def solution_code(cell: src.SourceCell) -> str:
    """An answer cell's code (or text) as a learner who solved it would write it."""
    lines = cell.source.splitlines()
    return "\n".join(
        line for line in lines if line.strip() not in (src.BEGIN_SOLUTION, src.END_SOLUTION)
    )


def submission(assignment: src.Assignment, answers: dict[str, str | None] | None = None) -> dict:
    """The released notebook with every answer solved, except where `answers` maps a grade_id
    to other code (or to SKIP: the stub stays)."""
    answers = answers or {}
    nb = release_notebook(assignment)
    for parsed, cell in zip(assignment.cells, nb["cells"]):
        if parsed.solution:
            code = answers.get(parsed.grade_id, solution_code(parsed))
            if code is not SKIP:
                cell["source"] = code
    return nb


def expected_score(assignment: src.Assignment, solved: set[str]) -> float:
    """Points for solving exactly the answer cells in `solved`: a test earns its points when
    every answer cell of its group is solved, the answer cells since the tests before them
    (tests in a row share one group: exercise 02's Q2 (a) and (b) both use its answer cell)."""
    score, group_ok, after_test = 0.0, True, False
    for cell in assignment.cells:
        if cell.solution and cell.cell_type == "code":
            if after_test:
                group_ok, after_test = True, False
            group_ok = group_ok and cell.grade_id in solved
        elif cell.is_test:
            score += cell.points if group_ok else 0.0
            after_test = True
    return score


def make_class(assignment: src.Assignment, size: int, seed: int = 0):
    """`size` (name, notebook, expected score) triples: the first solves everything, the
    second nothing, the rest a random subset of the answers."""
    rng = np.random.default_rng(seed)
    ids = [c.grade_id for c in assignment.cells if c.solution and c.cell_type == "code"]
    out = []
    for i in range(size):
        if i == 0:
            solved = set(ids)
        elif i == 1:
            solved = set()
        else:
            solved = {g for g in ids if rng.random() < 0.6}
        answers = {g: SKIP for g in ids if g not in solved}
        out.append(
            (f"learner{i:02d}", submission(assignment, answers), expected_score(assignment, solved))
        )
    return out
