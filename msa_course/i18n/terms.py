"""The terms lint: a translation says each concept with the glossary's term.

The glossary (msa_course/glossary_terms.yaml) is the single list of terms. For every markdown
cell of a translated notebook:

- where the English cell names a glossary concept (its English term, or its Korean term in the
  English's parentheses), the translation uses the glossary's Korean term (or mentions the
  English term as a word, in *emphasis* or quotes);
- no translation uses a variant the glossary says to avoid, except inside parentheses (where
  the seed's term gives the Kubernetes documentation's once: 셀프 치유(자가 치유));
- the first time a notebook uses a term outside headings, the English follows in parentheses
  (파드(Pod), 디플로이먼트(Deployment)), or stands on the same table row.

Code (fenced blocks and `inline code`) and HTML comments are not prose and are left out.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

HANGUL = re.compile(r"[\uac00-\ud7a3]")
CODE = re.compile(r"```.*?```|`[^`\n]*`|<!--.*?-->", re.DOTALL)  # code, and comments
PARENS = re.compile(r"\([^()]*\)")
# Code in a catalogue string: a {placeholder}, and a Python call such as
# "define feasible_nodes(nodes, pod_cpu)" (a snake_case name, so "pod(s)" stays prose).
CALL = re.compile(r"\{[^{}]*\}|\b[A-Za-z]\w*_\w*\([^()]*\)")


@dataclass(frozen=True)
class Concept:
    en: str
    korean: tuple[str, ...]  # the glossary's Korean term, split at "/"
    english: re.Pattern  # where the English text names the concept
    abbreviations: tuple[str, ...]  # (MSA), (VM): also fine inside a translation
    avoid: tuple[str, ...]


@functools.cache
def concepts() -> tuple[Concept, ...]:
    from msa_course import glossary

    found = []
    for term in glossary.terms():
        main = PARENS.sub("", term.en).strip()
        abbreviations = tuple(a.strip() for a in re.findall(r"\(([^()]*)\)", term.en))
        names = [n.strip() for n in main.split(" / ")] + list(abbreviations)
        if term.match:
            english = re.compile(term.match)
        else:
            english = re.compile(
                "|".join(_word(n) for n in sorted(names, key=len, reverse=True) if n)
            )
        korean = tuple(k.strip() for k in term.ko.split("/") if k.strip())
        found.append(Concept(term.en, korean, english, abbreviations, term.avoid))
    return tuple(found)


def _word(name: str, korean: bool = False) -> str:
    """A term as a whole word, plural allowed; case-insensitive unless it has capitals. In
    Korean text a particle may follow it directly (VM과)."""
    body = re.escape(name) + r"(?:s|es)?"
    body = body if any(ch.isupper() for ch in name) else f"(?i:{body})"
    edge = "[A-Za-z0-9_-]" if korean else r"[\w-]"
    return rf"(?<!{edge}){body}(?!{edge})"


def prose(text: str) -> str:
    """Text without code, and with every run of white space as one space (a term may be
    broken across lines)."""
    return re.sub(r"\s+", " ", CODE.sub(" ", text))


def problems(nb: dict, entries: dict, lang: str) -> list[str]:
    """Every place a translation of `nb` departs from the glossary (see the module's doc)."""
    from msa_course.i18n import notebooks

    if lang != "ko":
        return []
    found: list[str] = []
    seen: set[str] = set()
    for cell_id, english in notebooks.markdown_cells(nb):
        entry = entries.get(cell_id)
        if entry is None:
            continue
        named = named_in(prose(english))
        found += [f"{cell_id}: {p}" for p in cell_problems(named, prose(entry.text))]
        found += [f"{cell_id}: {p}" for p in first_use_problems(named, _body(entry.text), seen)]
    return found


def _body(text: str) -> str:
    """A cell's prose without headings and code: paragraphs on one line each (a term may be
    broken across lines), table rows on lines of their own."""
    lines, paragraph = [], []
    for line in CODE.sub(" ", text).splitlines():
        stripped = line.strip()
        if stripped.startswith("|") or not stripped or stripped.startswith("#"):
            if paragraph:
                lines.append(" ".join(paragraph))
                paragraph = []
            if stripped.startswith("|"):
                lines.append(stripped)
        else:
            paragraph.append(stripped)
    if paragraph:
        lines.append(" ".join(paragraph))
    return "\n".join(lines)


def named_in(english: str) -> list[Concept]:
    """The concepts an English text names, by their English or by the Korean it gives in
    parentheses; a longer term wins over one it contains ("infrastructure components" is
    not also "infrastructure")."""
    named = []
    for concept in _longest_first():
        hits = [concept.english] + [re.compile(re.escape(k)) for k in _hangul(concept)]
        if any(h.search(english) for h in hits):
            named.append(concept)
            for h in hits:
                english = h.sub(" ", english)
    return named


def cell_problems(named: list[Concept], translation: str) -> list[str]:
    out = []
    bare = PARENS.sub(" ", translation)
    for concept in named:
        if not _says(translation, concept):
            said = "/".join(concept.korean)
            out.append(f"says {concept.en!r} in English; use the glossary's term {said!r}")
    for concept in concepts():
        for variant in concept.avoid:
            if variant in bare:
                out.append(
                    f"uses {variant!r}; the glossary's term is {'/'.join(concept.korean)!r} "
                    f"({variant!r} only in parentheses)"
                )
    return out


def string_problems(english: str, translation: str) -> list[str]:
    """The same checks for one catalogue string (no first-use rule: a string stands alone).
    Its placeholders and Python calls are code, like `inline code` in a cell."""
    return cell_problems(named_in(prose(CALL.sub(" ", english))), prose(translation))


def _says(translation: str, concept: Concept) -> bool:
    """The translation uses the Korean term, an abbreviation the English also uses (VM), or
    mentions the English term as a word, in *emphasis* or quotes (a question about the term)."""
    if any(k in translation for k in concept.korean):
        return True
    if any(re.search(_word(a, korean=True), translation) for a in concept.abbreviations):
        return True
    mentioned = re.findall(r"[*\"'“‘]([^*\"'”’]+)[*\"'”’]", translation)
    return any(concept.english.fullmatch(m.strip()) for m in mentioned)


def _hangul(concept: Concept) -> list[str]:
    return [k for k in concept.korean if HANGUL.search(k)]


def _longest_first() -> list[Concept]:
    def size(c: Concept) -> int:
        return max(len(n) for n in [c.en, *c.korean])

    return sorted(concepts(), key=size, reverse=True)


def first_use_problems(named: list[Concept], translation: str, seen: set[str]) -> list[str]:
    """The concepts the English cell names that the notebook uses here for the first time
    without their English beside them; adds them to `seen`."""
    out = []
    taken = [False] * len(translation)
    uses = []
    for concept in _longest_first():  # 인프라 구성요소 before 인프라
        for korean in _hangul(concept):
            for match in re.finditer(re.escape(korean), translation):
                start, end = match.span()
                if not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    uses.append((start, end, korean, concept))
    wanted = {c.en for c in named}
    for start, end, korean, concept in sorted(uses, key=lambda u: u[0]):
        if concept.en not in wanted or concept.en in seen:
            continue
        seen.add(concept.en)
        if not _english_beside(translation, start, end, concept):
            out.append(f"first use of {korean!r}: give the English in parentheses, {korean}(...)")
    return out


def _english_beside(text: str, start: int, end: int, concept: Concept) -> bool:
    after = re.match(r"[*_]*\s?\(([^()]*)\)", text[end:])
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : None if line_end < 0 else line_end]
    main = PARENS.sub("", concept.en).strip()
    english = [concept.en, main, *concept.abbreviations, *main.split(" / ")]
    if after and _mentions(after[1], english):
        return True
    return line.lstrip().startswith("|") and _mentions(line, english)


def _mentions(text: str, names: list[str]) -> bool:
    lowered = text.lower()
    return any(n and n.lower() in lowered for n in names)
