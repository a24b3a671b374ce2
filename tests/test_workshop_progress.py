"""`msa-course progress`: the room read from learners' saved notebooks, never run; hostile or
half-written homes shown as such; the page and its server."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from helpers import EXERCISES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_course.workshop import exercise as ex
from msa_course.workshop import homes as homes_module
from msa_course.workshop import progress, samples
from msa_course.workshop.messages import CATALOGUES, EN, placeholders
from msa_course.workshop.progress import Room, read_marks
from msa_course.workshop.progress_page import room_html

CLI = str(Path(sys.executable).parent / "msa-course")
EX01 = EXERCISES / "01_infrastructure.ipynb"
NOTEBOOK = "msa-course/exercises/01_infrastructure.ipynb"


@pytest.fixture(scope="module")
def ex01() -> ex.Exercise:
    return ex.load(EX01)


def _save(homes: Path, name: str, nb: dict | bytes, exercise: ex.Exercise) -> Path:
    path = homes / name / "msa-course" / "exercises" / f"{exercise.name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(nb if isinstance(nb, bytes) else json.dumps(nb).encode())
    return path


# -- what the exercise's checks can say ---------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_literal_hint_is_recognised_by_its_own_message(path):
    """For every exercise, each hint a check can give classifies back to that hint, with the
    exercise's own text, when raised as checks raise it ("name: hint")."""
    exercise = ex.load(path)
    assert exercise.questions and all(q.answers for q in exercise.questions)
    found = 0
    for question in exercise.questions:
        literal = [h for _, h in question.hints if ex.ELLIPSIS not in h.text]
        for index in range(len(literal)):
            message, hint = samples.hint_message(question, index)
            assert question.classify(message) == hint
            assert question.classify(message, error=None) == hint  # as the grader reports it
            found += 1
    assert found >= 3


def test_failures_without_a_hint_are_named_by_the_exercise_never_by_the_learner(ex01):
    q1 = ex01.questions[0]
    other = q1.classify("servers_needed(day, 16): 9 is too high")
    assert other.text == "servers_needed(day, 16): another wrong value (no specific hint)"
    assert q1.classify("name 'servers_needed' is not defined", "NameError").text == (
        "The check raised NameError"
    )
    assert q1.classify("NameError: name 'x' is not defined", None).text.endswith("NameError")
    for crafted, error in [
        ("<script>alert(1)</script>", "AssertionError"),
        ("servers_needed(day, 16)<b>: x", "AssertionError"),
        ("hello", "<img src=x onerror=alert(1)>"),
        ("servers_needed(day, 16): Round up. <script>", "AssertionError"),
    ]:
        hint = q1.classify(crafted, error)
        assert "<" not in hint.text and "alert" not in hint.text, hint


def test_f_string_hints_show_their_placeholders(ex01):
    q1 = ex.load(EXERCISES / "04_cloud_service_models.ipynb").questions[0]
    hint = q1.classify("classification: Heroku: 'web' is not one of ['iaas']")
    assert hint.text == f"{ex.ELLIPSIS}: {ex.ELLIPSIS} is not one of {ex.ELLIPSIS}"


def test_labels_titles_and_shared_answers():
    ex02 = ex.load(EXERCISES / "02_vms_and_containers.ipynb")
    labels = [q.label for q in ex02.questions]
    assert labels[:3] == ["Q1", "Q2", "Q2b"]
    assert ex02.questions[2].answers == ex02.questions[1].answers  # part (b) of the same answer
    assert ex02.questions[0].title == "Question 1: layers"
    with pytest.raises(ValueError, match="two digits"):
        ex.find(EXERCISES, "1")
    with pytest.raises(ValueError, match="no exercise 98"):
        ex.find(EXERCISES, "98")


# -- one learner's notebook -----------------------------------------------------------------


@pytest.mark.parametrize("state", progress.STATES)
def test_each_stage_of_a_saved_notebook(ex01, state):
    plan = {q.grade_id: state for q in ex01.questions}
    marks = read_marks(ex01, json.dumps(samples.saved_notebook(ex01, plan)).encode())
    assert {m.state for m in marks.values()} == {state}
    if state == "failing":
        assert all(m.hint is not None for m in marks.values())


