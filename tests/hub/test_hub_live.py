"""The workshop live on a real JupyterHub: the room of conftest.py (three learners who answered
the exercise fully, partly, not at all and saved it) and a fourth who opened the course with
the Korean link (`msa-course link --lang ko`) work through the exercise in their own servers and
kernels, the fourth in the Korean edition, while the instructor watches the progress page (the
hub's service, behind the admin login); then the instructor collects, grades, builds the class
report (its numbers are the gradebook's; a hint counts the same in both languages) and returns
the feedback, which each learner's own server reads from their home, next to the copy they
used."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from helpers import html_tables
from room import EXERCISE, INSTRUCTOR, INSTRUCTOR_PASSWORD, LEARNERS, ROOT, SOLUTION

from msa_course.grading import source as src
from msa_course.i18n import tr
from msa_course.workshop.collect import collect
from msa_course.workshop.feedback import sealed
from msa_course.workshop.link import find_chapter, pull_link
from msa_course.workshop.localhub import HubError, LocalHub

pytestmark = [pytest.mark.hub, pytest.mark.slow]

CLI = str(Path(sys.executable).parent / "msa-course")
WRONG_Q2 = "def chapter_for(layer):\n    return 1"  # fires the exercise's "as a string" hint
HINT_Q2 = 'Return the chapter as a string, such as "01", not as a number.'
KOREAN = "sejong"  # works in the Korean edition
KO_EXERCISE = "msa-course/exercises/ko/00_welcome.ipynb"


def msa_course(*args) -> None:
    """Run the instructor's command `msa-course ARGS...`; it must succeed."""
    run = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr


def ensure_server(hub: LocalHub, name: str) -> None:
    server = hub.api("GET", f"/users/{name}").json()["servers"].get("")
    if not (server and server.get("ready")):
        hub.spawn(name)


def work_through(hub: LocalHub, name: str, notebook: dict, path: str = EXERCISE) -> dict:
    """Run every code cell of `notebook` in a new kernel of `name`'s, record the outputs as
    JupyterLab does (execution counts, streams, errors), and save it to `path` from their
    server."""
    kernel = hub.kernel(name, cwd=path.rpartition("/")[0])
    try:
        count = 0
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            count += 1
            result = kernel.execute(src.cell_text(cell))
            outputs = []
            for content in result.outputs:
                if "name" in content and "text" in content:
                    outputs.append({"output_type": "stream", **content})
                elif "execution_count" in content:
                    outputs.append({"output_type": "execute_result", **content})
                else:
                    outputs.append({"output_type": "display_data", **content})
            if result.error:
                ename, _, evalue = result.error.partition(": ")
                outputs.append(
                    {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}
                )
            cell["execution_count"], cell["outputs"] = count, outputs
    finally:
        kernel.close()
    hub.save(name, path, notebook)
    return notebook


@pytest.fixture
def korean(hub, room):
    """A fourth learner who opens the course with the Korean link; removed afterwards, so the
    other hub tests keep their room of three."""
    link = pull_link(hub.url, f"{room['git_url']}/course.git", find_chapter(ROOT, "00", "ko"))
    hub.add_users([KOREAN])
    try:
        session = hub.login(KOREAN)
        hub.spawn(KOREAN)
        hub.pull(session, KOREAN, link)
        yield KOREAN
    finally:
        hub.remove_user(KOREAN)


def progress(session: requests.Session, hub: LocalHub, query: str) -> requests.Response:
    """The progress service, as the instructor's browser asks for it (the OAuth dance with the
    hub included); waits while the hub is still starting the service."""
    deadline = time.monotonic() + 60
    while True:
        r = session.get(f"{hub.url}/services/progress/{query}", timeout=60)
        if r.status_code not in (502, 503) or time.monotonic() > deadline:
            return r
        time.sleep(0.5)


def autosave_interval(hub: LocalHub, name: str) -> float:
    """Seconds between automatic saves in `name`'s JupyterLab, as their server gives it to the
    page: their own setting, else the schema's default (with the course's overrides)."""
    plugin = "@jupyterlab/docmanager-extension:plugin"
    r = requests.get(
        f"{hub.url}/user/{name}/lab/api/settings/{plugin}",
        headers={"Authorization": f"token {hub.token}"},
        timeout=60,
    )
    assert r.ok, (r.status_code, r.text[:200])
    default = r.json()["schema"]["properties"]["autosaveInterval"]["default"]
    return r.json()["settings"].get("autosaveInterval", default)


def states(session: requests.Session, hub: LocalHub) -> dict[str, dict]:
    r = progress(session, hub, "room.json?assignment=00&names=1")
    assert r.status_code == 200, (r.status_code, r.text[:300])
    room = r.json()
    return {
        lr["learner"]: {g: (m["state"], m["hint"]) for g, m in lr["marks"].items()}
        for lr in room["learners"]
        if lr["learner"] in (*LEARNERS, KOREAN)
    }


