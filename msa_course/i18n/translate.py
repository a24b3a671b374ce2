"""`msa-course translate`: where a notebook's translation stands, and its prose file brought up
to date for the translator (docs/translating.md).

Without --update it only reports: per notebook, the markdown cells without a translation, the
stale ones (the English changed), those marked todo, and the Korean terms the glossary wants
(msa_course.i18n.terms). With --update it writes the prose file in the notebook's cell order:
a new cell gets a `todo` section holding its English; a stale one keeps its translation, is
marked `todo` and gets a comment showing how the English changed (from git history).
"""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

from msa_course.i18n import LANGUAGES, TranslationError
from msa_course.i18n import notebooks as nbs

DIFF_NOTE = nbs.DIFF_NOTE


def add_arguments(parser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="English notebooks (course/NN_x.ipynb, solutions/NN_x.ipynb); default: every "
        "notebook that has a prose file",
    )
    parser.add_argument("--lang", default="ko", choices=LANGUAGES[1:], help="default: ko")
    parser.add_argument(
        "--update",
        action="store_true",
        help="write the prose files: todo sections for new and changed cells (creates the "
        "file for a notebook not translated yet)",
    )
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the course checkout (default: here)"
    )


def run(args) -> int:
    from msa_course.cli import CommandError
    from msa_course.grading.source import SourceError, read_notebook
    from msa_course.i18n import terms

    root = args.root.resolve()
    paths = [p.resolve() for p in args.paths] or [
        p for folder in nbs.SOURCES for p in nbs.translated(root, args.lang, folder)
    ]
    if not paths:
        raise CommandError(
            f"no notebook has a {args.lang} prose file yet; name one to start it: "
            f"msa-course translate --update course/00_welcome.ipynb"
        )
    unfinished = 0
    for path in paths:
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            raise CommandError(f"{path}: not in the course checkout {root}") from None
        if path.parent.name not in nbs.SOURCES or path.parent.parent != root:
            raise CommandError(f"{rel}: translate the English notebooks in course/ or solutions/")
        try:
            nb = read_notebook(path)
            prose = nbs.prose_path(root, args.lang, path)
            entries = nbs.read_prose(prose) if prose.exists() else {}
            if args.update:
                _update(root, rel, nb, entries, prose, args.lang)
                entries = nbs.read_prose(prose)
        except (SourceError, TranslationError) as err:
            raise CommandError(str(err)) from None
        if not prose.exists():
            print(f"{rel}: not translated (start with --update)")
            unfinished += 1
            continue
        problems = nbs.status(nb, entries).problems()
        problems += terms.problems(nb, entries, args.lang)
        cells = len(nbs.markdown_cells(nb))
        if problems:
            unfinished += 1
            print(f"{rel}: {len(problems)} to do ({prose.relative_to(root)})")
            print("".join(f"  {p}\n" for p in problems), end="")
        else:
            print(f"{rel}: {args.lang} complete ({cells} markdown cells)")
    if unfinished:
        print(
            "then: msa-course release (writes the notebooks), and the tests in docs/translating.md"
        )
    return 1 if unfinished else 0


def _update(root: Path, rel: str, nb: dict, entries: dict, prose: Path, lang: str) -> None:
    updated, dropped = nbs.updated_entries(nb, entries)
    english = dict(nbs.markdown_cells(nb))
    for entry in updated:
        old = entries.get(entry.cell_id)
        if entry.todo and old is not None and old.english_hash != entry.english_hash:
            note = _diff_note(root, rel, entry.cell_id, old.english_hash, english)
            entry.text = note + _without_note(entry.text)
    prose.parent.mkdir(parents=True, exist_ok=True)
    prose.write_text(nbs.render_prose(rel, lang, updated), encoding="utf-8")
    for entry in dropped:
        print(f"{rel}: dropped the translation of {entry.cell_id}, a cell that is gone")


def _without_note(text: str) -> str:
    """A translation without the note an earlier --update put at its top."""
    if not text.startswith(DIFF_NOTE):
        return text
    lines = text.split("\n")
    end = lines.index("-->") if "-->" in lines else 0
    return "\n".join(lines[end + 1 :])


def _diff_note(root: Path, rel: str, cell_id: str, digest: str, english: dict) -> str:
    """A comment showing how the English of a cell changed since the translated version
    (found in git history by its hash), else the English as it is now."""
    new = english[cell_id]
    old = _english_in_history(root, rel, cell_id, digest)
    if old is None:
        body = new
        head = f"{DIFF_NOTE} (its old text is not in git history); it now reads:"
    else:
        body = "\n".join(
            line
            for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=99)
            if not line.startswith(("---", "+++", "@@"))
        )
        head = f"{DIFF_NOTE}; update the translation, then delete this note and 'todo':"
    return f"{head}\n{body.replace('-->', '-- >')}\n-->\n"


def _english_in_history(root: Path, rel: str, cell_id: str, digest: str) -> str | None:
    import json

    try:
        log = subprocess.run(
            ["git", "log", "--format=%H", "-n", "200", "--", rel],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for commit in log:
            shown = subprocess.run(
                ["git", "show", f"{commit}:{rel}"], cwd=root, capture_output=True, text=True
            )
            if shown.returncode:
                continue
            for cell_id_then, text in nbs.markdown_cells(json.loads(shown.stdout)):
                if cell_id_then == cell_id and nbs.english_hash(text) == digest:
                    return text
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return None
