"""Collection as a hostile learner meets it: `collect` runs as the instructor (often root) in
homes the learners control, and `grade` walks folders of their files. Only a learner's own
regular files are taken; links and special files are refused and named, and (as root) a home
is read with its owner's permissions, so a classmate's private notebook or the solutions
cannot be handed in as one's own."""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest

from msa_course import cli
from msa_course.grading import samples
from msa_course.grading import source as src
from msa_course.grading.sandbox import next_uid
from msa_course.grading.tidy import dumps
from msa_course.workshop.collect import collect

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "grading" / "99_capacity.ipynb"
NAME = "99_capacity.ipynb"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own homes as learners")


def make_home(homes: Path, learner: str, uid: int | None) -> Path:
    folder = homes / learner / "msa-course" / "exercises"
    folder.mkdir(parents=True)
    if uid is not None:
        for path in (homes / learner, folder.parent, folder):
            os.chown(path, uid, uid)
    return folder


@pytest.fixture
def classroom(tmp_path):
    """ada hands in her own work; bo's is private to bo; eve tries to take it (and the
    solutions) through links, a hard link and a FIFO."""
    homes = tmp_path / "homes"
    own = dumps(samples.submission(src.parse(FIXTURE))).encode()
    as_root = os.geteuid() == 0
    ada, bo, eve = (next_uid() if as_root else None for _ in range(3))
    ada_file = make_home(homes, "ada", ada) / NAME
    ada_file.write_bytes(own)
    bo_file = make_home(homes, "bo", bo) / NAME
    bo_file.write_bytes(own)
    if as_root:
        os.chown(ada_file, ada, ada)
        os.chown(bo_file, bo, bo)
        os.chmod(bo_file, 0o600)
        os.chmod(bo_file.parent, 0o700)
    eve_dir = make_home(homes, "eve", eve)
    (eve_dir / NAME).symlink_to(bo_file)
    mallory_dir = make_home(homes, "mallory", None)
    (mallory_dir / NAME).symlink_to(FIXTURE)
    trudy_dir = make_home(homes, "trudy", None)
    os.mkfifo(trudy_dir / NAME)
    linked = homes / "oscar"
    linked.mkdir()
    (linked / "msa-course").symlink_to(homes / "bo" / "msa-course")
    return homes, bo_file


def test_collect_takes_only_the_learners_own_regular_files(classroom, tmp_path):
    homes, _ = classroom
    started = time.time()
    result = collect(homes, "99", tmp_path / "out")
    assert sorted(result.copied) == ["ada", "bo"]
    assert result.skipped["eve"] == f"msa-course/exercises/{NAME} is a symbolic link"
    assert result.skipped["mallory"] == f"msa-course/exercises/{NAME} is a symbolic link"
    assert result.skipped["trudy"] == f"msa-course/exercises/{NAME} is not a regular file"
    assert result.skipped["oscar"] == "msa-course is a symbolic link"
    with open(tmp_path / "out" / "collected.csv", newline="") as fh:
        rows = {r["learner"]: r for r in csv.DictReader(fh)}
    assert sorted(rows) == ["ada", "bo"] and rows["ada"]["file"] == "ada.ipynb"
    changed = (tmp_path / "out" / "ada.ipynb").stat().st_mtime
    assert abs(changed - started) < 120  # the learner's change time, carried to the copy


@root_only
def test_a_hard_link_to_a_classmates_private_file_is_not_collected(classroom, tmp_path):
    """Root could read bo's 0600 file; it is not eve's, so eve gets nothing."""
    homes, bo_file = classroom
    eve_dir = homes / "eve" / "msa-course" / "exercises"
    (eve_dir / NAME).unlink()
    os.link(bo_file, eve_dir / NAME)
    result = collect(homes, "99", tmp_path / "out")
    assert "eve" not in result.copied
    assert result.skipped["eve"] == f"msa-course/exercises/{NAME} does not belong to the learner"


@root_only
def test_a_home_is_read_with_its_owners_permissions(classroom, tmp_path):
    """Root could read ada's notebook after she takes her own read permission away; ada's
    process cannot, so it is not collected for her."""
    homes, _ = classroom
    (homes / "ada" / "msa-course" / "exercises" / NAME).chmod(0o000)
    result = collect(homes, "99", tmp_path / "out")
    assert "ada" not in result.copied
    assert result.skipped["ada"] == f"cannot read msa-course/exercises/{NAME}: Permission denied"


def test_grade_on_a_folder_refuses_links_and_flags_them(tmp_path, capsys):
    folder = tmp_path / "submitted"
    folder.mkdir()
    nb = samples.submission(src.parse(FIXTURE))
    (folder / "ada.ipynb").write_text(dumps(nb), encoding="utf-8")
    (tmp_path / "elsewhere.ipynb").write_text(dumps(nb), encoding="utf-8")
    (folder / "eve.ipynb").symlink_to(tmp_path / "elsewhere.ipynb")
    (folder / "sub").symlink_to(tmp_path)  # a linked folder is not walked
    out = tmp_path / "out"
    args = ["grade", str(folder), "--source", str(FIXTURE), "--out", str(out), "--quiet"]
    assert cli.main(args) == 0
    eve = json.loads((out / "results" / "eve.json").read_text())
    assert eve["score"] == 0 and eve["flags"][0]["code"] == "refused-file"
    assert "symbolic link" in eve["flags"][0]["detail"]
    assert json.loads((out / "results" / "ada.json").read_text())["score"] == 6
    assert not (out / "results" / "elsewhere.json").exists()
