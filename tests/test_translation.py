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
# Chapters (with their exercises) whose Korean is not written yet, one per line. Remove a
# chapter's line when its translation lands (docs/translating.md); never add one. (Blank lines
# between, so translators removing different lines never conflict.)
UNTRANSLATED = set(
    """
""".split()
)
ENGLISH = notebooks(COURSE) + notebooks(SOLUTIONS)
TRANSLATED = [p for p in ENGLISH if p.stem not in UNTRANSLATED]
CHAPTERS_DONE = {p.stem[:2] for p in TRANSLATED if p.parent == COURSE}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


def ids(paths):
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def test_untranslated_lists_only_chapters_that_exist():
    gone = sorted(UNTRANSLATED - {p.stem for p in ENGLISH})
    assert not gone, f"remove from UNTRANSLATED (no such chapter): {gone}"


@pytest.mark.parametrize("path", TRANSLATED, ids=ids(TRANSLATED))
def test_every_prose_cell_is_translated_and_fresh(path):
    prose = nbs.prose_path(ROOT, LANG, path)
    assert prose.is_file(), f"no {prose.relative_to(ROOT)}: msa-course translate --update {path}"
    status = nbs.status(source.read_notebook(path), nbs.read_prose(prose))
    assert status.complete, (
        f"{prose.relative_to(ROOT)}: " + "; ".join(status.problems()) + " (msa-course translate)"
    )


@pytest.mark.parametrize(
    "path", [p for p in TRANSLATED if p.parent == SOLUTIONS], ids=lambda p: p.stem
)
def test_a_translated_exercise_can_speak_korean(path):
    """Its checks answer in the notebook's language: a setup cell sets it before the first
    test, and no test cell raises an AssertionError of its own (its text would stay English;
    a check from msa_course.grading.checks translates)."""
    import ast

    code = [c for c in source.parse(path).cells if c.cell_type == "code"]
    first_test = next(i for i, c in enumerate(code) if c.is_test)
    assert any(nbs.SETUP_CALL in c.source for c in code[:first_test]), (
        f"{path.name}: add a setup cell (import msa_course; msa_course.setup_notebook()) "
        "before the first question"
    )
    for cell in code:
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Raise) and "AssertionError" in ast.unparse(node.exc or node):
                pytest.fail(
                    f"{path.name}, {cell.grade_id}: use a check (expect_true, ...) "
                    "instead of raise AssertionError"
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
    found += extract.catalogue_strings()
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


# --- what the Korean chapters' code shows ------------------------------------------------------

# Names that stay in English in Korean text (products, formats, units, abbreviations); a
# translator adds here what a Korean engineer would also write in Latin letters.
KEPT_IN_ENGLISH = {
    *(t.ko for t in glossary.terms() if not HANGUL.search(t.ko)),  # IaaS, kubelet, ...
    *"AWS EC2 GCP Azure VM VMs OS CPU vCPU GiB MiB GB MB KB ms min YAML API ECS EKS AKS GKE".split(),
    *"BuildKit buildah podman Dockerfile kubectl iptables HPA SLO JVM Python Heroku".split(),
    # Kubernetes' own names: scheduler plugins and strategies, API fields
    *"NodeResourcesFit BalancedAllocation RequestedToCapacityRatio maxSurge maxUnavailable".split(),
    # virtualisation products (chapter 02)
    *"ESXi Hyper-V Xen KVM QEMU VirtualBox VMware Workstation Parallels containerd".split(),
    "Fargate",
    # package names in the parity chart (chapter 02)
    *"openssl python".split(),
}
# node-1, web-7d9f, 10.0.0.1, memory.max, --cpus
NAME = re.compile(r"[\w.:/-]*\d[\w.:/-]*|[a-z]+(?:[.-][a-z0-9]+)+|--[a-z][\w-]*")


# A Dockerfile line, as a chart's category (numbered) or a self-check's option: code.
DOCKERFILE_LINE = re.compile(
    r"(\d+\s+)?(FROM|RUN|COPY|ADD|WORKDIR|ENV|ARG|LABEL|EXPOSE|USER|CMD|ENTRYPOINT|VOLUME)\s"
)


def untranslated(text: str) -> bool:
    """A text a Korean learner would read as English: no Hangul, and Latin words left once
    names, units and identifiers are taken out. A text the catalogue translates to itself is
    kept on purpose (code, such as a Dockerfile line offered as an answer)."""
    if HANGUL.search(text) or i18n.strings(LANG).get(text) == text:
        return False
    if DOCKERFILE_LINE.match(text):
        return False
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", NAME.sub(" ", text))
    return any(w not in KEPT_IN_ENGLISH for w in words)


class _Texts(__import__("html.parser").parser.HTMLParser):
    """The text nodes of HTML a reader sees, without code and without what says lang='en'."""

    def __init__(self):
        super().__init__()
        self.skip, self.found = [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "input", "hr"):
            return
        self.skip.append(
            tag in ("pre", "code", "script", "style") or dict(attrs).get("lang") == "en"
        )

    def handle_endtag(self, tag):
        if self.skip and tag not in ("br", "img", "input", "hr"):
            self.skip.pop()

    def handle_data(self, data):
        if data.strip() and not any(self.skip):
            self.found.append(data.strip())


def html_texts(markup: str) -> list[str]:
    parser = _Texts()
    parser.feed(markup)
    return parser.found


def figure_texts(fig) -> list[str]:
    """Titles, labels, legend names, hover text, and the categories of a categorical axis (a
    trace's x or y given as strings)."""
    out = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("customdata", "meta", "ids", "uid", "template"):
                    walk(v, k)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key in ("text", "name", "hovertext", "ticktext", "x", "y"):
            out.extend(html_texts(node.replace("<br>", " ")))

    walk(fig.to_plotly_json())
    return out


def widget_texts(widget) -> list[str]:
    import ipywidgets as widgets

    out = []
    if hasattr(widget, "figure") and not isinstance(widget, widgets.Widget):
        return figure_texts(widget.figure)
    for attr in ("description", "placeholder", "tooltip"):
        value = getattr(widget, attr, None)
        if isinstance(value, str) and value:
            out.append(value)
    if isinstance(widget, (widgets.HTML, widgets.HTMLMath, widgets.Label)):
        out += html_texts(widget.value)
    labels = getattr(widget, "_options_labels", None)
    if labels:
        out += list(labels)
    for child in getattr(widget, "children", ()):
        out += widget_texts(child)
    if hasattr(widget, "figure"):
        out += figure_texts(widget.figure)
    return out


def _printed_literals(node) -> list[str]:
    """The text a print() argument writes itself: a string literal, an f-string's literal
    parts, either side of a `+` or an `if`; not what a call returns (tr(), or data)."""
    import ast

    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.JoinedStr):
        return [t for part in node.values for t in _printed_literals(part)]
    if isinstance(node, ast.FormattedValue):
        return _printed_literals(node.value)
    if isinstance(node, ast.BinOp):
        return _printed_literals(node.left) + _printed_literals(node.right)
    if isinstance(node, ast.IfExp):
        return _printed_literals(node.body) + _printed_literals(node.orelse)
    return []


