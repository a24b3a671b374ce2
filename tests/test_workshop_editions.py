"""The workshop tools and the Korean edition. Every home holds the exercise in both editions
(nbgitpuller pulls the whole course: exercises/NN_x.ipynb and exercises/ko/NN_x.ipynb); a
learner works in one. Progress, collect and return-feedback read the copy they worked in and say
which; a Korean check's hint counts under the same hint as the English one; the progress page
and the class report speak `--lang`; `msa-course link --lang ko` opens the Korean chapter."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import EXERCISES, ROOT, SOLUTIONS

from msa_course.grading import checks
from msa_course.grading import samples as grading_samples
from msa_course.grading import source as src
from msa_course.i18n.terms import HANGUL
from msa_course.workshop import editions, samples
from msa_course.workshop import exercise as ex
from msa_course.workshop.collect import collect
from msa_course.workshop.link import find_chapter
from msa_course.workshop.progress import Room, read_marks
from msa_course.workshop.progress_page import room_html

CLI = str(Path(sys.executable).parent / "msa-course")
EN_COPY = "msa-course/exercises/00_welcome.ipynb"
KO_COPY = "msa-course/exercises/ko/00_welcome.ipynb"
LEARNER_UID = 54321  # the homes belong to this uid, as a learner's account's would


@pytest.fixture(scope="module")
def ex00() -> ex.Exercise:
    return ex.load(EXERCISES / "00_welcome.ipynb")


def expected_lang(plan: dict, index: int, ex00: ex.Exercise) -> str:
    """The copy a generated learner worked in: their language's, unless they did nothing."""
    return samples.learner_lang(ex00, index, ("en", "ko")) if plan else "en"


def own_homes(homes: Path) -> None:
    """As root, the homes belong to a learner's uid (then every tool reads them as that uid)."""
    if os.geteuid() == 0:
        for path in [homes, *homes.rglob("*")]:
            os.lchown(path, LEARNER_UID, LEARNER_UID)
        os.chown(homes, 0, 0)


def write(homes: Path, learner: str, path: str, nb: dict | bytes) -> None:
    target = homes / learner / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(nb if isinstance(nb, bytes) else json.dumps(nb).encode())
    time.sleep(0.05)  # file times tick by the kernel's clock tick: keep saves apart


# -- hints in both languages ------------------------------------------------------------------


def test_a_hint_raised_in_korean_counts_under_the_english_hint(ex00):
    found = 0
    for question in ex00.questions:
        for _, hint in question.hints:
            assert HANGUL.search(hint.shown("ko")), hint  # exercise 00 is translated
            assert hint.shown("en") == hint.text
        literal = [h for _, h in question.hints if ex.ELLIPSIS not in h.text]
        for index in range(len(literal)):
            korean, hint = samples.hint_message(question, index, "ko")
            assert korean != samples.hint_message(question, index)[0]
            assert question.classify(korean, lang="ko") == hint
            assert question.classify(korean, error=None, lang="ko") == hint  # as graded
            english, _ = samples.hint_message(question, index)
            assert question.classify(english, lang="ko") == hint  # untranslated: English
            found += 1
    assert found >= 10


@pytest.mark.parametrize(
    "path", sorted((EXERCISES / "ko").glob("*.ipynb")), ids=lambda p: f"ko/{p.stem}"
)
def test_every_translated_hint_is_recognised_in_korean(path):
    """For every exercise with a Korean edition, each hint with a Korean text (an f-string's
    holes filled in) classifies back to that hint when a Korean notebook's check raises it."""
    exercise = ex.load(EXERCISES / path.name)
    found = 0
    for question in exercise.questions:
        names = [n for _, n in question.names if ex.ELLIPSIS not in n]
        for name in names[:1] + [n for n in names if checks.descriptive(n)]:
            said = checks.shown_name(name, "ko")  # a name of words is raised in Korean
            for _, hint in question.hints:
                korean = hint.shown("ko")
                if korean == hint.text:
                    continue
                message = f"{said}: {korean.replace(ex.ELLIPSIS, '42')}"
                assert question.classify(message, lang="ko") == hint, message
                assert question.classify(message, error=None, lang="ko") == hint, message
                found += 1
    assert found, "no hint of the Korean edition is translated"


