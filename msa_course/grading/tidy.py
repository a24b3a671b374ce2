"""Notebooks are code: stored without outputs, execution counts or widget state, with one
canonical metadata dict and stable cell ids, so diffs show only what an author changed.

Self-check cells are stored with their code collapsed (`jupyter.source_hidden`): the code
holds the answer, and a learner should meet the question first. A click expands it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

CANONICAL_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
_KEEP_CELL_METADATA = ("nbgrader", "editable", "deletable", "tags")
_SELFCHECK = re.compile(r"\bselfcheck\.(choice|numeric|short)\(")


def tidy(nb: dict) -> dict:
    """A canonical copy of `nb`: outputs and counts cleared, metadata and ids normalised."""
    seen: set[str] = set()
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        new = {"cell_type": cell["cell_type"], "id": _cell_id(cell.get("id"), index, seen)}
        meta = {
            k: cell.get("metadata", {})[k]
            for k in _KEEP_CELL_METADATA
            if k in cell.get("metadata", {})
        }
        if cell["cell_type"] == "code" and _SELFCHECK.search(source):
            meta["jupyter"] = {"source_hidden": True}
        new["metadata"] = meta
        new["source"] = source
        if cell["cell_type"] == "code":
            new["execution_count"] = None
            new["outputs"] = []
        elif "attachments" in cell:
            new["attachments"] = cell["attachments"]
        cells.append(new)
    return {
        "cells": cells,
        "metadata": dict(CANONICAL_METADATA),
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _cell_id(current, index: int, seen: set[str]) -> str:
    cid = (
        current
        if isinstance(current, str) and _ID.match(current) and current not in seen
        else f"cell-{index:03d}"
    )
    while cid in seen:
        cid = f"{cid}-x"
    seen.add(cid)
    return cid


def dumps(nb: dict) -> str:
    """Serialise as nbformat does (indent 1, sorted keys, UTF-8 kept), with a final newline."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def add_arguments(parser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="notebooks or folders (default: course/ solutions/ exercises/)",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a notebook is not tidy"
    )


def run(args) -> int:
    from msa_course.cli import CommandError
    from msa_course.grading.source import SourceError, read_notebook

    paths = args.paths or [Path(p) for p in ("course", "solutions", "exercises")]
    notebooks: list[Path] = []
    for path in paths:
        if path.is_dir():
            notebooks += sorted(path.glob("*.ipynb"))
        elif path.is_file():
            notebooks.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder")
    untidy = []
    for path in notebooks:
        try:
            text = dumps(tidy(read_notebook(path)))
        except SourceError as err:
            raise CommandError(str(err)) from None
        if path.read_text(encoding="utf-8") != text:
            untidy.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    verb = "not tidy" if args.check else "tidied"
    for path in untidy:
        print(f"{verb}: {path}")
    return 1 if (args.check and untidy) else 0
