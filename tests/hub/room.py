"""The hub tests' room: three learners and what each does, shared by conftest.py's fixtures
and the tests (helpers for the real JupyterHub of msa_course.workshop.localhub)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from msa_course.grading import source as src
from msa_course.workshop.localhub import LocalHub

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "course/00_welcome.ipynb"
SOLUTION = ROOT / "solutions" / "00_welcome.ipynb"
EXERCISE = "msa-course/exercises/00_welcome.ipynb"
LEARNERS = {"ada": "all", "grace": "first", "linus": "none"}
INSTRUCTOR, INSTRUCTOR_PASSWORD = "teacher", "teacher-password-1"  # the hub's admin


def git(cwd: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="Instructor",
        GIT_AUTHOR_EMAIL="i@example.org",
        GIT_COMMITTER_NAME="Instructor",
        GIT_COMMITTER_EMAIL="i@example.org",
    )
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout


def answer(exercise: dict, how: str) -> dict:
    """The released exercise with all, only the first, or none of its answers filled in."""
    solutions = [c for c in src.parse(SOLUTION).cells if c.solution]
    answered = {"all": solutions, "first": solutions[:1], "none": []}[how]
    for cell in answered:
        text = "\n".join(
            line
            for line in cell.source.splitlines()
            if line.strip() not in (src.BEGIN_SOLUTION, src.END_SOLUTION)
        )
        target = next(
            c
            for c in exercise["cells"]
            if c["metadata"].get("nbgrader", {}).get("grade_id") == cell.grade_id
        )
        target["source"] = text
    return exercise


def learner(hub: LocalHub, name: str, link: str) -> dict:
    """Log in (claiming the name), start the server, pull the course, run chapter 00, then
    answer the exercise and run it as the learner would (its visible checks included)."""
    session = hub.login(name)
    hub.spawn(name)
    hub.pull(session, name, link)
    chapter = hub.contents(name, f"msa-course/{CHAPTER}")
    answered = answer(hub.contents(name, EXERCISE), LEARNERS[name])
    hub.save(name, EXERCISE, answered)
    kernel = hub.kernel(name, cwd="msa-course/course")
    try:
        ran = kernel.run_notebook(chapter)
    finally:
        kernel.close()
    kernel = hub.kernel(name, cwd="msa-course/exercises")
    try:
        exercise_errors = [
            result.error
            for cell in answered["cells"]
            if cell["cell_type"] == "code"
            for result in [kernel.execute(src.cell_text(cell))]
            if result.error
        ]
    finally:
        kernel.close()
    return {"cells": len(ran), "answered": answered, "exercise_errors": exercise_errors}