def test_an_f_string_hint_in_korean(ex00):
    from msa_course.i18n import tr

    q2 = ex00.questions[1]
    english = 'return two digits as a string, such as "01", not 1'
    korean = tr(english, lang="ko")  # what the check raises in a Korean notebook
    assert HANGUL.search(korean) and korean != english
    hint = q2.classify(f"chapter_for: {korean}", lang="ko")
    assert hint == q2.classify(f"chapter_for: {english}") and hint.key.startswith("q2-test/hint/")
    assert hint.shown("ko").count(ex.ELLIPSIS) == 1 and HANGUL.search(hint.shown("ko"))


def test_failures_without_a_hint_are_named_in_the_pages_language(ex00):
    q1 = ex00.questions[0]
    other = q1.classify("build_order: 완전히 다른 값", lang="ko")
    assert other.text == "build_order: another wrong value (no specific hint)"
    assert other.shown("ko") == "build_order: 다른 틀린 값(해당하는 힌트 없음)"
    raised = q1.classify("name 'x' is not defined", "NameError", lang="ko")
    assert raised.shown("ko").startswith("확인 셀에서 NameError")
    crafted = q1.classify("build_order: <script>alert(1)</script>", lang="ko")
    assert "<" not in crafted.shown("ko") and "<" not in crafted.text


def test_titles_come_from_the_korean_edition(ex00):
    assert ex00.title_in("ko") == "00 시작하기: 연습 문제"
    assert [q.title_in("ko") for q in ex00.questions] == ["문제 1", "문제 2", "문제 3"]
    assert ex00.title_in("en") == ex00.title and ex00.questions[0].title_in("en") == "Question 1"
    ex01 = ex.load(EXERCISES / "01_infrastructure.ipynb")  # no Korean edition yet: English
    if not (EXERCISES / "ko" / ex01.path.name).exists():
        assert ex01.title_in("ko") == ex01.title


@pytest.mark.slow
def test_real_kernels_in_both_languages_fire_the_same_hints(ex00):
    """Both editions run in a kernel with the same answers: the English and the Korean
    notebook's failures are the same hints (and the Korean one said them in Korean)."""
    import nbformat
    from nbclient import NotebookClient

    answers = {
        "q1-answer": 'build_order = ["application patterns", "platform patterns", '
        '"infrastructure components"]',
        "q2-answer": "def chapter_for(layer):\n    return 1",
        "q3-answer": 'caas_provider_layers = ["Application", "Bare metal and cloud"]',
    }
    marks = {}
    for lang, path in (("en", ex00.path), ("ko", EXERCISES / "ko" / ex00.path.name)):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        NotebookClient(
            nb, timeout=120, allow_errors=True, resources={"metadata": {"path": ROOT}}
        ).execute()
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        if lang == "ko":
            assert errors and all(HANGUL.search(o.evalue) for o in errors), errors
        marks[lang] = read_marks(ex00, nbformat.writes(nb).encode())
    assert {m.state for m in marks["en"].values()} == {"failing"}
    assert marks["ko"] == marks["en"]
    assert all(m.hint.key.split("/")[1] == "hint" for m in marks["en"].values())


# -- which copy ---------------------------------------------------------------------------------


def test_the_copy_with_work_is_picked():
    def copy(lang, changed, worked):
        return editions.Copy(lang, f"{lang}.ipynb", changed, worked)

    assert editions.pick([]) is None
    assert editions.pick([copy("en", 1, False), copy("ko", 2, False)]).lang == "en"
    assert editions.pick([copy("en", 9, False), copy("ko", 2, True)]).lang == "ko"
    assert editions.pick([copy("en", 3, True), copy("ko", 2, True)]).lang == "en"
    assert editions.pick([copy("en", 3, True), copy("ko", 4, True)]).lang == "ko"
    assert editions.pick([copy("ko", 4, False)]).lang == "ko"
    assert editions.both_worked([copy("en", 3, True), copy("ko", 4, True)])
    assert not editions.both_worked([copy("en", 3, True), copy("ko", 4, False)])
    assert editions.paths("c", "00_x") == {
        "en": "c/exercises/00_x.ipynb",
        "ko": "c/exercises/ko/00_x.ipynb",
    }


