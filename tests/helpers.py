"""Shared test helpers (tests/ is on pytest's path, hub tests included): the repository's
paths, a notebook's cells, the tables of an HTML page, a scheduler Filter's status code."""

from __future__ import annotations

import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE, SOLUTIONS, EXERCISES = ROOT / "course", ROOT / "solutions", ROOT / "exercises"
STEM = re.compile(r"^\d\d_[a-z0-9_]+$")
PYTHON = sys.executable
# The learner's environment as `make lab` builds it (.ci/run sets this after `make learner`):
# the start command and the package checks then run there as well as here.
LEARNER_ENV = (
    Path(os.environ["MSA_LEARNER_ENV"]).resolve() if os.environ.get("MSA_LEARNER_ENV") else None
)
LEARNER_PYTHON = str(LEARNER_ENV / "bin" / "python") if LEARNER_ENV else PYTHON


def notebooks(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        src = cell["source"]
        cell["text"] = "".join(src) if isinstance(src, list) else src
    return nb["cells"]


class Tables(HTMLParser):
    """The rows of every <table> on a page, as text cells."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._id, self._row, self._cell = None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._id = dict(attrs).get("id") or f"table{len(self.tables)}"
            self.tables[self._id] = []
        elif tag == "tr" and self._id:
            self._row = []
            self.tables[self._id].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "table":
            self._id = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def html_tables(html: str) -> dict[str, list[list[str]]]:
    """Every <table> of a page (by id, else table0, table1...) as rows of cell texts, the
    header row included."""
    page = Tables()
    page.feed(html)
    return page.tables


def filter_code(plugin: str, reason: str | None) -> str:
    """A placement Filter plugin's result as upstream's tests name its status: Success,
    Unschedulable, or UnschedulableAndUnresolvable (the scheduler's own rule)."""
    from msa_course.orchestration.scheduler.cycle import unresolvable

    if reason is None:
        return "Success"
    return "UnschedulableAndUnresolvable" if unresolvable(plugin, reason) else "Unschedulable"