def test_an_answer_run_after_its_check_makes_the_check_stale(ex01):
    q1 = ex01.questions[0]
    nb = samples.saved_notebook(ex01, {q1.grade_id: "passing"})
    answer = next(c for c in nb["cells"] if progress._grade_id(c) == "q1-answer")
    answer["execution_count"] = 99
    assert read_marks(ex01, json.dumps(nb).encode())[q1.grade_id].state == "working"


def test_a_check_run_on_an_untouched_stub_is_not_started(ex01):
    nb = samples.saved_notebook(ex01, {})
    test = next(c for c in nb["cells"] if progress._grade_id(c) == "q1-test")
    test["execution_count"] = 3
    test["outputs"] = [{"output_type": "error", "ename": "NameError", "evalue": "x"}]
    assert read_marks(ex01, json.dumps(nb).encode())["q1-test"].state == "not-started"


@pytest.mark.parametrize(
    "data", [b"", b"{", b'{"cells": 3}', b"[]", b"\xff\xfe", b'{"cells": [1, null, "x"]}']
)
def test_malformed_or_half_written_notebooks(ex01, data):
    try:
        marks = read_marks(ex01, data)
    except ValueError:
        return
    assert all(m.state == "working" for m in marks.values())  # cells missing: answers changed


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(json_values, max_size=6), st.sampled_from(["q1-test", "q1-answer", "q2-test"]))
def test_arbitrary_cells_never_crash_the_reader(ex01, cells, grade_id):
    nb = samples.saved_notebook(ex01, {"q1-test": "failing", "q2-test": "passing"})
    for junk in cells:
        cell = {"metadata": {"nbgrader": {"grade_id": grade_id}}}
        if isinstance(junk, dict):
            cell.update(junk)
        nb["cells"].insert(0, cell if isinstance(junk, dict) else junk)
    marks = read_marks(ex01, json.dumps(nb).encode())
    assert set(marks) == {q.grade_id for q in ex01.questions}


