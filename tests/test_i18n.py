"""Two languages from one source: the active language, the string catalogue, the Korean
notebooks' machinery (prose files, links, the setup call), the terms lint, and the grader
answering a Korean submission in Korean with exactly the English score."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import PYTHON, ROOT

from msa_course import i18n
from msa_course.grading import checks, judge, report, samples, sandbox
from msa_course.grading import source as src
from msa_course.grading.tidy import dumps
from msa_course.i18n import extract, terms
from msa_course.i18n import notebooks as nbs


@pytest.fixture
def korean():
    i18n.set_language("ko")
    yield
    i18n.set_language("en")


def test_import_loads_no_translation_machinery():
    """`import msa_course` never imports i18n; English strings never read a catalogue."""
    probe = (
        "import sys, msa_course; assert 'msa_course.i18n' not in sys.modules\n"
        "from msa_course.grading import checks\n"
        "try: checks.expect_true(False, 'the application comes last: it needs everything "
        "below it', name='x')\n"
        "except AssertionError as e: assert 'comes last' in str(e)\n"
        "assert 'yaml' not in sys.modules, 'a catalogue was read for English'\n"
    )
    subprocess.run([PYTHON, "-c", probe], check=True, cwd=ROOT)


def test_tr_translates_fills_and_falls_back(korean):
    assert i18n.tr("Check") == "확인"
    assert i18n.tr("Check", lang="en") == "Check"
    assert i18n.tr("{amount} is too high.", amount="12 ms") == "12 ms: 너무 크다."
    assert i18n.tr("{amount} is too high.", lang="en", amount="12 ms") == "12 ms is too high."
    assert i18n.tr("No such sentence anywhere") == "No such sentence anywhere"
    assert i18n.tr("") == ""


def test_a_formatted_f_string_is_matched_to_its_template(korean):
    said = i18n.tr("['Kernel'] is not a layer of the map; use the names ['A', 'B']")
    assert said == "지도에 없는 계층이다: ['Kernel']. 다음 이름 가운데서 고른다: ['A', 'B']"


def test_wrap_counts_display_columns_so_korean_lines_are_as_wide_as_english():
    assert i18n.wrap("one two three four", 9) == "one two<br>three<br>four"
    assert i18n.wrap("가나다 라마", 10) == "가나다<br>라마"  # 11 columns, though 6 characters
    assert i18n.wrap("가나다 라마", 11) == "가나다 라마"
    assert i18n.wrap("unbreakable-word x", 5) == "unbreakable-word<br>x"
    assert i18n.wrap("", 5) == ""


def test_languages_are_checked_and_the_locale_chooses():
    with pytest.raises(i18n.TranslationError, match="lang must be one of en, ko"):
        i18n.set_language("fr")
    assert i18n.locale_language({"LANG": "ko_KR.UTF-8"}) == "ko"
    assert i18n.locale_language({"LC_ALL": "C.UTF-8", "LANG": "ko_KR.UTF-8"}) == "en"
    assert i18n.locale_language({}) == "en"


def test_notebook_language_reads_metadata_and_distrusts_it():
    assert i18n.notebook_language({"metadata": {"msa_course": {"lang": "ko"}}}) == "ko"
    for meta in ({}, {"msa_course": "ko"}, {"msa_course": {"lang": "../x"}}, None):
        assert i18n.notebook_language({"metadata": meta}) == "en"


def test_visible_checks_speak_the_active_language(korean):
    with pytest.raises(AssertionError) as err:
        checks.expect_true(False, "list the layers bottom first", name="caas_provider_layers")
    assert str(err.value) == "caas_provider_layers: 계층을 아래 것부터 나열한다"
    with pytest.raises(AssertionError, match="share: 0.7: 너무 크다"):
        checks.expect_close(0.7, 0.5, name="share")
    with pytest.raises(AssertionError, match="기대한 종류: int, 받은 값: bool"):
        checks.expect_type(True, int, name="count")
    # a name that is words is translated (an f-string's too); a name that is code is not,
    # even when the catalogue has the same text for something else ("utilisation": 사용률)
    with pytest.raises(AssertionError, match="^30초 뒤의 Ready 파드 수: 2: 너무 작다$"):
        checks.expect_close(2, 3, name="Ready pods after 30 s")
    with pytest.raises(AssertionError, match=r"^'private cloud'의 값: "):
        checks.expect_close(2, 3, name="the value for 'private cloud'")
    with pytest.raises(AssertionError, match="^utilisation: "):
        checks.expect_close(2, 3, name="utilisation")
    assert i18n.tr("utilisation") == "사용률"


@pytest.mark.parametrize(
    "name",
    [
        "the example",
        "limit 100",
        "Ready pods after 30 s",
        "desired_replicas, example (a)",
        "layer_counts(with comments)",
        "utilisation for {}, {}",
        "the value for 'private cloud'",
    ],
)
def test_a_check_name_of_words_is_descriptive(name):
    assert checks.descriptive(name)


@pytest.mark.parametrize(
    "name",
    [
        "utilisation",
        "q7",
        "report_64['utilisation']",
        "layer_counts(node_dockerfile)",
        "servers_needed({}..., {})",
        "least_allocated_score(1000, 4 GiB, 4000, 16 GiB)",
        "3 x rule_probabilities(4)[1]",
        "metadata.name",
        "autoscaled_unmet({}, {})",
    ],
)
def test_a_check_name_of_code_is_not(name):
    assert not checks.descriptive(name)


def test_check_names_of_words_are_extracted_for_translation():
    cell = (
        'expect_equal(x, 1, name="nobody meets the SLO")\n'
        "expect_equal(x, 1, name=\"report_64['utilisation']\")\n"
        'expect_equal(x, 1, name=f"utilisation for {d}, {c}")\n'
    )
    nb = _nb(("code", "c", cell))
    found = {f.text for f in extract.notebook_strings(nb, "x", "01")}
    assert found == {"nobody meets the SLO", "utilisation for {}, {}"}


def test_self_checks_ask_and_answer_in_korean_from_the_english_code(korean):
    from msa_course.ui import selfcheck

    q = selfcheck.choice(
        "In the source's path, what takes over the role of middleware?",
        ["The platform", "The hypervisor", "The application"],
        answer="The platform",
        why={
            "The hypervisor": "A hypervisor runs virtual machines; it is part of the infrastructure.",
            "The application": "The application runs on top of the middleware, not in its place.",
        },
    )
    assert q.question.startswith("원문이 말하는 단계에서")
    assert q.input.options[0] == ("플랫폼", "The platform")  # shown Korean, valued English
    assert q.evaluate("The hypervisor").message.startswith("하이퍼바이저는 가상 머신을")
    assert q.evaluate(None).message == "먼저 보기를 하나 고르자."
    q.input.value = "The platform"
    assert q.check().correct and "정답이다" in q.feedback.value
    assert "정답 보기" in q.static_html()


# --- prose files, links, the setup call -------------------------------------------------------


def test_prose_files_round_trip_and_refuse_bad_headers(tmp_path):
    entries = [
        nbs.Entry("cell-000", "0123456789", "# 제목\n\n본문"),
        nbs.Entry("a-b", "abcdef0123", "x", True),
    ]
    path = tmp_path / "x.md"
    path.write_text(nbs.render_prose("course/x.ipynb", "ko", entries), encoding="utf-8")
    back = nbs.read_prose(path)
    assert [(e.cell_id, e.english_hash, e.text, e.todo) for e in back.values()] == [
        ("cell-000", "0123456789", "# 제목\n\n본문", False),
        ("a-b", "abcdef0123", "x", True),
    ]
    path.write_text("<!-- cell-000 en:123 -->\nx\n", encoding="utf-8")
    with pytest.raises(i18n.TranslationError, match="line 1: .* is not a cell header"):
        nbs.read_prose(path)
    path.write_text("<!-- c en:0123456789 -->\nx\n<!-- c en:0123456789 -->\ny\n", "utf-8")
    with pytest.raises(i18n.TranslationError, match="line 3: cell c is translated twice"):
        nbs.read_prose(path)


def _nb(*cells):
    return {"cells": [{"cell_type": t, "id": i, "metadata": {}, "source": s} for t, i, s in cells]}


def test_status_sees_missing_stale_todo_orphaned_and_moved_cells():
    nb = _nb(("markdown", "a", "Alpha"), ("markdown", "b", "Beta"), ("code", "c", "x = 1"))
    entries = {
        "a": nbs.Entry("a", nbs.english_hash("Alpha, before"), "알파"),
        "gone": nbs.Entry("gone", nbs.english_hash("Beta"), "베타"),
    }
    status = nbs.status(nb, entries)
    assert (status.missing, status.stale, status.orphans) == (["b"], ["a"], ["gone"])
    updated, dropped = nbs.updated_entries(nb, entries)
    assert [(e.cell_id, e.text, e.todo) for e in updated] == [
        ("a", "알파", True),
        ("b", "베타", False),
    ]
    assert dropped == []  # the cell pasted back under a new id keeps its translation


def test_links_point_from_the_edition_and_to_editions():
    editions = {"course/00_welcome.ipynb", "solutions/00_welcome.ipynb"}
    text = (
        "[Exercise](../exercises/00_welcome.ipynb#q1) [next](01_infrastructure.ipynb) "
        "[figures](../docs/figures.md) <a href='00_welcome.ipynb'>x</a> [web](https://k8s.io) "
        "[anchor](#top)"
    )
    out = nbs.relink(text, "course/00_welcome.ipynb", "course/ko/00_welcome.ipynb", "ko", editions)
    assert out == (
        "[Exercise](../../exercises/ko/00_welcome.ipynb#q1) [next](../01_infrastructure.ipynb) "
        "[figures](../../docs/figures.md) <a href='00_welcome.ipynb'>x</a> [web](https://k8s.io) "
        "[anchor](#top)"
    )


def test_the_setup_call_gets_the_language():
    assert nbs.with_language("import msa_course\n\nmsa_course.setup_notebook()", "ko", "x") == (
        'import msa_course\n\nmsa_course.setup_notebook(lang="ko")'
    )
    assert nbs.with_language('setup_notebook(figures="plain")  # 그림', "ko", "x") == (
        'setup_notebook(figures="plain", lang="ko")  # 그림'
    )
    assert nbs.with_language("print('no setup here')", "ko", "x") == "print('no setup here')"
    with pytest.raises(i18n.TranslationError, match="once, without lang="):
        nbs.with_language('setup_notebook(lang="en")', "ko", "x")


def test_translate_update_starts_a_file_and_marks_what_changed(tmp_path):
    (tmp_path / "course").mkdir()
    nb = _nb(("markdown", "a", "# 07 Title\n\nSome words."), ("code", "b", "x = 1"))
    nb.update(metadata={}, nbformat=4, nbformat_minor=5)
    path = tmp_path / "course" / "07_x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    run = lambda *a: subprocess.run(  # noqa: E731
        [PYTHON, "-m", "msa_course", "translate", "--root", str(tmp_path), *a],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    out = run("--update", "course/07_x.ipynb")
    prose = tmp_path / "translations" / "ko" / "course" / "07_x.md"
    assert out.returncode == 1 and "a: marked todo" in out.stdout
    text = prose.read_text(encoding="utf-8")
    prose.write_text(text.replace(" todo -->", " -->").replace("Some words.", "몇 마디."), "utf-8")
    assert run().returncode == 0
    nb["cells"][0]["source"] = "# 07 Title\n\nOther words."
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert "the English changed" in run().stdout
    run("--update")
    entry = nbs.read_prose(prose)["a"]
    assert entry.todo and "Other words." in entry.text and "몇 마디." in entry.text


# --- the terms lint ----------------------------------------------------------------------------


def _lint(english: str, korean: str) -> list[str]:
    nb = _nb(("markdown", "c", english))
    return terms.problems(nb, {"c": nbs.Entry("c", "0", korean)}, "ko")


def test_terms_lint_wants_the_glossary_term_and_its_english_at_first_use():
    english = "A Pod runs on bare metal (베어 메탈)."
    assert _lint(english, "파드(Pod)는 베어 메탈(bare metal)에서 돈다.") == []
    found = _lint(english, "포드(Pod)는 베어메탈에서 돈다.")
    assert any("use the glossary's term '파드'" in f for f in found)
    assert any("use the glossary's term '베어 메탈'" in f for f in found)
    assert any(
        "first use of '파드'" in f for f in _lint(english, "파드는 베어 메탈(bare metal)에서 돈다.")
    )
    # the docs' term only in parentheses, after the seed's
    self_healing = "Self-healing (셀프 치유) replaces failed containers."
    assert (
        _lint(
            self_healing,
            "셀프 치유(self-healing, 자가 치유)는 실패한 컨테이너(container)를 교체한다.",
        )
        == []
    )


def test_terms_lint_leaves_code_and_longer_terms_alone():
    english = "The `pod` variable; infrastructure components (인프라 구성요소)."
    assert _lint(english, "`pod` 변수, 인프라 구성요소(infrastructure components).") == []
    # a catalogue string's Python call is code; its prose still needs the term
    assert terms.string_problems("define feasible_nodes(nodes, cpu)", "함수 … 정의") == []
    assert terms.string_problems("{n} node(s) used", "{n}개 사용") != []
    assert terms.string_problems("{node}: passed", "{node}: 통과") == []


# --- the grader and a Korean submission --------------------------------------------------------

KOREAN_SOURCES = sorted((ROOT / "solutions" / "ko").glob("*.ipynb"))
LIMITS = sandbox.Limits(memory_mb=384, cell_timeout=10, total_timeout=40, processes=8)


@pytest.mark.parametrize("korean_source", KOREAN_SOURCES, ids=lambda p: p.stem)
def test_a_korean_submission_scores_exactly_as_the_english_one(korean_source, tmp_path):
    """The same answers in the English and the Korean exercise: the same points and verdicts
    question by question; the Korean one's feedback, titles and page in Korean."""
    english = src.parse(ROOT / "solutions" / korean_source.name)
    edition = src.parse(korean_source)
    ctx = judge.Context(english, LIMITS, sandbox.default_allow())
    wrong = {  # answers the visible checks have hints for, per exercise
        "00_welcome": {
            "q1-answer": 'build_order = ["application patterns", "platform patterns", '
            '"infrastructure components"]',
        },
        "01_infrastructure": {
            "q1-answer": "def servers_needed(demand, server_cores):\n"
            "    return math.floor(max(demand) / server_cores)",
        },
        "02_vms_and_containers": {
            "q6-answer": "def all_up_after(n, start_s, rate):\n    return start_s + n / rate",
        },
        "04_cloud_service_models": {
            "q1-answer": "classification = {'Google Kubernetes Engine': 'caas', 'Heroku': 'saas', "
            "'Azure VM': 'iaas', 'AWS Lambda': 'faas', 'Microsoft 365': 'saas', "
            "'GCP Compute Engine': 'iaas', 'Cloud Foundry': 'paas', 'AWS ECS': 'caas'}",
        },
    }.get(korean_source.stem, {})
    cases = samples.make_class(english, 4, seed=3) + [
        ("hinted", samples.submission(english, wrong), None)
    ]
    for name, submission, expected in cases:
        answers = {
            c.grade_id: "".join(cell["source"])
            for c, cell in zip(english.cells, submission["cells"])
            if c.solution
        }
        twin = samples.submission(edition, answers)
        results = {}
        for lang, nb in (("en", submission), ("ko", twin)):
            path = tmp_path / lang / f"{name}.ipynb"
            path.parent.mkdir(exist_ok=True)
            path.write_text(dumps(nb), encoding="utf-8")
            results[lang] = judge.grade_submission(ctx, path, name)
        en, ko = results["en"], results["ko"]
        assert ko["score"] == en["score"] and (expected is None or en["score"] == expected)
        assert [(q["grade_id"], q["points"], q["status"]) for q in ko["questions"]] == [
            (q["grade_id"], q["points"], q["status"]) for q in en["questions"]
        ]
        assert (en["lang"], ko["lang"]) == ("en", "ko")
        assert ko["title"] == edition.title and ko["questions"][0]["title"].startswith("문제 1")
        page = report.feedback_html(ko)
        assert "<html lang='ko'>" in page and "점수:" in page
        for q_en, q_ko in zip(en["questions"], ko["questions"]):
            if q_en["feedback"] and q_en["status"] == "failed":
                assert q_ko["feedback"] != q_en["feedback"] and terms.HANGUL.search(
                    q_ko["feedback"]
                )
    assert i18n.language() == "en", "grading left the grader's language changed"


def test_feedback_page_in_korean_escapes_and_keeps_words_whole():
    result = judge.failed_result(src.parse(KOREAN_SOURCES[0]), "<b>x</b>", None, "code", "why")
    result["lang"] = "ko"
    page = report.feedback_html(result)
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "keep-all" in page and "Noto Sans CJK KR" in page


def test_an_edition_without_the_same_grade_ids_is_not_used_for_titles(tmp_path):
    source = ROOT / "solutions" / KOREAN_SOURCES[0].name
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes())
    (tmp_path / "ko").mkdir()
    nb = json.loads(KOREAN_SOURCES[0].read_text(encoding="utf-8"))
    nb["cells"] = [
        c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "q1-test"
    ]
    (tmp_path / "ko" / source.name).write_text(json.dumps(nb), encoding="utf-8")
    ctx = judge.Context(src.parse(copy), LIMITS, sandbox.default_allow())
    assert ctx.edition("ko") is ctx.assignment


def test_korean_edition_of_exercise_00_exists():
    assert Path(ROOT / "exercises" / "ko" / "00_welcome.ipynb").is_file()
