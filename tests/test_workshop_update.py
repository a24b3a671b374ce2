"""A course update never destroys a learner's work: nbgitpuller's pull, as the hub runs it on
every click of the course link, against a real git repository (no hub needed)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT

from msa_course.grading.release import release_file
from msa_course.grading.source import cell_text

EXERCISE = "exercises/00_welcome.ipynb"
AUTHOR = {
    "GIT_AUTHOR_NAME": "Instructor",
    "GIT_AUTHOR_EMAIL": "i@example.org",
    "GIT_COMMITTER_NAME": "Instructor",
    "GIT_COMMITTER_EMAIL": "i@example.org",
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **AUTHOR}, check=True, capture_output=True
    )


def pull(upstream: Path, target: Path) -> None:
    from nbgitpuller.pull import GitPuller

    for _line in GitPuller(str(upstream), str(target), branch="main", depth=0).pull():
        pass


def answer_cell(nb: dict) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))


def save(path: Path, nb: dict) -> None:
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")  # as JupyterLab does


@pytest.fixture
def course(tmp_path):
    upstream = tmp_path / "upstream"
    (upstream / "exercises").mkdir(parents=True)
    (upstream / "course").mkdir()
    (upstream / EXERCISE).write_text(release_file(ROOT / "solutions" / "00_welcome.ipynb"))
    (upstream / "course" / "00_welcome.ipynb").write_text(
        (ROOT / "course" / "00_welcome.ipynb").read_text()
    )
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", ".")
    git(upstream, "commit", "-q", "-m", "Course")
    home = tmp_path / "home" / "msa-course"
    pull(upstream, home)
    return upstream, home


def test_update_keeps_the_learners_answer_and_brings_the_rest(course):
    upstream, home = course
    mine = json.loads((home / EXERCISE).read_text())
    answer_cell(mine)["source"] = 'build_order = ["my", "own", "answer"]'
    save(home / EXERCISE, mine)
    (home / "course" / "00_welcome.ipynb").unlink()  # deleted by accident

    # The instructor edits the same answer cell (a conflict), another cell, and adds a file.
    theirs = json.loads((upstream / EXERCISE).read_text())
    answer_cell(theirs)["source"] = "# YOUR CODE HERE (fixed stub)\nraise NotImplementedError()"
    theirs["cells"][0]["source"] = cell_text(theirs["cells"][0]) + "\n\nUpdated by the instructor."
    save(upstream / EXERCISE, theirs)
    (upstream / "course" / "01_next.md").write_text("Next chapter.\n")
    git(upstream, "add", ".")
    git(upstream, "commit", "-q", "-m", "Update")

    pull(upstream, home)
    merged = json.loads((home / EXERCISE).read_text())  # valid JSON: no conflict markers
    assert cell_text(answer_cell(merged)) == 'build_order = ["my", "own", "answer"]'
    assert cell_text(merged["cells"][0]).endswith("Updated by the instructor.")
    assert (home / "course" / "01_next.md").is_file()
    assert (home / "course" / "00_welcome.ipynb").is_file(), "a deleted file is restored"


def test_a_learners_file_in_the_way_of_a_new_one_is_kept_aside(course):
    upstream, home = course
    (home / "course" / "notes.md").write_text("my notes\n")
    (upstream / "course" / "notes.md").write_text("instructor's notes\n")
    git(upstream, "add", ".")
    git(upstream, "commit", "-q", "-m", "Notes")

    pull(upstream, home)
    assert (home / "course" / "notes.md").read_text() == "instructor's notes\n"
    kept = [p for p in (home / "course").glob("notes_*.md")]
    assert [p.read_text() for p in kept] == ["my notes\n"]
