"""The notebooks of another language, generated from the English ones and one prose file each.

The English notebooks in course/ and solutions/ are the source. A translated notebook has a
prose file, translations/<lang>/<folder>/<stem>.md, holding the text of each of its markdown
cells in that language, keyed by the cell's id (nbformat's, kept by `msa-course tidy`) with a
hash of the English text it translates:

    <!-- cell-003 en:1f0c2d9a7e -->
    ## 1. 세 가지 패턴 그룹
    ...

`generate` writes course/<lang>/ and solutions/<lang>/ (and exercises/<lang>/ through
`release`): the English notebook with each markdown cell's text replaced, its setup call given
`lang=`, its relative links pointed from the new folder (at the translated notebook where
there is one), and the language in its metadata. Code cells, cell ids and grade ids stay the
English ones, so every check, test and grade is shared. When an English cell changes, its hash
no longer matches: the translation is stale until a translator updates it (`msa-course
translate`), and a test says so. The whole is a pure function of the files, so generating
twice gives the same bytes and a test holds the committed notebooks in sync.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from msa_course.i18n import LANGUAGES, N_, TranslationError, check_language

# The fixed words of a chapter's skeleton (CONTRIBUTING.md), which every edition has in its
# own language (tests/test_translation.py): "## " + heading, "**" + prompt + "**".
SKELETON_HEADINGS = (N_("Learning objectives"), N_("Check your understanding"), N_("Summary"))
SKELETON_PROMPTS = (N_("Try this:"), N_("Notice:"))
SOURCES = ("course", "solutions")  # English notebooks with prose files; exercises/ follows
TRANSLATIONS = "translations"
HEADER = re.compile(
    r"^<!-- (?P<id>[A-Za-z0-9_-]{1,64}) en:(?P<hash>[0-9a-f]{10})(?P<todo> todo)? -->$"
)
SETUP_CALL = "setup_notebook"
NBGRADER_MARKER = re.compile(r"^\s*(###|===) (BEGIN|END) [A-Z ]+(###|===)?\s*$")
# Relative link targets in markdown, ](target) and (href|src)="target".
MD_LINK = re.compile(r"(\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")
DIFF_NOTE = "<!-- The English changed"  # msa-course translate --update's note on a stale cell
HTML_LINK = re.compile(r"""(\b(?:href|src)=)(["'])([^"']+)\2""")


@dataclass
class Entry:
    """One markdown cell's translation."""

    cell_id: str
    english_hash: str
    text: str
    todo: bool = False
    line: int = 0  # of its header in the prose file


@dataclass
class Status:
    """How a notebook's translation stands against its English cells."""

    missing: list[str] = field(default_factory=list)  # markdown cells with no entry
    stale: list[str] = field(default_factory=list)  # the English changed since
    todo: list[str] = field(default_factory=list)  # marked unfinished
    orphans: list[str] = field(default_factory=list)  # entries for no markdown cell
    markers: list[str] = field(default_factory=list)  # nbgrader markers differ from English

    @property
    def complete(self) -> bool:
        return not (self.missing or self.stale or self.todo or self.orphans or self.markers)

    def problems(self) -> list[str]:
        names = {
            "missing": "no translation",
            "stale": "the English changed since it was translated",
            "todo": "marked todo",
            "orphans": "translates no markdown cell of the English notebook",
            "markers": "its nbgrader markers differ from the English cell's",
        }
        return [f"{cell}: {why}" for kind, why in names.items() for cell in getattr(self, kind)]


def english_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def prose_path(root: Path, lang: str, english: Path) -> Path:
    """translations/<lang>/<folder>/<stem>.md for an English notebook <folder>/<stem>.ipynb."""
    return root / TRANSLATIONS / lang / english.parent.name / f"{english.stem}.md"


def edition_path(english: Path, lang: str) -> Path:
    """Where the `lang` edition of an English notebook goes: <folder>/<lang>/<name>."""
    return english.parent / lang / english.name


def read_prose(path: Path) -> dict[str, Entry]:
    """A prose file's entries by cell id (TranslationError naming the line when malformed)."""
    entries: dict[str, Entry] = {}
    current: Entry | None = None
    lines: list[str] = []

    def close():
        if current is not None:
            current.text = "\n".join(lines).strip("\n")
            entries[current.cell_id] = current

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found = HEADER.match(line)
        if found:
            close()
            if found["id"] in entries:
                raise TranslationError(
                    f"{path}, line {number}: cell {found['id']} is translated twice (first "
                    f"on line {entries[found['id']].line}); keep one"
                )
            current = Entry(found["id"], found["hash"], "", bool(found["todo"]), number)
            lines = []
        elif line.startswith("<!-- cell") or (line.startswith("<!-- ") and " en:" in line):
            raise TranslationError(
                f"{path}, line {number}: {line!r} is not a cell header; write "
                "'<!-- CELL-ID en:HASH -->' (msa-course translate --update writes them)"
            )
        elif current is not None:
            lines.append(line)
    close()
    return entries


def render_prose(english_rel: str, lang: str, entries: list[Entry]) -> str:
    """A prose file's text, entries in the order given (the notebook's)."""
    head = (
        f"<!-- {english_rel} in {lang}: one section per markdown cell, headed by the cell's id "
        "and the hash of the English it translates. How to edit: docs/translating.md -->\n"
    )
    parts = [head]
    for entry in entries:
        flag = " todo" if entry.todo else ""
        parts.append(f"\n<!-- {entry.cell_id} en:{entry.english_hash}{flag} -->\n{entry.text}\n")
    return "".join(parts)


def markdown_cells(nb: dict) -> list[tuple[str, str]]:
    """(cell id, text) of every markdown cell, in order."""
    return [
        (cell.get("id", ""), _text(cell)) for cell in nb["cells"] if cell["cell_type"] == "markdown"
    ]


def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def status(nb: dict, entries: dict[str, Entry]) -> Status:
    result = Status()
    cells = markdown_cells(nb)
    for cell_id, text in cells:
        entry = entries.get(cell_id)
        if entry is None:
            result.missing.append(cell_id)
            continue
        if entry.english_hash != english_hash(text):
            result.stale.append(cell_id)
        if entry.todo or DIFF_NOTE in entry.text:
            result.todo.append(cell_id)
        if _markers(text) != _markers(entry.text):
            result.markers.append(cell_id)
    ids = {cell_id for cell_id, _ in cells}
    result.orphans = [cell_id for cell_id in entries if cell_id not in ids]
    return result


def _markers(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if NBGRADER_MARKER.match(line)]


def updated_entries(nb: dict, entries: dict[str, Entry]) -> tuple[list[Entry], list[Entry]]:
    """(entries in the notebook's order, entries dropped). An untranslated cell gets a new
    `todo` entry holding its English, or the translation of a cell that is gone whose English
    was the same (a cell pasted back gets a new id); a stale entry gets the English's new hash
    and `todo`. Entries for cells that are gone are dropped."""
    cells = markdown_cells(nb)
    ids = {cell_id for cell_id, _ in cells}
    gone = {e.english_hash: e for e in entries.values() if e.cell_id not in ids}
    out = []
    for cell_id, text in cells:
        entry, digest = entries.get(cell_id), english_hash(text)
        if entry is None and digest in gone:
            moved = gone.pop(digest)
            out.append(Entry(cell_id, digest, moved.text, moved.todo))
        elif entry is None:
            out.append(Entry(cell_id, digest, text, todo=True))
        elif entry.english_hash != digest:
            out.append(Entry(cell_id, digest, entry.text, todo=True))
        else:
            out.append(entry)
    return out, list(gone.values())


# --- generating an edition -------------------------------------------------------------------


def translated(root: Path, lang: str, folder: str) -> list[Path]:
    """The English notebooks of `folder` that have a `lang` prose file."""
    base = root / TRANSLATIONS / lang / folder
    return sorted(
        root / folder / f"{p.stem}.ipynb"
        for p in base.glob("*.md")
        if (root / folder / f"{p.stem}.ipynb").is_file()
    )


def edition(nb: dict, entries: dict[str, Entry], lang: str, english_rel: str, editions: set[str]):
    """The `lang` notebook for the English `nb` (repo path `english_rel`); `editions` are the
    repo paths of English notebooks that have a `lang` edition (links go to those)."""
    from msa_course.grading.tidy import tidy

    check_language(lang)
    out = copy.deepcopy(nb)
    target_rel = str(edition_path(Path(english_rel), lang).as_posix())
    for index, cell in enumerate(out["cells"]):
        if cell["cell_type"] == "markdown":
            entry = entries.get(cell.get("id", ""))
            text = entry.text if entry else _text(cell)
            cell["source"] = relink(text, english_rel, target_rel, lang, editions)
        elif cell["cell_type"] == "code":
            cell["source"] = with_language(_text(cell), lang, f"{english_rel}, cell {index}")
    out.setdefault("metadata", {})["msa_course"] = {"lang": lang}
    return tidy(out)


def with_language(code: str, lang: str, where: str) -> str:
    """`code` with `lang=` added to its `setup_notebook(...)` call, if it has one."""
    if SETUP_CALL not in code:
        return code
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == SETUP_CALL
    ]
    if not calls:
        return code
    if len(calls) > 1 or any(k.arg == "lang" for k in calls[0].keywords):
        raise TranslationError(
            f"{where}: call {SETUP_CALL}() once, without lang=; each edition sets its own"
        )
    call = calls[0]
    lines = code.split("\n")
    line = lines[call.end_lineno - 1].encode("utf-8")
    close = call.end_col_offset - 1  # the call's ")" (offsets count UTF-8 bytes)
    sep = ", " if call.args or call.keywords else ""
    lines[call.end_lineno - 1] = (
        line[:close] + f'{sep}lang="{lang}"'.encode() + line[close:]
    ).decode("utf-8")
    return "\n".join(lines)


def relink(text: str, english_rel: str, target_rel: str, lang: str, editions: set[str]) -> str:
    """Relative links written from the English notebook, rewritten for the edition's folder;
    a link to a notebook that has a `lang` edition goes to that edition."""

    def target(link: str) -> str:
        if re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", link, re.IGNORECASE):
            return link  # a URL, an absolute path, an anchor
        path, hash_, anchor = link.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(english_rel), path))
        if resolved.startswith(".."):
            return link
        if _edition_of(resolved, editions):
            resolved = str(edition_path(Path(resolved), lang).as_posix())
        new = posixpath.relpath(resolved, posixpath.dirname(target_rel))
        return new + hash_ + anchor

    text = MD_LINK.sub(lambda m: m[1] + target(m[2]) + m[3], text)
    return HTML_LINK.sub(lambda m: f"{m[1]}{m[2]}{target(m[3])}{m[2]}", text)


