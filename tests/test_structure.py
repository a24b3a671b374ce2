"""The course's notebooks keep their shape: skeleton, clean storage, pairing, exercises in sync."""

from __future__ import annotations

import re

import pytest
from helpers import COURSE, EXERCISES, SOLUTIONS, STEM, cells, notebooks

from msa_course.grading import release, source
from msa_course.grading.tidy import dumps, tidy

ALL = notebooks(COURSE) + notebooks(SOLUTIONS) + notebooks(EXERCISES)
EXPLORER_CALL = re.compile(r"\b\w+_(?:explorer|chooser)\(")


def ids(paths):
    return [f"{p.parent.name}/{p.name}" for p in paths]


def test_there_is_a_course():
    assert (COURSE / "00_welcome.ipynb").is_file()
    assert notebooks(SOLUTIONS), "solutions/ holds no exercise source"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_stored_clean(path):
    """No outputs, counts or widget state; canonical metadata and kernelspec python3."""
    text = path.read_text(encoding="utf-8")
    assert text == dumps(tidy(__import__("json").loads(text))), (
        f"{path.name} is not stored clean: run `msa-course tidy {path.parent.name}/{path.name}`"
    )


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_file_names(path):
    assert STEM.match(path.stem), f"{path.name}: name notebooks NN_slug.ipynb (lower case)"


def test_stems_are_paired():
    course = {p.stem for p in notebooks(COURSE)}
    solutions = {p.stem for p in notebooks(SOLUTIONS)}
    exercises = {p.stem for p in notebooks(EXERCISES)}
    assert exercises <= solutions, f"exercises without a source: {sorted(exercises - solutions)}"
    assert solutions <= exercises, f"sources never released: {sorted(solutions - exercises)}"
    assert solutions <= course, f"exercises without a chapter: {sorted(solutions - course)}"


def test_exercises_in_sync_with_release():
    stale = release.release(SOLUTIONS, EXERCISES, check=True)
    assert not stale, f"run `msa-course release`: out of date: {[p.name for p in stale]}"


@pytest.mark.parametrize("path", notebooks(SOLUTIONS), ids=ids(notebooks(SOLUTIONS)))
def test_solutions_are_valid_sources(path):
    assignment = source.parse(path)
    assert assignment.tests, f"{path.name} has no graded test cell"
    assert assignment.max_points > 0


CHAPTERS = notebooks(COURSE)


@pytest.mark.parametrize("path", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_skeleton(path):
    nb = cells(path)
    md = [c["text"] for c in nb if c["cell_type"] == "markdown"]
    assert md and md[0].startswith(f"# {path.stem[:2]} "), "first cell: '# NN Title'"
    headings = [line for text in md for line in text.splitlines() if line.startswith("## ")]
    for required in ("## Learning objectives", "## Check your understanding", "## Summary"):
        assert required in headings, f"{path.name}: missing '{required}'"
    assert any(re.match(r"## 1\. ", h) for h in headings), "numbered sections start at '## 1.'"
    assert "You can" in md[1] if md[1].startswith("## Learning") else True
    first_code = next(c["text"] for c in nb if c["cell_type"] == "code")
    assert "msa_course.setup_notebook(" in first_code, "the first code cell is the setup cell"
    assert any("selfcheck." in c["text"] for c in nb if c["cell_type"] == "code")
    if (SOLUTIONS / path.name).exists():
        assert f"../exercises/{path.name}" in md[-1] or any(
            f"../exercises/{path.name}" in t for t in md[-2:]
        ), "link to the exercise at the end"


@pytest.mark.parametrize("path", CHAPTERS, ids=ids(CHAPTERS))
def test_every_interactive_has_try_and_notice(path):
    nb = cells(path)
    for i, cell in enumerate(nb):
        if cell["cell_type"] == "code" and EXPLORER_CALL.search(cell["text"]):
            before = next((c["text"] for c in reversed(nb[:i]) if c["cell_type"] == "markdown"), "")
            after = next((c["text"] for c in nb[i + 1 :] if c["cell_type"] == "markdown"), "")
            assert "**Try this:**" in before, f"cell {i}: no 'Try this' prompt before it"
            assert after.lstrip().startswith("**Notice:**"), f"cell {i}: no 'Notice' after it"
