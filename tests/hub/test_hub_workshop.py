"""A workshop end to end on a real JupyterHub: three learners log in, pull the course with an
nbgitpuller link from a git server on loopback, run chapter 00 in their own kernels and answer
the exercise (fully, partly, not at all); the course is updated under one learner's edits; the
instructor collects and grades. Everything runs on 127.0.0.1 with temporary state."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from gitserver import GitServer

from msa_course.grading import source as src
from msa_course.grading.release import release_file
from msa_course.workshop.collect import collect
from msa_course.workshop.link import pull_link
from msa_course.workshop.localhub import LocalHub, install_proxy

pytestmark = [pytest.mark.hub, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "course/00_welcome.ipynb"
SOLUTION = ROOT / "solutions" / "00_welcome.ipynb"
EXERCISE = "msa-course/exercises/00_welcome.ipynb"
LEARNERS = {"ada": "all", "grace": "first", "linus": "none"}


def _git(cwd: Path, *args: str) -> str:
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


@pytest.fixture(scope="module")
def course_repo(tmp_path_factory):
    """A bare course repository (chapter 00 and its exercise) and a clone to push updates from."""
    base = tmp_path_factory.mktemp("git")
    work = base / "upstream"
    (work / "course").mkdir(parents=True)
    (work / "exercises").mkdir()
    shutil.copy(ROOT / CHAPTER, work / CHAPTER)
    (work / "exercises" / SOLUTION.name).write_text(release_file(SOLUTION), encoding="utf-8")
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "Course")
    _git(base, "clone", "-q", "--bare", str(work), str(base / "served" / "course.git"))
    _git(work, "remote", "add", "origin", str(base / "served" / "course.git"))
    return base / "served", work


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js/npm missing: CI must install them for the hub's proxy")
        pytest.skip("Node.js not installed: the hub's proxy (configurable-http-proxy) needs it")
    install_proxy()
    local = LocalHub(tmp_path_factory.mktemp("hub")).start()
    try:
        yield local
    finally:
        started = [p.pid for p in local.processes()]
        local.stop()
        survivors = [pid for pid in started if psutil.pid_exists(pid)]
        assert not survivors, f"processes outlived the hub: {survivors}"


def _answer(exercise: dict, how: str) -> dict:
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


def _expected_totals() -> dict[str, float]:
    """All points; the points of the tests right after the first answer; nothing."""
    cells = src.parse(SOLUTION).cells
    answers = [i for i, c in enumerate(cells) if c.solution]
    first = sum(c.points for c in cells[answers[0] : answers[1]] if c.is_test)
    total = sum(c.points for c in cells if c.is_test)
    assert 0 < first < total, "the exercise needs two questions for a partial answer"
    return {"ada": total, "grace": first, "linus": 0.0}


def _learner(hub: LocalHub, name: str, link: str) -> dict:
    session = hub.login(name)
    hub.spawn(name)
    hub.pull(session, name, link)
    chapter = hub.contents(name, f"msa-course/{CHAPTER}")
    kernel = hub.kernel(name, cwd="msa-course/course")
    try:
        ran = kernel.run_notebook(chapter)
    finally:
        kernel.close()
    answered = _answer(hub.contents(name, EXERCISE), LEARNERS[name])
    hub.save(name, EXERCISE, answered)
    return {"cells": len(ran), "answered": answered}


def test_workshop_end_to_end(hub, course_repo, tmp_path):
    served, upstream = course_repo
    with GitServer(served) as git_url:
        link = pull_link(hub.url, f"{git_url}/course.git", CHAPTER)
        hub.add_users(list(LEARNERS))
        with ThreadPoolExecutor(len(LEARNERS)) as pool:
            runs = dict(zip(LEARNERS, pool.map(lambda n: _learner(hub, n, link), LEARNERS)))

        code_cells = sum(
            c["cell_type"] == "code" for c in json.loads((ROOT / CHAPTER).read_text())["cells"]
        )
        for name, run in runs.items():
            assert run["cells"] == code_cells, name
            assert (hub.homes / name / "msa-course" / CHAPTER).is_file()

        # The instructor updates the course: a new file, and a change to the exercise itself.
        ex_path = upstream / "exercises" / SOLUTION.name
        updated = json.loads(ex_path.read_text())
        updated["cells"][0]["source"] += "\n\n(Updated after the workshop started.)"
        ex_path.write_text(json.dumps(updated, indent=1) + "\n")
        (upstream / "course" / "UPDATE.md").write_text("New material.\n")
        _git(upstream, "commit", "-q", "-am", "Update")
        _git(upstream, "add", "course/UPDATE.md")
        _git(upstream, "commit", "-q", "-m", "Add a file")
        _git(upstream, "push", "-q", "origin", "main")
        hub.pull(hub.login("ada"), "ada", link)

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

    before = {p: p.stat().st_mtime_ns for p in hub.homes.glob("*/msa-course/exercises/*.ipynb")}
    submissions = tmp_path / "submissions"
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
            str(tmp_path / "graded"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert grade.returncode == 0, grade.stdout + grade.stderr
    with open(tmp_path / "graded" / "gradebook.csv", newline="") as f:
        totals = {row["learner"]: float(row["total"]) for row in csv.DictReader(f)}
    assert totals == _expected_totals()
