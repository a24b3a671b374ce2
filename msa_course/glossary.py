"""The bilingual glossary: every key term with the Korean term the source text uses.

The terms live in glossary_terms.yaml, one section per chapter, so each chapter's author adds
its terms in one place; this module loads, checks and searches them. The glossary is also the
single list of terms the Korean edition must use (msa_course.i18n.terms checks it): an entry
may add `avoid`, Korean variants not to use (but to mention in parentheses, such as the
Kubernetes documentation's term where the source has its own), and `match`, a regular
expression for the English occurrences that mean this concept where the plain term is also an
everyday word (`speed`). Definitions are shown in the reader's language (msa_course.i18n).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

CHAPTER_TITLES = {
    "00": "Welcome",
    "01": "Infrastructure",
    "02": "VMs and containers",
    "03": "Container orchestration",
    "04": "Cloud service models",
}


@dataclass(frozen=True)
class Term:
    en: str
    ko: str
    definition: str
    chapter: str
    avoid: tuple[str, ...] = ()
    match: str | None = None


@functools.cache
def terms() -> tuple[Term, ...]:
    """Every term, in chapter order; malformed entries raise ValueError naming the entry."""
    import yaml

    text = resources.files("msa_course").joinpath("glossary_terms.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    found: list[Term] = []
    seen: set[str] = set()
    for chapter, entries in data.items():
        chapter = str(chapter)
        if chapter not in CHAPTER_TITLES:
            raise ValueError(
                f"glossary section {chapter!r} is not a chapter ({', '.join(CHAPTER_TITLES)})"
            )
        for i, entry in enumerate(entries or []):
            where = f"glossary section {chapter}, entry {i}"
            if not isinstance(entry, dict):
                raise ValueError(f"{where}: expected a mapping with en, ko, definition")
            missing = [k for k in ("en", "ko", "definition") if not str(entry.get(k, "")).strip()]
            if missing:
                raise ValueError(f"{where} ({entry.get('en')!r}): missing {', '.join(missing)}")
            if entry["en"].lower() in seen:
                raise ValueError(f"{where}: {entry['en']!r} is already in the glossary")
            seen.add(entry["en"].lower())
            avoid = entry.get("avoid", [])
            if not isinstance(avoid, list) or not all(isinstance(a, str) and a for a in avoid):
                raise ValueError(f"{where} ({entry['en']!r}): avoid must be a list of terms")
            match = entry.get("match")
            if match is not None:
                try:
                    re.compile(match)
                except (re.error, TypeError) as err:
                    raise ValueError(f"{where} ({entry['en']!r}): match: {err}") from None
            found.append(
                Term(
                    entry["en"],
                    str(entry["ko"]),
                    entry["definition"],
                    chapter,
                    tuple(avoid),
                    match,
                )
            )
    return tuple(found)


def search(query: str = "", chapter: str | None = None) -> list[Term]:
    """Terms whose English, Korean or definition (in English or in the active language)
    contains `query` (case-insensitive)."""
    if chapter is not None and chapter not in CHAPTER_TITLES:
        raise ValueError(f"chapter must be one of {', '.join(CHAPTER_TITLES)}, not {chapter!r}")
    from msa_course.i18n import tr

    q = query.strip().lower()
    return [
        t
        for t in terms()
        if (chapter is None or t.chapter == chapter)
        and (
            not q
            or q in t.en.lower()
            or q in t.ko.lower()
            or q in t.definition.lower()
            or q in tr(t.definition).lower()
        )
    ]


def korean(english: str) -> str:
    """The source's Korean term for an English term (exact, case-insensitive)."""
    for t in terms():
        if t.en.lower() == english.lower():
            return t.ko
    raise KeyError(f"{english!r} is not in the glossary")


def table_html(found: list[Term]) -> str:
    """The terms as a table; definitions and headings in the active language."""
    import html

    from msa_course.i18n import tr

    if not found:
        return f"<p><i>{tr('No term matches.')}</i></p>"

    def meaning(t: Term) -> str:  # a definition not translated yet says it is English
        said = tr(t.definition)
        lang = " lang='en'" if said == t.definition else ""
        return f"<td{lang}>{html.escape(said)}</td>"

    rows = "".join(
        f"<tr><td lang='en'><b>{html.escape(t.en)}</b></td><td lang='ko'>{html.escape(t.ko)}</td>"
        f"{meaning(t)}<td>{t.chapter}</td></tr>"
        for t in found
    )
    return (
        f"<table class='msa-glossary'><thead><tr><th>{tr('English')}</th><th>한국어</th>"
        f"<th>{tr('Meaning')}</th><th>{tr('Ch.')}</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def glossary_search():
    """A search box over the glossary (English, Korean or definition), filtered by chapter.

    Without a widget front-end it shows the whole glossary as a table.
    """
    import ipywidgets as widgets

    from msa_course.ui.fallback import StaticFallback

    class GlossarySearch(StaticFallback, widgets.VBox):
        def static_html(self) -> str:
            return table_html(search())

    from msa_course.i18n import tr

    box = widgets.Text(placeholder=tr("search in English or 한국어"), description=tr("Search"))
    chapter = widgets.Dropdown(
        options=[(tr("all chapters"), None)]
        + [(f"{k} {tr(v)}", k) for k, v in CHAPTER_TITLES.items()],
        description=tr("Chapter"),
    )
    out = widgets.HTML(table_html(search()))

    def refresh(_change=None):
        out.value = table_html(search(box.value, chapter.value))

    box.observe(refresh, names="value")
    chapter.observe(refresh, names="value")
    ui = GlossarySearch([widgets.HBox([box, chapter]), out])
    ui.controls = {"search": box, "chapter": chapter}
    ui.table = out
    return ui
