"""`msa-course return-feedback`: each learner's page lands in their home next to the exercise,
owned by them; nothing of theirs is replaced or followed; bad input writes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXERCISES

from msa_course.workshop import exercise as ex
from msa_course.workshop import samples
from msa_course.workshop.feedback import sealed, untouched

CLI = str(Path(sys.executable).parent / "msa-course")
LEARNER_UID = 54321  # the homes belong to this uid, as a learner's account's would
FOLDER = "msa-course/exercises"
PAGE = f"{FOLDER}/01_infrastructure.feedback.html"


@pytest.fixture
def room(tmp_path):
    exercise = ex.load(EXERCISES / "01_infrastructure.ipynb")
    homes = tmp_path / "homes"
    samples.make_room(homes, exercise, 5)
    samples.make_grades(tmp_path / "grades", exercise, 5)
    if os.geteuid() == 0:
        for path in [homes, *homes.rglob("*")]:
            os.lchown(path, LEARNER_UID, LEARNER_UID)
        os.chown(homes, 0, 0)
    return homes, tmp_path / "grades"


def run(homes: Path, grades: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLI, "return-feedback", "--homes", str(homes), *extra, str(grades)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def snapshot(homes: Path) -> dict[str, tuple]:
    """Every path's mode, owner, and for files their time and bytes (a folder's time moves
    when a file is added to it)."""
    out = {}
    for path in sorted(homes.rglob("*")):
        info = path.lstat()
        file = path.is_file() and not path.is_symlink()
        data = (info.st_mtime_ns, path.read_bytes()) if file else None
        out[str(path.relative_to(homes))] = (info.st_mode, info.st_uid, data)
    return out


def test_every_learner_gets_their_page_and_nothing_else_changes(room):
    homes, grades = room
    before = snapshot(homes)
    out = run(homes, grades, "--assignment", "01")
    assert out.returncode == 0, out.stderr
    assert "returned feedback to 5 of 5 graded learners" in out.stdout
    after = snapshot(homes)
    new = sorted(set(after) - set(before))
    assert new == [f"learner0{i}/{PAGE}" for i in range(5)]
    assert {k: v for k, v in after.items() if k in before} == before
    for i in range(5):
        path = homes / f"learner0{i}" / PAGE
        page = (grades / "feedback" / f"learner0{i}.html").read_bytes()
        assert path.read_bytes() == sealed(page) and untouched(path.read_bytes())
        if os.geteuid() == 0:
            assert path.stat().st_uid == LEARNER_UID
    assert not list(homes.rglob(".msa-course-*"))


def test_a_second_return_updates_only_untouched_pages(room):
    homes, grades = room
    assert run(homes, grades, "--assignment", "01").returncode == 0
    edited = homes / "learner01" / PAGE
    edited.write_bytes(edited.read_bytes() + b"<p>my notes</p>\n")
    mine = homes / "learner02" / PAGE
    mine.unlink()
    mine.write_text("my own file with this name")
    page0 = grades / "feedback" / "learner00.html"
    page0.write_bytes(page0.read_bytes().replace(b"</body>", b"<p>regraded</p></body>"))
    out = run(homes, grades, "--assignment", "01")
    assert out.returncode == 0, out.stderr
    assert b"regraded" in (homes / "learner00" / PAGE).read_bytes()
    assert not (homes / "learner00" / PAGE.replace(".html", "-2.html")).exists()
    assert edited.read_bytes().endswith(b"<p>my notes</p>\n")
    assert mine.read_text() == "my own file with this name"
    for name in ("learner01", "learner02"):
        second = homes / name / PAGE.replace(".html", "-2.html")
        assert untouched(second.read_bytes())
        assert f"{name}: {PAGE.replace('.html', '-2.html')}" in out.stdout


def test_links_in_a_home_are_not_followed(room, tmp_path):
    homes, grades = room
    secret = tmp_path / "secret.txt"
    secret.write_text("the instructor's")
    (homes / "learner00" / PAGE).symlink_to(secret)  # a link where the page goes
    folder = homes / "learner01" / FOLDER
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "01_infrastructure.ipynb").write_text("{}")
    shutil.rmtree(folder)
    folder.symlink_to(real)  # a link where the folder goes
    out = run(homes, grades, "--assignment", "01")
    assert out.returncode == 0, out.stderr
    assert secret.read_text() == "the instructor's"
    assert (homes / "learner00" / PAGE).is_symlink()
    assert untouched((homes / "learner00" / PAGE.replace(".html", "-2.html")).read_bytes())
    assert sorted(p.name for p in real.iterdir()) == ["01_infrastructure.ipynb"]
    assert "skipped learner01: msa-course/exercises is a symbolic link" in out.stderr


def test_learners_without_a_home_or_the_exercise_are_skipped_by_name(room):
    homes, grades = room
    (homes / "learner03" / FOLDER / "01_infrastructure.ipynb").unlink()
    shutil.rmtree(homes / "learner03" / FOLDER / "ko", ignore_errors=True)  # no edition at all
    for path in sorted((homes / "learner04").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (homes / "learner04").rmdir()
    out = run(homes, grades, "--assignment", "01")
    assert out.returncode == 0
    assert "returned feedback to 3 of 5 graded learners" in out.stdout
    assert (
        f"skipped learner03: no {FOLDER}/01_infrastructure.ipynb (the exercise is not in "
        "their home)" in out.stderr
    )
    assert f"skipped learner04: no home folder {homes / 'learner04'}" in out.stderr
    assert not (homes / "learner03" / PAGE).exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--assignment", "02"], "holds grades of 01_infrastructure, not of exercise 02"),
        (["--assignment", "1"], "--assignment must be two digits"),
        (["--assignment", "01", "--homes", "/nonexistent"], "is not a folder of learners' homes"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(room, args, message):
    homes, grades = room
    before = snapshot(homes)
    out = run(homes, grades, *args)
    assert out.returncode == 1 and message in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert snapshot(homes) == before


def test_grades_that_are_not_grades(room, tmp_path):
    homes, _ = room
    out = run(homes, tmp_path, "--assignment", "01")
    assert out.returncode == 1 and "holds no graded results" in out.stderr
