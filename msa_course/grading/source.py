"""The exercise source format: nbgrader's cell metadata and markers, parsed and checked.

A source notebook (solutions/NN_slug.ipynb) marks answer cells `solution`, test cells `grade`
(with `points`) and instructions `locked`, each with a unique `grade_id`; answers sit between
`### BEGIN SOLUTION`/`### END SOLUTION`, hidden tests between `### BEGIN HIDDEN TESTS`/
`### END HIDDEN TESTS`. Answers graded by hand are nbgrader's manual cells: `solution` and
`grade` together (an answer with points and no test), or a `task` (points for work spread
over the notebook; its `=== BEGIN MARK SCHEME ===` part is the instructor's only). Release and the grader both read notebooks through this module, so a
malformed source is refused in one place with the notebook, cell and line named.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
BEGIN_SCHEME, END_SCHEME = "=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ==="
SCHEMA_VERSION = 3


class SourceError(ValueError):
    """A notebook that is not a valid exercise source; the message says where and why."""


@dataclass(frozen=True)
class SourceCell:
    index: int
    cell_type: str
    source: str
    grade_id: str | None = None
    solution: bool = False
    grade: bool = False
    locked: bool = False
    points: float = 0.0
    task: bool = False

    @property
    def is_test(self) -> bool:
        """A graded code cell that is not an answer: autograded tests."""
        return self.grade and not self.solution and self.cell_type == "code"

    @property
    def is_manual(self) -> bool:
        """Points an instructor gives by hand: a graded answer without tests, or a task."""
        return (self.grade and self.solution) or self.task

    @property
    def heading(self) -> str | None:
        """The cell's first Markdown heading, without a trailing "(N points)" or "(N점)"."""
        if self.cell_type != "markdown":
            return None
        for line in self.source.splitlines():
            if line.startswith("#"):
                title = line.lstrip("#").strip()
                points = r"\s*\(\s*[\d.]+(?:\s+points?|\s*점)\s*\)"  # "(2 points)", "(2점)"
                return re.sub(points, "", title).strip() or None
        return None


@dataclass
class Assignment:
    path: Path
    notebook: dict
    cells: list[SourceCell] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def tests(self) -> list[SourceCell]:
        return [c for c in self.cells if c.is_test]

    @property
    def graded(self) -> list[SourceCell]:
        """Every cell that carries points, autograded or by hand, in the source's order."""
        return [c for c in self.cells if c.is_test or c.is_manual]

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.graded)

    @property
    def title(self) -> str:
        """The notebook's first heading ("01 Infrastructure: exercise"), else its file name."""
        return next((c.heading for c in self.cells if c.heading), self.name)

    def question_title(self, cell: SourceCell) -> str:
        """The heading nearest above a graded cell ("Question 2: utilisation"), else its id."""
        first = next((c.index for c in self.cells if c.heading), None)
        for earlier in reversed(self.cells[: cell.index + 1]):
            if earlier.heading and earlier.index != first:
                return earlier.heading
        return cell.grade_id or f"cell {cell.index}"

    def cell(self, grade_id: str) -> SourceCell:
        for c in self.cells:
            if c.grade_id == grade_id:
                return c
        raise KeyError(grade_id)


