"""The Korean edition keeps up with the English one: every prose cell and every string a learner
is shown has its Korean, no translation is stale, the generated notebooks are in sync and share
the English code, cell ids and grade ids, and the Korean uses the glossary's terms.

Chapters still being translated are listed in UNTRANSLATED; the list only shrinks. A notebook
not in it (any chapter added later, too) must come in both languages.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import COURSE, ROOT, SOLUTIONS, cells, notebooks

from msa_course import glossary, i18n
from msa_course.grading import source
from msa_course.i18n import extract, terms
from msa_course.i18n import notebooks as nbs

LANG = "ko"
# Notebooks (folder/stem) whose Korean is not written yet. Remove a line when its translation
# lands (docs/translating.md); never add one.
UNTRANSLATED = {
    "course/01_infrastructure",
    "course/02_vms_and_containers",
    "course/03_container_orchestration",
    "course/04_cloud_service_models",
    "solutions/01_infrastructure",
    "solutions/02_vms_and_containers",
    "solutions/03_container_orchestration",
    "solutions/04_cloud_service_models",
}
ENGLISH = notebooks(COURSE) + notebooks(SOLUTIONS)
TRANSLATED = [p for p in ENGLISH if f"{p.parent.name}/{p.stem}" not in UNTRANSLATED]
CHAPTERS_DONE = {p.stem[:2] for p in TRANSLATED if p.parent == COURSE}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


def ids(paths):
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def test_untranslated_lists_only_notebooks_that_exist():
    existing = {f"{p.parent.name}/{p.stem}" for p in ENGLISH}
    gone = sorted(UNTRANSLATED - existing)
    assert not gone, f"remove from UNTRANSLATED (no such notebook): {gone}"


def test_a_chapter_and_its_exercise_are_translated_together():
    for path in TRANSLATED:
        other = (SOLUTIONS if path.parent == COURSE else COURSE) / path.name
        if other.exists():
            assert other in TRANSLATED, f"{path.stem}: translate the chapter and its exercise"


@pytest.mark.parametrize("path", TRANSLATED, ids=ids(TRANSLATED))
def test_every_prose_cell_is_translated_and_fresh(path):
    prose = nbs.prose_path(ROOT, LANG, path)
    assert prose.is_file(), f"no {prose.relative_to(ROOT)}: msa-course translate --update {path}"
    status = nbs.status(source.read_notebook(path), nbs.read_prose(prose))
    assert status.complete, (
        f"{prose.relative_to(ROOT)}: " + "; ".join(status.problems()) + " (msa-course translate)"
    )


@pytest.mark.parametrize("path", TRANSLATED, ids=ids(TRANSLATED))
def test_korean_prose_uses_the_glossary_terms(path):
    prose = nbs.prose_path(ROOT, LANG, path)
    found = terms.problems(source.read_notebook(path), nbs.read_prose(prose), LANG)
    assert not found, f"{prose.relative_to(ROOT)}: " + "; ".join(found)


@pytest.mark.parametrize("path", TRANSLATED, ids=ids(TRANSLATED))
def test_korean_prose_is_mostly_hangul(path):
    """At least half of the letters of the prose (code and URLs aside) are Hangul."""
    text = " ".join(e.text for e in nbs.read_prose(nbs.prose_path(ROOT, LANG, path)).values())
    text = re.sub(r"\([^)]*\.(ipynb|md)[^)]*\)|https?://\S+", " ", terms.prose(text))
    hangul, latin = len(HANGUL.findall(text)), len(LATIN.findall(text))
    assert hangul >= latin, f"{path.name}: {hangul} Hangul and {latin} Latin letters"


def test_editions_in_sync_with_their_sources():
    stale = nbs.generate(ROOT, check=True)
    assert not stale, "run `msa-course release`: out of date: " + ", ".join(
        str(p.relative_to(ROOT)) for p in stale
    )


EDITIONS = [
    (english, nbs.edition_path(english, LANG))
    for english in [*TRANSLATED, *(ROOT / "exercises" / p.name for p in TRANSLATED)]
    if english.parent.name != "exercises" or (SOLUTIONS / english.name) in TRANSLATED
]


@pytest.mark.parametrize(
    "english,edition", EDITIONS, ids=[str(e[1].relative_to(ROOT)) for e in EDITIONS]
)
def test_an_edition_shares_the_english_code_ids_and_grades(english, edition):
    assert edition.is_file(), f"no {edition.relative_to(ROOT)}: run `msa-course release`"
    theirs, ours = cells(english), cells(edition)
    assert [c["id"] for c in ours] == [c["id"] for c in theirs]
    assert [c["cell_type"] for c in ours] == [c["cell_type"] for c in theirs]
    for a, b in zip(theirs, ours):
        assert a["metadata"] == b["metadata"], f"cell {a['id']}: metadata differs"
        if a["cell_type"] == "code":
            assert b["text"] == nbs.with_language(a["text"], LANG, a["id"]), a["id"]
    meta = json.loads(edition.read_text(encoding="utf-8"))["metadata"]
    assert i18n.notebook_language({"metadata": meta}) == LANG


@pytest.mark.parametrize(
    "path", [p for p in TRANSLATED if p.parent == COURSE], ids=lambda p: p.stem
)
def test_korean_chapter_skeleton(path):
    edition = nbs.edition_path(path, LANG)
    nb = cells(edition)
    md = [c["text"] for c in nb if c["cell_type"] == "markdown"]
    assert md[0].startswith(f"# {path.stem[:2]} ")
    headings = [line for text in md for line in text.splitlines() if line.startswith("## ")]
    for heading in nbs.SKELETON_HEADINGS:
        assert f"## {i18n.tr(heading, lang=LANG)}" in headings, f"missing '## {heading}'"
    first_code = next(c["text"] for c in nb if c["cell_type"] == "code")
    assert f'setup_notebook(lang="{LANG}")' in first_code
    try_this, notice = (f"**{i18n.tr(p, lang=LANG)}**" for p in nbs.SKELETON_PROMPTS)
    for i, cell in enumerate(nb):
        if cell["cell_type"] == "code" and re.search(r"\b\w+_(?:explorer|chooser)\(", cell["text"]):
            before = next(c["text"] for c in reversed(nb[:i]) if c["cell_type"] == "markdown")
            after = next(c["text"] for c in nb[i + 1 :] if c["cell_type"] == "markdown")
            assert try_this in before and after.lstrip().startswith(notice), f"cell {i}"
    if (SOLUTIONS / path.name) in TRANSLATED:
        assert f"../../exercises/{LANG}/{path.name}" in md[-1], "link to the Korean exercise"


# --- strings the package and the notebooks' code show ----------------------------------------


def shown_strings() -> list[extract.Found]:
    found = extract.package_strings(ROOT / "msa_course") + extract.glossary_strings()
    for path in ENGLISH:
        nb = source.read_notebook(path)
        found += extract.notebook_strings(nb, f"{path.parent.name}/{path.name}", path.stem[:2])
    return found


SHOWN = shown_strings()


def test_every_string_shown_in_a_translated_chapter_has_its_korean():
    korean = i18n.strings(LANG)
    missing = sorted(
        {
            f"{f.where}: {f.text!r}"
            for f in SHOWN
            if not f.optional
            and (f.chapter is None or f.chapter in CHAPTERS_DONE)
            and extract.needs_translation(f.text)
            and f.text not in korean
        }
    )
    assert not missing, f"{len(missing)} strings lack Korean (msa_course/i18n/ko/):\n" + "\n".join(
        missing
    )


def test_every_korean_string_translates_something_shown():
    """An entry nothing shows any more is a stale translation: the English changed or went."""
    shown = {f.text for f in SHOWN}
    unused = sorted(set(i18n.strings(LANG)) - shown)
    assert not unused, "entries in msa_course/i18n/ko/ that no code shows: " + "; ".join(
        repr(u) for u in unused
    )


def _holes(template: str) -> list[str]:
    return sorted(name or "{}" for name in (i18n.placeholders(template) or []))


def test_korean_strings_keep_the_placeholders():
    for english, korean in i18n.strings(LANG).items():
        named = {n for n in i18n.placeholders(english) if n}
        assert {n for n in i18n.placeholders(korean) if n and not n.isdigit()} == named, english
        holes = english.count("{}")
        if holes:
            assert korean.count("{}") == holes or set(re.findall(r"\{(\d)\}", korean)) == {
                str(i) for i in range(holes)
            }, english


def test_korean_strings_use_the_glossary_terms():
    found = [
        f"{english!r}: {p}"
        for english, korean in i18n.strings(LANG).items()
        for p in terms.string_problems(english, korean)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("domain", i18n.KEYED)
def test_the_grader_and_workshop_sentences_are_all_in_korean(domain):
    import importlib

    messages = importlib.import_module(f"msa_course.{domain}.messages")
    korean = messages.CATALOGUES[LANG]
    assert set(korean) == set(messages.EN), f"ko/{domain}.yaml: {set(korean) ^ set(messages.EN)}"
    for key, template in korean.items():
        assert messages.placeholders(template) == messages.placeholders(messages.EN[key]), key


def test_glossary_terms_load_with_their_lint_fields():
    assert all(isinstance(t.avoid, tuple) for t in glossary.terms())
