from __future__ import annotations

import re

import pytest
from helpers import COURSE, cells, notebooks

from msa_course import glossary


def test_terms_load_and_are_unique():
    terms = glossary.terms()
    assert len(terms) >= 30
    assert len({t.en.lower() for t in terms}) == len(terms)


def test_search_matches_both_languages_and_definitions():
    assert [t.en for t in glossary.search("베어")] == ["bare metal"]
    assert "hypervisor" in [t.en for t in glossary.search("HYPERVISOR")]
    assert all(t.chapter == "03" for t in glossary.search("", chapter="03"))
    with pytest.raises(ValueError, match="chapter must be one of"):
        glossary.search("x", chapter="9")


def test_seed_terms_present_with_source_korean():
    for en, ko in [
        ("bare metal", "베어 메탈"),
        ("hypervisor", "하이퍼바이저"),
        ("portability", "이식성"),
        ("self-healing", "셀프 치유"),
        ("Pod", "파드"),
        ("flexibility", "유연성"),
    ]:
        assert glossary.korean(en) == ko


def test_issue_13_seed_terms_are_spelled_as_the_seed_spells_them():
    """The source's own wording (seed text), character for character, spaces included."""
    for en, ko in [
        ("operating system", "운영체제"),
        ("overhead", "오버헤드"),
        ("failure recovery", "장애 복구"),
        ("automatic placement and replication", "자동 배치 및 복제"),
        ("communication between containers", "컨테이너 간 통신"),
        ("load balancing", "로드 밸런싱"),
        (
            "development, test, staging and production environments",
            "개발, 테스트, 스테이징, 프로덕트 환경",
        ),
        ("health check", "점검"),
    ]:
        assert glossary.korean(en) == ko, en
    assert not glossary.search("헬스"), "the source says 점검(health check), not 헬스 체크"


def test_search_widget_filters():
    ui = glossary.glossary_search()
    ui.controls["search"].value = "파드"
    assert "Pod" in ui.table.value and "bare metal" not in ui.table.value
    ui.controls["search"].value = "zzz-no-such-term"
    assert "No term matches" in ui.table.value


@pytest.mark.parametrize("path", notebooks(COURSE), ids=lambda p: p.name)
def test_korean_terms_in_chapters_are_in_the_glossary(path):
    """Every 'term (한국어)' pair a chapter introduces is collected in the glossary."""
    known = {t.ko.replace(" ", "") for t in glossary.terms()}
    text = "\n".join(c["text"] for c in cells(path) if c["cell_type"] == "markdown")
    pairs = re.findall(r"\(([\uac00-\ud7a3][\uac00-\ud7a3 ]*)\)", text)
    missing = sorted({p for p in pairs if p.replace(" ", "") not in known})
    assert not missing, f"add these to msa_course/glossary_terms.yaml: {missing}"


def test_search_widget_static_fallback_is_the_whole_table():
    data = glossary.glossary_search()._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "베어 메탈" in data["text/html"] and "<table" in data["text/html"]


def test_chapter_03_defines_the_kubernetes_words_it_uses():
    """kubelet, allocatable, taint, toleration and NotReady: defined in bold in the chapter at
    first use, and in the glossary (issue 13 item 4); health check as the source says it."""
    text = "\n".join(
        c["text"] for c in cells(COURSE / "03_container_orchestration.ipynb")
        if c["cell_type"] == "markdown"
    )  # fmt: skip
    for en in ("kubelet", "allocatable", "taint", "toleration", "NotReady"):
        (term,) = [t for t in glossary.terms() if t.en == en]
        assert term.chapter == "03"
        assert f"**{en}**" in text, f"chapter 03 never defines {en} in bold"
    assert glossary.korean("health check") == "점검"