# -- progress ----------------------------------------------------------------------------------


def test_a_mixed_room(tmp_path, ex00):
    """Twelve learners, every other one in Korean: each is read from the copy they worked in,
    and a hint counts the same in both languages; the page speaks --lang."""
    plans = samples.make_room(tmp_path, ex00, 12, seed=2, langs=("en", "ko"))
    room = Room(tmp_path, ex00)
    rows = {r.name: r for r in room.refresh()}
    korean_failing = 0
    for i, (name, plan) in enumerate(sorted(plans.items())):
        row = rows[name]
        assert row.status == "ok" and row.lang == expected_lang(plan, i, ex00) and not row.both
        for question in ex00.questions:
            mark = row.marks[question.grade_id]
            assert mark.state == plan.get(question.grade_id, "not-started")
            if mark.state == "failing":
                assert mark.hint == samples.hint_message(question, i)[1]  # the English hint
                korean_failing += row.lang == "ko"
    assert korean_failing >= 2
    english, korean = (
        room.snapshot(list(rows.values())),
        room.snapshot(list(rows.values()), lang="ko"),
    )
    assert korean["title"] == "00 시작하기: 연습 문제" and english["title"] == ex00.title
    for q_en, q_ko in zip(english["questions"], korean["questions"]):
        assert [(h["now"], h["ever"]) for h in q_en["hints"]] == [
            (h["now"], h["ever"]) for h in q_ko["hints"]
        ]
        assert all(HANGUL.search(h["text"]) for h in q_ko["hints"])
        assert not any(HANGUL.search(h["text"]) for h in q_en["hints"])
    page = room_html(korean, 3, "ko")
    assert "<span class='edition'>ko</span>" in page and "한국어판으로 공부하고 있다" in page
    assert "문제 1" in page or "Q1" in page
    assert "works in the Korean edition" not in page
    assert "they work in the Korean edition" in room_html(english, 3, "en")


def test_work_in_both_copies_shows_the_one_changed_last_and_says_so(tmp_path, ex00):
    q1 = ex00.questions[0].grade_id
    failing = samples.saved_notebook(ex00, {q1: "failing"})
    passing = samples.saved_notebook(ex00, {q1: "passing"}, lang="ko")
    write(tmp_path, "ada", EN_COPY, failing)
    write(tmp_path, "ada", KO_COPY, passing)
    room = Room(tmp_path, ex00)
    [row] = room.refresh()
    assert (row.lang, row.both, row.marks[q1].state) == ("ko", True, "passing")
    page = room_html(room.snapshot([row], lang="en"), 3, "en")
    assert "<span class='edition'>ko*</span>" in page and "more than one edition" in page
    write(tmp_path, "ada", EN_COPY, failing)  # back to English
    [row] = room.refresh()
    assert (row.lang, row.both, row.marks[q1].state) == ("en", True, "failing")


def test_an_untouched_copy_never_hides_work(tmp_path, ex00):
    """A released copy that changed later (nbgitpuller merged an update into it) is not the
    learner's work; a copy being saved (unreadable) is, and is shown as unreadable."""
    q1 = ex00.questions[0].grade_id
    write(tmp_path, "ada", EN_COPY, samples.saved_notebook(ex00, {q1: "passing"}))
    write(tmp_path, "ada", KO_COPY, (EXERCISES / "ko" / "00_welcome.ipynb").read_bytes())
    room = Room(tmp_path, ex00)
    [row] = room.refresh()
    assert (row.lang, row.both, row.marks[q1].state) == ("en", False, "passing")
    write(tmp_path, "ada", KO_COPY, b'{"cells": [')
    [row] = room.refresh()
    assert (row.status, row.lang) == ("unreadable", "ko")


def test_a_link_where_the_korean_folder_goes_is_refused_by_name(tmp_path, ex00):
    q1 = ex00.questions[0].grade_id
    write(tmp_path, "eve", EN_COPY, samples.saved_notebook(ex00, {q1: "passing"}))
    (tmp_path / "eve" / "msa-course/exercises/ko").symlink_to(EXERCISES / "ko")
    [row] = Room(tmp_path, ex00).refresh()
    assert (row.status, row.reason) == ("unreadable", "msa-course/exercises/ko is a symbolic link")