@pytest.mark.slow
def test_a_real_kernels_saved_outputs(tmp_path):
    """The notebook as a kernel really leaves it: exercise 00 run with nbclient, one wrong
    answer that fires a hint, one right answer, one untouched."""
    import nbformat
    from nbclient import NotebookClient

    exercise = ex.load(EXERCISES / "00_welcome.ipynb")
    nb = nbformat.read(exercise.path, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "q1-answer":
            cell.source = (
                'build_order = ["application patterns", "platform patterns", '
                '"infrastructure components"]'
            )
        if grade_id == "q2-answer":
            cell.source = (
                "def chapter_for(layer):\n    return {'infrastructure': '01', "
                "'virtualization': '02', 'orchestration': '03', 'service models': '04'}[layer]"
            )
    NotebookClient(
        nb, timeout=120, allow_errors=True, resources={"metadata": {"path": ROOT}}
    ).execute()
    marks = read_marks(exercise, nbformat.writes(nb).encode())
    assert marks["q1-test"].state == "failing"
    assert marks["q1-test"].hint.text.startswith("That is the order from the top down")
    assert marks["q3-test"].state == "not-started"
    assert marks["q2-test"].state in ("passing", "failing")


# -- the room ---------------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_forty_generated_learners_are_read_as_they_are(tmp_path, ex01):
    plans = samples.make_room(tmp_path, ex01, 40, seed=3)
    rows = Room(tmp_path, ex01).refresh()
    assert len(rows) == 40 and all(r.status == "ok" for r in rows)
    for row in rows:
        expected = {
            q.grade_id: plans[row.name].get(q.grade_id, "not-started") for q in ex01.questions
        }
        assert {g: m.state for g, m in row.marks.items()} == expected
    assert sorted(r.number for r in rows) == list(range(1, 41))
    assert [r.name for r in sorted(rows, key=lambda r: r.number)] != sorted(plans)  # shuffled


def test_only_changed_notebooks_are_read_again(tmp_path, ex01, monkeypatch):
    samples.make_room(tmp_path, ex01, 5)
    room = Room(tmp_path, ex01)
    room.refresh()
    parsed = []
    original = progress.parse
    monkeypatch.setattr(progress, "parse", lambda d: parsed.append(1) or original(d))
    room.refresh()
    assert parsed == []
    nb = samples.saved_notebook(ex01, {q.grade_id: "passing" for q in ex01.questions})
    _save(tmp_path, "learner03", nb, ex01)
    rows = {r.name: r for r in room.refresh()}
    assert parsed == [1] and {m.state for m in rows["learner03"].marks.values()} == {"passing"}


def test_stuck_after_minutes_of_failing_and_hints_remembered(tmp_path, ex01):
    clock = Clock()
    q1 = ex01.questions[0].grade_id
    _save(tmp_path, "ada", samples.saved_notebook(ex01, {q1: "failing"}), ex01)
    room = Room(tmp_path, ex01, stuck_minutes=5, clock=clock)
    assert not room.refresh()[0].stuck
    clock.now += 4 * 60
    _save(tmp_path, "ada", b"{half", ex01)  # being saved: unreadable, still failing since t0
    assert room.refresh()[0].status == "unreadable"
    _save(tmp_path, "ada", samples.saved_notebook(ex01, {q1: "failing"}, hint_index=1), ex01)
    clock.now += 60
    rows = room.refresh()
    assert rows[0].stuck == {q1}
    snap = room.snapshot(rows)
    assert snap["questions"][0]["stuck"] == 1
    assert sorted((h["now"], h["ever"]) for h in snap["questions"][0]["hints"]) == [(0, 1), (1, 1)]
    _save(tmp_path, "ada", samples.saved_notebook(ex01, {q1: "passing"}), ex01)
    rows = room.refresh()
    assert not rows[0].stuck and room.snapshot(rows)["questions"][0]["hints"][0]["now"] == 0


def test_hostile_and_broken_homes(tmp_path, ex01):
    """Links are not followed, special and foreign files are not read, nothing hangs; each
    such home is shown as unreadable or missing, and the rest of the room is read."""
    homes = tmp_path / "homes"
    secret = tmp_path / "solutions.ipynb"
    secret.write_text(
        json.dumps(samples.saved_notebook(ex01, {q.grade_id: "passing" for q in ex01.questions}))
    )
    good = samples.saved_notebook(ex01, {"q1-test": "passing"})
    _save(homes, "good", good, ex01)
    _save(homes, "link", b"", ex01).unlink()
    (homes / "link" / NOTEBOOK).symlink_to(secret)
    (homes / "linkdir" / "msa-course").mkdir(parents=True)
    (homes / "linkdir" / "msa-course" / "exercises").symlink_to(secret.parent)
    (homes / "linkhome").symlink_to(homes / "good")
    _save(homes, "fifo", b"", ex01).unlink()
    os.mkfifo(homes / "fifo" / NOTEBOOK)
    (homes / "empty").mkdir()
    (homes / "afile").write_text("not a home")
    (homes / ".hidden").mkdir()
    _save(homes, "truncated", json.dumps(good).encode()[:500], ex01)
    big = _save(homes, "big", good, ex01)
    with open(big, "ab") as fh:
        fh.truncate(homes_module.MAX_BYTES + 1)
    if os.geteuid() == 0:
        os.chown(_save(homes, "foreign", good, ex01), 54321, 54321)
    rows = {r.name: r for r in Room(homes, ex01).refresh()}
    assert rows.pop("good").marks["q1-test"].state == "passing"
    assert rows.pop("empty").status == "missing"
    reasons = {name: (row.status, row.reason) for name, row in rows.items()}
    assert reasons.pop("link") == ("unreadable", f"{NOTEBOOK} is a symbolic link")
    assert reasons.pop("linkdir") == ("unreadable", "msa-course/exercises is a symbolic link")
    assert reasons.pop("linkhome") == ("unreadable", "the home folder is a symbolic link")
    assert reasons.pop("fifo") == ("unreadable", f"{NOTEBOOK} is not a regular file")
    assert reasons.pop("truncated")[0] == "unreadable"
    assert reasons.pop("big") == ("unreadable", f"{NOTEBOOK} is larger than 32 MB")
    if os.geteuid() == 0:
        assert reasons.pop("foreign") == (
            "unreadable",
            f"{NOTEBOOK} does not belong to the learner",
        )
    assert not reasons and "afile" not in rows and ".hidden" not in rows


def test_learner_names_and_failures_are_escaped_on_the_page(tmp_path, ex01):
    evil = "<img src=x onerror=alert(1)>"
    nb = samples.saved_notebook(ex01, {"q1-test": "failing"})
    test = next(c for c in nb["cells"] if progress._grade_id(c) == "q1-test")
    test["outputs"][0]["evalue"] = "servers_needed(day, 16): <script>alert(2)</script>"
    _save(tmp_path, evil, nb, ex01)
    room = Room(tmp_path, ex01)
    rows = room.refresh()
    named = room_html(room.snapshot(rows, names=True), 3)
    anonymous = room_html(room.snapshot(rows, names=False), 3)
    assert "<img" not in named and "&lt;img src=x" in named
    assert "<script" not in named and "alert(2)" not in named
    assert "onerror" not in anonymous and "Learner 1" in anonymous


def test_not_a_homes_folder(tmp_path, ex01):
    with pytest.raises(ValueError, match="is not a folder of learners' homes"):
        Room(tmp_path / "nowhere", ex01).refresh()


# -- the command and its server -------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--homes", "/nonexistent/homes"], "is not a folder of learners' homes"),
        (["--homes", "{tmp}", "--assignment", "1"], "--assignment must be two digits"),
        (["--homes", "{tmp}", "--assignment", "98"], "no exercise 98 in"),
        (["--homes", "{tmp}", "--exercises", "{tmp}"], "no exercise 00 in"),
        (["--homes", "{tmp}", "--lang", "xx"], "--lang 'xx': choose one of en"),
        (["--homes", "{tmp}", "--hub-service"], "--hub-service is for JupyterHub to start"),
    ],
)
def test_bad_input_is_one_line(tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    out = subprocess.run([CLI, "progress", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and not out.stdout


@pytest.fixture
def server(tmp_path, ex01):
    samples.make_room(tmp_path / "homes", ex01, 6)
    proc = subprocess.Popen(
        [CLI, "progress", "--homes", str(tmp_path / "homes"), "--assignment", "01"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://\S+", line)
        assert url, line + proc.stderr.read()
        yield url.group(0), tmp_path / "homes"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_the_server_needs_its_token(server):
    url, _ = server
    base = url.split("?")[0]
    assert requests.get(base, timeout=30).status_code == 403
    assert requests.get(base + "room.json?assignment=01", timeout=30).status_code == 403
    assert requests.get(url.replace("token=", "token=x"), timeout=30).status_code == 403


def test_the_server_serves_the_room(server):
    url, homes = server
    base = url.split("?")[0]
    session = requests.Session()
    page = session.get(url, timeout=30)
    assert page.status_code == 200 and "Exercise 01: the room" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.text and " style=" not in page.text
    assert "learner0" not in page.text  # anonymous unless asked
    fragment = session.get(base + "room?assignment=01", timeout=30)
    assert fragment.headers["X-Msa-Room"] == "1" and "<table class='heatmap'>" in fragment.text
    named = session.get(base + "room.json?assignment=01&names=1", timeout=30).json()
    assert sorted(lr["learner"] for lr in named["learners"]) == [
        f"learner{i:02d}" for i in range(6)
    ]
    assert session.get(base + "?assignment=00", timeout=30).status_code == 200
    assert session.get(base + "?assignment=77", timeout=30).status_code == 404
    assert session.get(base + "static/progress.js", timeout=30).status_code == 200


# -- strings -----------------------------------------------------------------------------------


def test_every_language_has_every_sentence():
    for lang, catalogue in CATALOGUES.items():
        assert set(catalogue) == set(EN), lang
        for key, template in catalogue.items():
            assert placeholders(template) == placeholders(EN[key]), (lang, key)
