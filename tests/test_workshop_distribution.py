"""`msa-course link` and `msa-course collect`: the course out to learners and their work back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import ROOT

from msa_course.workshop.collect import collect
from msa_course.workshop.link import find_chapter, pull_link

CLI = str(Path(sys.executable).parent / "msa-course")
NB = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_link_has_nbgitpullers_form():
    link = pull_link(
        "https://hub.example.org/",
        "https://git.example.org/c.git",
        "course/00_welcome.ipynb",
        branch="spring",
    )
    parts = urlsplit(link)
    assert parts.path == "/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {
        "repo": ["https://git.example.org/c.git"],
        "branch": ["spring"],
        "urlpath": ["lab/tree/msa-course/course/00_welcome.ipynb"],
        "targetpath": ["msa-course"],
    }


def test_link_keeps_a_hub_under_a_prefix():
    link = pull_link("https://example.org/jupyter", "r", "course/x.ipynb")
    assert link.startswith("https://example.org/jupyter/hub/user-redirect/git-pull?")


@pytest.mark.parametrize(
    "hub, repo, branch, target, message",
    [
        ("hub.example.org", "r", "main", "msa-course", "hub must be an http"),
        ("https://h?x=1", "r", "main", "msa-course", "without [?]query"),
        ("https://h", "", "main", "msa-course", "repo must be"),
        ("https://h", "r", "", "msa-course", "branch must be"),
        ("https://h", "r", "main", "../escape", "target must be one folder"),
    ],
)
def test_link_refuses_bad_input(hub, repo, branch, target, message):
    with pytest.raises(ValueError, match=message):
        pull_link(hub, repo, "course/00_welcome.ipynb", branch, target)


def test_find_chapter():
    assert find_chapter(ROOT, "00") == "course/00_welcome.ipynb"
    with pytest.raises(ValueError, match="two digits"):
        find_chapter(ROOT, "0")
    with pytest.raises(ValueError, match="no single chapter 98"):
        find_chapter(ROOT, "98")


def test_link_command():
    out = subprocess.run(
        [
            CLI,
            "link",
            "--hub",
            "http://127.0.0.1:8000",
            "--repo",
            "file:///srv/c",
            "--chapter",
            "00",
        ],
        cwd=ROOT / "course",
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "urlpath=lab%2Ftree%2Fmsa-course%2Fcourse%2F00_welcome.ipynb" in out.stdout
    bad = subprocess.run(
        [CLI, "link", "--hub", "localhost"], cwd=ROOT, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "hub must be an http(s) URL" in bad.stderr


def _home(homes: Path, learner: str, files: dict[str, bytes]) -> None:
    folder = homes / learner / "msa-course" / "exercises"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


@pytest.fixture
def homes(tmp_path):
    homes = tmp_path / "homes"
    good = json.dumps(NB).encode()
    _home(homes, "ada", {"03_kubernetes.ipynb": good, "02_containers.ipynb": good})
    _home(homes, "grace", {"03_kubernetes.ipynb": b"{not json"})
    _home(homes, "linus", {"02_containers.ipynb": good})
    _home(homes, "mary", {"03_kubernetes.ipynb": good, "03_kubernetes-Copy1.ipynb": good})
    _home(homes, "ken", {"03_kubernetes.ipynb": json.dumps([1]).encode()})
    (homes / "notes.txt").write_text("not a home")
    return homes


def test_collect_copies_good_notebooks_and_reports_the_rest(homes, tmp_path):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in homes.rglob("*") if p.is_file()}
    result = collect(homes, "03", tmp_path / "out")
    assert sorted(result.copied) == ["ada"]
    assert (tmp_path / "out" / "ada.ipynb").read_bytes() == json.dumps(NB).encode()
    assert sorted(os.listdir(tmp_path / "out")) == ["ada.ipynb", "collected.csv"]
    assert "not valid notebook JSON" in result.skipped["grace"]
    assert "no msa-course/exercises/03_*.ipynb" in result.skipped["linus"]
    assert "several notebooks" in result.skipped["mary"]
    assert "not a notebook" in result.skipped["ken"]
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in homes.rglob("*") if p.is_file()}
    assert after == before, "collect changed a learner's file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_collect_skips_an_unreadable_notebook(homes, tmp_path):
    locked = homes / "ada" / "msa-course" / "exercises" / "03_kubernetes.ipynb"
    locked.chmod(0)
    try:
        result = collect(homes, "03", tmp_path / "out")
    finally:
        locked.chmod(0o644)
    assert "cannot read" in result.skipped["ada"]


def test_collect_again_replaces_the_earlier_copy(homes, tmp_path):
    collect(homes, "03", tmp_path / "out")
    newer = json.dumps({**NB, "metadata": {"v": 2}}).encode()
    (homes / "ada" / "msa-course" / "exercises" / "03_kubernetes.ipynb").write_bytes(newer)
    collect(homes, "03", tmp_path / "out")
    assert (tmp_path / "out" / "ada.ipynb").read_bytes() == newer


@pytest.mark.parametrize(
    "assignment, out, message",
    [("3", "out", "two digits"), ("03", "homes/ada/out", "outside the learners' homes")],
)
def test_collect_refuses_bad_input(homes, tmp_path, assignment, out, message):
    with pytest.raises(ValueError, match=message):
        collect(homes, assignment, tmp_path / out)


def test_collect_command(homes, tmp_path):
    out = subprocess.run(
        [
            CLI,
            "collect",
            "--homes",
            str(homes),
            "--assignment",
            "03",
            "--out",
            str(tmp_path / "subs"),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "collected 1 of 5 learners" in out.stdout
    assert "skipped grace:" in out.stderr
    none = subprocess.run(
        [
            CLI,
            "collect",
            "--homes",
            str(homes),
            "--assignment",
            "07",
            "--out",
            str(tmp_path / "none"),
        ],
        capture_output=True,
        text=True,
    )
    assert none.returncode == 1 and "no learner" in none.stderr