@pytest.mark.parametrize("path", TRANSLATED, ids=ids(TRANSLATED))
def test_what_a_translated_notebook_prints_goes_through_tr(path):
    """A label a code cell prints ("restart times (s):") is English in the shared code, so it
    must go through tr() to be Korean in the Korean edition; kubectl's tables and Dockerfiles
    are data the cell prints, not literals."""
    import ast

    found = []
    for cell in cells(path):
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse(cell["text"])):
            if isinstance(node, ast.Call) and extract._callee(node) == "print":
                for arg in node.args:
                    found += [
                        f"cell {cell['id']}: {t!r}"
                        for t in _printed_literals(arg)
                        if untranslated(t)
                    ]
    assert not found, f"{path.name} prints English outside tr(): " + "; ".join(found)


@pytest.mark.parametrize(
    "path", [p for p in TRANSLATED if p.parent == COURSE], ids=lambda p: p.stem
)
def test_what_a_korean_chapter_shows_is_korean(path, monkeypatch):
    """Run the Korean chapter's code here and read every widget and figure it shows: each
    text has Hangul, or is only names kept in English (KEPT_IN_ENGLISH) and identifiers."""
    import ast

    import ipywidgets as widgets

    edition = nbs.edition_path(path, LANG)
    monkeypatch.chdir(edition.parent)
    namespace: dict = {}
    shown: list[str] = []
    try:
        for cell in cells(edition):
            if cell["cell_type"] != "code":
                continue
            tree = ast.parse(cell["text"])
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, str(edition), "exec"), namespace)
            value = (
                eval(compile(ast.Expression(last.value), str(edition), "eval"), namespace)
                if last
                else None
            )
            if isinstance(value, widgets.Widget):
                shown += widget_texts(value)
            elif hasattr(value, "to_plotly_json"):  # a chart shown as it is
                shown += figure_texts(value)
    finally:
        i18n.set_language("en")
    assert shown, "the chapter showed no widget"
    english = sorted({t for t in shown if untranslated(t)})
    assert not english, f"{edition.name} shows English: {english[:20]}"