def wait_for(session, hub, expected: dict, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        seen = states(session, hub)
        if seen == expected or time.monotonic() > deadline:
            return seen
        time.sleep(1)


def test_the_room_live_then_report_and_feedback(hub, room, instructor, korean):
    names = list(LEARNERS)
    for name in names:
        ensure_server(hub, name)
    teacher = hub.login(INSTRUCTOR, INSTRUCTOR_PASSWORD)

    # Learners see nothing of it; the instructor sees the room as the learners left it: ada
    # changed every answer, grace the first, linus none, and nobody has run a check since.
    r = progress(hub.login("ada"), hub, "room.json?assignment=00")
    assert r.status_code == 403, (r.status_code, r.text[:200])
    ids = ["q1-test", "q2-test", "q3-test"]
    working, untouched = ("working", None), ("not-started", None)
    before = {
        "ada": dict.fromkeys(ids, working),
        "grace": {"q1-test": working, "q2-test": untouched, "q3-test": untouched},
        "linus": dict.fromkeys(ids, untouched),
        korean: dict.fromkeys(ids, untouched),  # both editions' copies as pulled
    }
    assert wait_for(teacher, hub, before) == before
    page = progress(teacher, hub, "?assignment=00")
    assert page.status_code == 200 and "Exercise 00: the room" in page.text
    assert "title='Learner 1: " in page.text and ">ada<" not in page.text
    # The page reads saved notebooks; learners' JupyterLab saves every 30 s, not every 120 s.
    assert autosave_interval(hub, "ada") == 30

    # They work: ada runs her answers, grace answers question 2 wrongly and runs everything.
    work_through(hub, "ada", hub.contents("ada", EXERCISE))
    grace = hub.contents("grace", EXERCISE)
    for cell in grace["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q2-answer":
            cell["source"] = WRONG_Q2
    work_through(hub, "grace", grace)
    # ... and the Korean learner makes grace's mistake in the Korean exercise, whose checks
    # answer in Korean: the page counts it under the same hint.
    sejong = hub.contents(korean, KO_EXERCISE)
    for cell in sejong["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q2-answer":
            cell["source"] = WRONG_Q2
    work_through(hub, korean, sejong, KO_EXERCISE)
    errors = [o["evalue"] for c in sejong["cells"] for o in c.get("outputs", []) if "evalue" in o]
    assert tr(HINT_Q2, lang="ko") in " ".join(errors), errors
    after = {
        "ada": dict.fromkeys(ids, ("passing", None)),
        "grace": {
            "q1-test": ("passing", None),
            "q2-test": ("failing", HINT_Q2),
            "q3-test": untouched,
        },
        "linus": dict.fromkeys(ids, untouched),
        korean: {"q1-test": untouched, "q2-test": ("failing", HINT_Q2), "q3-test": untouched},
    }
    assert wait_for(teacher, hub, after) == after
    room_json = progress(teacher, hub, "room.json?assignment=00").json()
    q2 = next(q for q in room_json["questions"] if q["grade_id"] == "q2-test")
    assert {"text": HINT_Q2, "now": 2, "ever": 2} in q2["hints"]
    assert all(lr["learner"] is None for lr in room_json["learners"])  # numbers by default
    named = progress(teacher, hub, "room.json?assignment=00&names=1").json()["learners"]
    assert {lr["learner"]: lr["lang"] for lr in named if lr["learner"] in after} == {
        **dict.fromkeys(names, "en"),
        korean: "ko",
    }

    # Afterwards: collect, grade, report.
    live = instructor / "live"
    result = collect(hub.homes, "00", live / "submissions")
    assert sorted(result.copied) == sorted([*names, korean]), result.skipped
    assert {n: c.path for n, c in result.used.items()} == {
        **dict.fromkeys(names, EXERCISE),
        korean: KO_EXERCISE,
    }
    graded = live / "graded"
    msa_course("grade", live / "submissions", "--source", SOLUTION, "--out", graded, "--quiet")
    msa_course("report", graded, "--out", live / "report", "--assignment", "00")
    with open(graded / "gradebook.csv", newline="") as fh:
        book = {row["learner"]: row for row in csv.DictReader(fh)}
    table = html_tables((live / "report" / "report.html").read_text())["learners"]
    shown = {cells[0]: cells[1:] for cells in table[1:]}  # below the header row
    assert sorted(shown) == sorted(book) == sorted([*names, korean])
    for name, row in book.items():
        assert shown[name][: len(ids) + 1] == [row[g] for g in ids] + [row["total"]]
    summary = json.loads((live / "report" / "summary.json").read_text())
    q2_hints = summary["questions"][1]["hints"]
    assert q2_hints == [{"text": HINT_Q2, "learners": 2, "who": ["grace", korean]}]
    msa_course("report", graded, "--out", live / "report-ko", "--lang", "ko")
    summary_ko = json.loads((live / "report-ko" / "summary.json").read_text())
    assert summary_ko["questions"][1]["hints"] == [
        {"text": tr(HINT_Q2, lang="ko"), "learners": 2, "who": ["grace", korean]}
    ]
    assert float(book["ada"]["total"]) == summary["max_score"] > float(book["grace"]["total"]) > 0

    # ... and return the feedback: each learner's own server reads it from their home.
    msa_course("return-feedback", "--homes", hub.homes, "--assignment", "00", graded)
    page_path = "msa-course/exercises/00_welcome.feedback.html"
    ko_page_path = "msa-course/exercises/ko/00_welcome.feedback.html"  # next to the copy used
    for name in [*names, korean]:
        path = ko_page_path if name == korean else page_path
        page = (graded / "feedback" / f"{name}.html").read_bytes()
        seen = hub.contents(name, path)  # through their server, running as them
        assert seen.encode() == sealed(page)
        assert (hub.homes / name / path).stat().st_uid == hub.account(name).pw_uid
    assert "<html lang='ko'>" in hub.contents(korean, ko_page_path)
    assert not (hub.homes / korean / page_path).exists()
    assert HINT_Q2.replace('"', "&quot;") in hub.contents("grace", page_path)
    with pytest.raises(HubError, match="404"):
        hub.contents("linus", "msa-course/exercises/00_welcome.feedback-2.html")
