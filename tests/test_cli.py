"""Every command has --help; bad input gives one clear line and a non-zero exit, no traceback."""

from __future__ import annotations

import json
import subprocess

import pytest
from helpers import PYTHON, ROOT

from msa_course.cli import COMMANDS


def cli(*args, cwd=ROOT):
    return subprocess.run(
        [PYTHON, "-m", "msa_course", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_on_every_command(command):
    out = cli(command, "--help")
    assert out.returncode == 0 and f"msa-course {command}" in out.stdout


def test_top_level_help_lists_every_command():
    out = cli("--help")
    assert out.returncode == 0 and all(name in out.stdout for name in COMMANDS)


@pytest.mark.parametrize("args", [("bogus",), ("release", "--bogus"), ("tidy", "--nope")])
def test_unknown_command_or_flag(args):
    out = cli(*args)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "--help" in out.stderr


def test_release_missing_folder(tmp_path):
    out = cli("release", "--solutions", str(tmp_path / "nope"))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert (
        out.stderr.strip() == f"msa-course release: {tmp_path / 'nope'}: no such folder of "
        "source notebooks"
    )


def test_release_malformed_notebook(tmp_path):
    (tmp_path / "sol").mkdir()
    (tmp_path / "sol" / "01_x.ipynb").write_text("{oops")
    out = cli("release", "--solutions", str(tmp_path / "sol"), "--exercises", str(tmp_path / "ex"))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "01_x.ipynb: not a notebook (invalid JSON" in out.stderr
    assert not (tmp_path / "ex").exists(), "nothing written"


def test_release_check_reports_stale_exercises(tmp_path):
    (tmp_path / "sol").mkdir()
    (tmp_path / "sol" / "01_x.ipynb").write_text(
        (ROOT / "solutions" / "00_welcome.ipynb").read_text()
    )
    out = cli(
        "release",
        "--solutions",
        str(tmp_path / "sol"),
        "--exercises",
        str(tmp_path / "ex"),
        "--check",
    )
    assert out.returncode == 1 and "out of date" in out.stdout


def test_tidy_strips_outputs_and_check_mode(tmp_path):
    nb = json.loads((ROOT / "course" / "00_welcome.ipynb").read_text())
    nb["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi"}]
    nb["cells"][2]["execution_count"] = 7
    path = tmp_path / "00_x.ipynb"
    path.write_text(json.dumps(nb))
    assert cli("tidy", "--check", str(path)).returncode == 1
    assert cli("tidy", str(path)).returncode == 0
    assert json.loads(path.read_text())["cells"][2]["outputs"] == []
    assert cli("tidy", "--check", str(path)).returncode == 0
    missing = cli("tidy", str(tmp_path / "none.ipynb"))
    assert missing.returncode == 1 and "no such file or folder" in missing.stderr


def test_doctor_quick_passes_here():
    out = cli("doctor", "--quick")
    assert out.returncode == 0, out.stdout


def test_doctor_reports_a_missing_package_with_its_fix(monkeypatch):
    from msa_course import doctor

    monkeypatch.setitem(doctor.PACKAGES, "no-such-package-xyz", ("1.0", "testing"))
    problems = doctor.check_packages()
    assert any("no-such-package-xyz is not installed" in p and "Fix:" in p for p in problems)


def test_lab_adds_allow_root_only_as_root(monkeypatch):
    from msa_course import lab

    monkeypatch.setattr(lab.os, "geteuid", lambda: 0)
    assert "--allow-root" in lab.lab_command(ROOT, 8888, False, "127.0.0.1")
    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000)
    cmd = lab.lab_command(ROOT, 8888, False, "127.0.0.1")
    assert "--allow-root" not in cmd and any("00_welcome.ipynb" in c for c in cmd)


def test_lab_outside_the_course_is_one_line(tmp_path):
    out = cli("lab", "--no-browser", cwd=tmp_path)
    assert out.returncode == 1 and "no course/00_welcome.ipynb here" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "given, passed", [("COURSE_LANG=ko", "msa-course lab --lang ko"), ("", "msa-course lab")]
)
def test_make_lab_passes_the_course_language(given, passed):
    """`make lab COURSE_LANG=ko` (the README's Korean quickstart) runs `msa-course lab --lang ko`."""
    out = subprocess.run(
        ["make", "-n", "--always-make", "lab", *([given] if given else [])],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    (line,) = [ln for ln in out.stdout.splitlines() if "msa-course lab" in ln]
    assert line.rstrip().endswith(passed), line


def test_lab_lang_ko_opens_the_korean_welcome_chapter():
    from msa_course import lab

    assert lab.welcome(ROOT, "ko") == "course/ko/00_welcome.ipynb"
    assert lab.welcome(ROOT, "en") == "course/00_welcome.ipynb"
