"""Every English string a learner can be shown, found in the code, so a test can ask each
language's catalogue for all of them (as xgettext does for gettext).

Four places hold them:
- the package: a literal passed to `tr("...")`, or marked `N_("...")` where it is data
  (a model's labels, shown through `tr(variable)` by a view);
- notebooks' code cells: the text of self-checks (`selfcheck.choice/numeric/short`), the
  feedback of visible checks (`expect_*` in solutions' test cells) and their names where a
  name is words, not code (msa_course.grading.checks.descriptive);
- the glossary: definitions and chapter titles;
- chapter 04's service catalogue (msa_course/cloud/catalogue.yaml): the providers, each
  service's note and what you still operate (service names stay as the providers write them).

A visible check's f-string is kept as its template with `{}` holes, the form its catalogue
entry takes (msa_course.i18n.tr matches formatted messages against such templates).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from msa_course.grading.checks import descriptive

SELFCHECKS = {"choice", "numeric", "short"}
CHECKS = {"expect_equal", "expect_close", "expect_not", "expect_true", "expect_type"}
MARKERS = {"tr", "N_"}
# Which chapter a package module's strings belong to; the rest are common to all.
CHAPTER_OF_FOLDER = {
    "welcome": "00",
    "infra": "01",
    "virtualization": "02",
    "images": "02",
    "orchestration": "03",
    "cloud": "04",
}
WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class Found:
    text: str  # English, the catalogue key
    where: str  # file (and cell) it comes from
    chapter: str | None  # "00".."04", or None for strings every chapter shows
    optional: bool = False  # a short answer's pattern: translated only where Korean differs


def needs_translation(text: str) -> bool:
    """Whether a string has words to translate: "ms" does, "⎯", "42" and "인프라" do not."""
    return bool(WORD.search(text))


def notebook_strings(nb: dict, where: str, chapter: str | None) -> list[Found]:
    found: list[Found] = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                place = f"{where}, cell {cell.get('id', index)}"
                found += [Found(t, place, chapter, opt) for t, opt in _call_strings(node)]
    return found


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _call_strings(node: ast.Call) -> list[tuple[str, bool]]:
    """(text, optional) of what a self-check, check or tr() call shows."""
    name = _callee(node)
    args, kw = node.args, {k.arg: k.value for k in node.keywords if k.arg}

    def arg(i: int, key: str):
        return args[i] if len(args) > i else kw.get(key)

    shown: list[ast.expr | None] = []
    optional: list[ast.expr | None] = []
    if name in MARKERS:
        shown = [arg(0, "text")]
    elif name in SELFCHECKS:
        shown = [arg(0, "question"), kw.get("explanation"), kw.get("answer"), kw.get("unit")]
        if name == "choice":
            shown += [arg(1, "options"), arg(3, "why"), arg(4, "explanation"), arg(2, "answer")]
        hints = kw.get("hints")
        shown += [*_values(hints)]
        if name == "short":
            optional += [arg(1, "accept"), *_keys(hints)]
    elif name in CHECKS:
        if name == "expect_true":
            shown = [arg(1, "message")]
        elif name == "expect_not":
            shown = [*_values(arg(1, "mistakes"))]
        else:
            shown = [*_values(kw.get("hints")), kw.get("unit")]
    out = [(t, False) for node in shown for t in _texts(node)]
    if name in CHECKS:
        out += [(t, False) for t in _texts(kw.get("name")) if descriptive(t)]
    return out + [(t, True) for node in optional for t in _texts(node)]


def _values(node) -> list[ast.expr]:
    """A dict's values; for `{...} if condition else None` (hints given only when they can
    tell two answers apart), the values of either branch."""
    if isinstance(node, ast.IfExp):
        return _values(node.body) + _values(node.orelse)
    return list(node.values) if isinstance(node, ast.Dict) else []


def _keys(node) -> list[ast.expr]:
    if isinstance(node, ast.IfExp):
        return _keys(node.body) + _keys(node.orelse)
    return [k for k in node.keys if k is not None] if isinstance(node, ast.Dict) else []


def _texts(node) -> list[str]:
    """The strings a node stands for: a literal, an f-string's template, a list's or a
    dict's values, an implicit concatenation."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) and node.value else []
    if isinstance(node, ast.JoinedStr):
        return ["".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [t for item in node.elts for t in _texts(item)]
    if isinstance(node, ast.Dict):
        return [t for item in node.values for t in _texts(item)]
    return []


def package_strings(package: Path) -> list[Found]:
    """Every `tr("...")` and `N_("...")` literal in the package's modules."""
    found: list[Found] = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).as_posix()
        folder = path.relative_to(package).parts[0]
        chapter = CHAPTER_OF_FOLDER.get(folder)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in MARKERS and node.args:
                for text in _texts(node.args[0]):
                    found.append(Found(text, f"{rel}:{node.lineno}", chapter))
    return found


def glossary_strings() -> list[Found]:
    from msa_course import glossary

    found = [Found(t.definition, f"glossary: {t.en}", t.chapter) for t in glossary.terms()]
    found += [Found(v, "glossary: chapter titles", None) for v in glossary.CHAPTER_TITLES.values()]
    return found


def catalogue_strings() -> list[Found]:
    from msa_course.cloud.catalogue import DEFAULT_PATH, load

    where = f"msa_course/cloud/{DEFAULT_PATH.name}"
    catalogue = load()
    found = [Found(name, f"{where}: providers", "04") for name in catalogue.providers.values()]
    for s in catalogue.services:
        texts = [s.note] if s.note else []
        found += [Found(t, f"{where}: {s.id}", "04") for t in [*texts, *s.you_operate]]
    return found