# -- collect and return-feedback ---------------------------------------------------------------


@pytest.fixture
def mixed(tmp_path, ex00):
    """Eight learners in homes, every other one in Korean, and their grades."""
    homes = tmp_path / "homes"
    plans = samples.make_room(homes, ex00, 8, seed=4, langs=("en", "ko"))
    samples.make_grades(tmp_path / "grades", ex00, 8, seed=4, langs=("en", "ko"))
    own_homes(homes)
    return homes, plans, tmp_path / "grades"


def files(homes: Path) -> dict[str, tuple]:
    return {
        str(p.relative_to(homes)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in homes.rglob("*")
        if p.is_file()
    }


def test_collect_takes_the_copy_each_learner_worked_in(mixed, tmp_path, ex00):
    homes, plans, _ = mixed
    before = files(homes)
    for exercise in (ex00, None):  # without the release: work is the cells a learner ran
        out = tmp_path / f"out-{exercise is None}"
        result = collect(homes, "00", out, exercise=exercise)
        assert sorted(result.copied) == sorted(plans) and not result.skipped and not result.both
        with open(out / "collected.csv", newline="") as fh:
            rows = {r["learner"]: r for r in csv.DictReader(fh)}
        for i, (name, plan) in enumerate(sorted(plans.items())):
            lang = expected_lang(plan, i, ex00)
            path = KO_COPY if lang == "ko" else EN_COPY
            assert (rows[name]["lang"], rows[name]["source"]) == (lang, path)
            assert (out / f"{name}.ipynb").read_bytes() == (homes / name / path).read_bytes()
    assert files(homes) == before, "collect changed a learner's file"


def test_collect_says_which_copy_it_took(mixed, tmp_path, ex00):
    homes, plans, _ = mixed
    q1 = ex00.questions[0].grade_id
    write(homes, "learner00", KO_COPY, samples.saved_notebook(ex00, {q1: "passing"}, lang="ko"))
    if os.geteuid() == 0:  # the learner's own file again (chown moves only its change time)
        os.chown(homes / "learner00" / KO_COPY, LEARNER_UID, LEARNER_UID)
    out = subprocess.run(
        [CLI, "collect", "--homes", str(homes), "--assignment", "00", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert (
        f"learner00 has work in more than one edition's copy; collected {KO_COPY}, changed last"
        in out.stdout
    )
    korean = sum(expected_lang(p, i, ex00) == "ko" for i, p in enumerate(plans.values()))
    assert f"{korean + 1} of them from the Korean edition" in out.stdout


def test_feedback_goes_next_to_the_copy_used_in_its_language(mixed, ex00):
    homes, plans, grades = mixed
    before = files(homes)
    out = subprocess.run(
        [CLI, "return-feedback", "--homes", str(homes), "--assignment", "00", str(grades)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert f"returned feedback to {len(plans)} of {len(plans)}" in out.stdout
    after = files(homes)
    for i, (name, plan) in enumerate(sorted(plans.items())):
        lang = expected_lang(plan, i, ex00)
        folder = "msa-course/exercises/ko" if lang == "ko" else "msa-course/exercises"
        page = f"{name}/{folder}/00_welcome.feedback.html"
        assert f"{name}: {folder}/00_welcome.feedback.html" in out.stdout
        assert f"<html lang='{lang}'>" in after.pop(page)[0].decode()
        if os.geteuid() == 0:
            assert (homes / page).stat().st_uid == LEARNER_UID
    assert after == before  # nothing else added or changed


# -- the class report -------------------------------------------------------------------------


def test_the_report_counts_both_languages_under_one_hint_and_speaks_lang(tmp_path, ex00):
    results = samples.make_grades(tmp_path / "grades", ex00, 20, seed=5, langs=("ko", "en"))
    assert results[0]["lang"] == "ko"  # the first result is Korean; --lang en stays English
    summaries = {}
    for lang in ("en", "ko"):
        run = subprocess.run(
            [
                CLI,
                "report",
                str(tmp_path / "grades"),
                "--out",
                str(tmp_path / lang),
                "--lang",
                lang,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        summaries[lang] = json.loads((tmp_path / lang / "summary.json").read_text())
    en, ko = summaries["en"], summaries["ko"]
    assert en["title"] == ex00.title and ko["title"] == ex00.title_in("ko")
    assert [q["title"] for q in en["questions"]] == ["Question 1", "Question 2", "Question 3"]
    assert [q["title"] for q in ko["questions"]] == ["문제 1", "문제 2", "문제 3"]
    both = 0
    for q_en, q_ko, question in zip(en["questions"], ko["questions"], ex00.questions):
        expected: dict[str, set] = {}
        for i, result in enumerate(results):
            answer = next(a for a in result["questions"] if a["grade_id"] == question.grade_id)
            if answer["status"] == "failed":
                fired = samples.hint_message(question, i)
                expected.setdefault(fired[1].text, set()).add(result["learner"])
        counted = {h["text"]: set(h["who"]) for h in q_en["hints"] if "hidden" not in h["text"]}
        assert counted == expected
        assert sorted(h["who"] for h in q_en["hints"]) == sorted(h["who"] for h in q_ko["hints"])
        assert all(HANGUL.search(h["text"]) for h in q_ko["hints"])
        langs = {results[int(w[-2:])]["lang"] for h in q_en["hints"] for w in h["who"]}
        both += langs == {"en", "ko"}
    assert both, "no hint fired for learners of both languages"
    page = (tmp_path / "ko" / "report.html").read_text()
    assert "<html lang='ko'>" in page and "학급 보고서" in page
    canvas = (tmp_path / "en" / "canvas.csv").read_text()
    assert ex00.title in canvas.splitlines()[0]


@pytest.mark.slow
def test_a_real_grading_run_in_both_languages(tmp_path, ex00):
    """The same wrong answer handed in from the English and the Korean exercise, graded by
    msa-course grade: the report counts one hint for both learners."""
    top_down = '["application patterns", "platform patterns", "infrastructure components"]'
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, source in (("grace", SOLUTIONS), ("sejong", SOLUTIONS / "ko")):
        nb = grading_samples.submission(
            src.parse(source / "00_welcome.ipynb"), {"q1-answer": f"build_order = {top_down}"}
        )
        (subs / f"{name}.ipynb").write_text(json.dumps(nb))
    grade = subprocess.run(
        [CLI, "grade", str(subs), "--source", str(SOLUTIONS / "00_welcome.ipynb"),
         "--out", str(tmp_path / "g"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert grade.returncode == 0, grade.stderr
    feedback = {
        r: json.loads((tmp_path / "g" / "results" / f"{r}.json").read_text())["questions"][0]
        for r in ("grace", "sejong")
    }
    assert feedback["grace"]["feedback"] != feedback["sejong"]["feedback"]
    for lang in ("en", "ko"):
        run = subprocess.run(
            [CLI, "report", str(tmp_path / "g"), "--out", str(tmp_path / lang), "--lang", lang],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        q1 = json.loads((tmp_path / lang / "summary.json").read_text())["questions"][0]
        [hint] = q1["hints"]
        assert hint["who"] == ["grace", "sejong"]
        english = hint["text"].startswith("That is the order from the top down")
        assert english == (lang == "en") and bool(HANGUL.search(hint["text"])) == (lang == "ko")


# -- the link --------------------------------------------------------------------------------


def test_link_opens_the_korean_chapter(tmp_path):
    assert find_chapter(ROOT, "00", "ko") == "course/ko/00_welcome.ipynb"
    (tmp_path / "course" / "ko").mkdir(parents=True)
    for path in ("course/00_a.ipynb", "course/ko/00_a.ipynb", "course/01_b.ipynb"):
        (tmp_path / path).write_text("{}")
    with pytest.raises(
        ValueError, match=r"chapter 01 has no Korean edition yet \(chapters in it: 00\)"
    ):
        find_chapter(tmp_path, "01", "ko")
    with pytest.raises(ValueError, match="no single chapter 98"):
        find_chapter(tmp_path, "98", "ko")
    out = subprocess.run(
        [
            CLI,
            "link",
            "--hub",
            "https://hub.example.org",
            "--repo",
            "file:///srv/c",
            "--lang",
            "ko",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "urlpath=lab%2Ftree%2Fmsa-course%2Fcourse%2Fko%2F00_welcome.ipynb" in out.stdout