def _edition_of(resolved: str, editions: set[str]) -> bool:
    if resolved.startswith("exercises/"):  # released from solutions/
        resolved = "solutions/" + resolved[len("exercises/") :]
    return resolved in editions


def generate(root: Path, check: bool = False) -> list[Path]:
    """Write (or, with check, only compare) every edition under `root`: course/<lang>/,
    solutions/<lang>/ and exercises/<lang>/ for each prose file; returns the paths that
    changed (or would). Editions without a prose file any more are removed."""
    from msa_course.grading import release, source
    from msa_course.grading.tidy import dumps

    changed: list[Path] = []

    def put(path: Path, text: str) -> None:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")

    for lang in LANGUAGES[1:]:
        english = {folder: translated(root, lang, folder) for folder in SOURCES}
        editions = {p.relative_to(root).as_posix() for paths in english.values() for p in paths}
        wanted: set[Path] = set()
        for folder, paths in english.items():
            for path in paths:
                rel = path.relative_to(root).as_posix()
                nb = source.read_notebook(path)
                entries = read_prose(prose_path(root, lang, path))
                nb = edition(nb, entries, lang, rel, editions)
                target = edition_path(path, lang)
                put(target, dumps(nb))
                wanted.add(target)
                if folder == "solutions":
                    released = release.release_notebook(source.parse(target, nb))
                    exercise = edition_path(root / "exercises" / path.name, lang)
                    put(exercise, dumps(released))
                    wanted.add(exercise)
        for folder in (*SOURCES, "exercises"):
            for old in sorted((root / folder / lang).glob("*.ipynb")):
                if old not in wanted:
                    changed.append(old)
                    if not check:
                        old.unlink()
    return changed
