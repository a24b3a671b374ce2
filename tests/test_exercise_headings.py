"""What an exercise promises at the top is what the grader counts.

Each "## Question N (P points)" heading numbers the questions 1, 2, 3 ... and its P is the sum
of the points of the graded cells under it (up to the next heading); where the intro says how
many questions ("Eleven questions") or how many points ("(24 points)"), those match the
headings and the grader's total too.
"""

from __future__ import annotations

import re

import pytest
from helpers import SOLUTIONS, cells, notebooks

HEADING = re.compile(r"^## Question (\d+) \((\d+) points?\)", re.MULTILINE)
COUNT = re.compile(r"\b(One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve) questions?")
TOTAL = re.compile(r"\((\d+) points\)")
WORDS = "One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve".split()


def _questions(path):
    """[(number, points the heading says, points of its graded cells)], and the intro's text."""
    questions, intro = [], None
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            heading = HEADING.search(cell["text"])
            if heading:
                questions.append([int(heading[1]), int(heading[2]), 0])
            elif intro is None:
                intro = cell["text"]
        points = cell.get("metadata", {}).get("nbgrader", {}).get("points")
        if points:
            assert questions, f"{path.name}: graded cell before the first question heading"
            questions[-1][2] += points
    return questions, intro or ""


@pytest.mark.parametrize("path", notebooks(SOLUTIONS), ids=lambda p: p.stem)
def test_headings_and_intro_agree_with_the_graded_cells(path):
    questions, intro = _questions(path)
    assert [q[0] for q in questions] == list(range(1, len(questions) + 1)), path.name
    for number, said, graded in questions:
        assert said == graded, f"{path.name} question {number}: heading {said}, cells {graded}"
    count = COUNT.search(intro)
    if count:
        assert WORDS.index(count[1]) + 1 == len(questions), f"{path.name}: intro says {count[0]}"
    total = TOTAL.search(intro)
    if total:
        assert int(total[1]) == sum(q[2] for q in questions), f"{path.name}: intro says {total[0]}"


@pytest.mark.parametrize("stem", ["03_container_orchestration", "04_cloud_service_models"])
def test_the_intro_states_the_count_and_the_points(stem):
    _questions_, intro = _questions(SOLUTIONS / f"{stem}.ipynb")
    assert COUNT.search(intro) and TOTAL.search(intro), intro[:200]