def read_notebook(path: str | Path) -> dict:
    """A notebook's JSON as a dict; missing files and malformed JSON are SourceErrors."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such notebook")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SourceError(f"{path}: not a notebook (invalid JSON: {err})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SourceError(f"{path}: not a notebook (no list of cells)")
    if nb.get("nbformat") != 4:
        raise SourceError(f"{path}: nbformat {nb.get('nbformat')!r} is not supported (need 4)")
    return nb


def cell_text(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def parse(path: str | Path, notebook: dict | None = None) -> Assignment:
    """Parse and check a source notebook; raises SourceError naming notebook, cell and line."""
    path = Path(path)
    nb = read_notebook(path) if notebook is None else notebook
    assignment = Assignment(path=path, notebook=nb)
    seen: dict[str, int] = {}
    for index, cell in enumerate(nb["cells"]):
        parsed = _parse_cell(path, index, cell)
        if parsed.grade_id is not None:
            if parsed.grade_id in seen:
                raise SourceError(
                    f"{path}: cell {index}: grade_id {parsed.grade_id!r} is already used by "
                    f"cell {seen[parsed.grade_id]}; every grade_id must be unique"
                )
            seen[parsed.grade_id] = index
        assignment.cells.append(parsed)
    return assignment


def _parse_cell(path: Path, index: int, cell: dict) -> SourceCell:
    where = f"{path}: cell {index}"
    cell_type = cell.get("cell_type", "")
    text = cell_text(cell)
    meta = cell.get("metadata", {}).get("nbgrader")
    if meta is None:
        _check_markers(where, text, allowed=())
        return SourceCell(index, cell_type, text)
    if not isinstance(meta, dict):
        raise SourceError(f"{where}: metadata.nbgrader must be an object")
    grade_id = meta.get("grade_id")
    solution, grade, locked, task = (
        bool(meta.get(k, False)) for k in ("solution", "grade", "locked", "task")
    )
    where = f"{where} (grade_id {grade_id!r})"
    if (solution or grade or locked or task) and (
        not isinstance(grade_id, str) or not grade_id.strip()
    ):
        raise SourceError(f"{where}: a solution, graded, task or locked cell needs a grade_id")
    if task and (grade or solution):
        raise SourceError(f"{where}: a task cell cannot also be a solution or graded cell")
    points = 0.0
    if grade or task:
        if "points" not in meta:
            kind = "task" if task else "graded"
            raise SourceError(f"{where}: a {kind} cell needs 'points' (a number >= 0)")
        points = meta["points"]
        if (
            isinstance(points, bool)
            or not isinstance(points, (int, float))
            or not (math.isfinite(points) and points >= 0)
        ):
            raise SourceError(f"{where}: points must be a number >= 0, not {points!r}")
    allowed = []
    if solution:
        allowed.append((BEGIN_SOLUTION, END_SOLUTION))
    if grade and not solution and cell_type == "code":
        allowed.append((BEGIN_HIDDEN, END_HIDDEN))
    if task:
        allowed.append((BEGIN_SCHEME, END_SCHEME))
    _check_markers(where, text, allowed=tuple(allowed))
    return SourceCell(
        index, cell_type, text, grade_id, solution, grade, locked, float(points), task
    )


def _check_markers(where: str, text: str, allowed: tuple[tuple[str, str], ...]) -> None:
    """Markers must pair up, must not nest, and may only stand in cells marked for them."""
    open_marker: tuple[str, int] | None = None
    pairs = {BEGIN_SOLUTION: END_SOLUTION, BEGIN_HIDDEN: END_HIDDEN, BEGIN_SCHEME: END_SCHEME}
    for lineno, line in enumerate(text.splitlines(), start=1):
        marker = line.strip()
        if marker in pairs or marker in pairs.values():
            if not any(marker in pair for pair in allowed):
                kind = {"SOLUTION": "solution", "HIDDEN": "graded test", "SCHEME": "task"}
                kind = next(v for k, v in kind.items() if k in marker)
                raise SourceError(
                    f"{where}, line {lineno}: {marker!r} outside a {kind} cell; mark the cell "
                    f"in its nbgrader metadata or remove the marker"
                )
            if marker in pairs:
                if open_marker:
                    raise SourceError(
                        f"{where}, line {lineno}: {marker!r} inside the {open_marker[0]!r} "
                        f"opened on line {open_marker[1]}; close that one first"
                    )
                open_marker = (marker, lineno)
            else:
                if not open_marker or pairs[open_marker[0]] != marker:
                    raise SourceError(f"{where}, line {lineno}: {marker!r} without its BEGIN")
                open_marker = None
    if open_marker:
        raise SourceError(
            f"{where}, line {open_marker[1]}: {open_marker[0]!r} is never closed; add "
            f"{pairs[open_marker[0]]!r}"
        )


def strip_region(text: str, begin: str, end: str, replacement: list[str] | None) -> str:
    """Remove every begin..end region (markers included), putting `replacement` lines in its
    place at the indentation of the begin marker."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        marker = line.strip()
        if marker == begin:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + r for r in replacement or [])
        elif marker == end and inside:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)
