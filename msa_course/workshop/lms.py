"""Gradebook CSVs that learning management systems import.

Canvas (Grades > Import): the columns of Canvas's own gradebook export (Course#gradebook_to_csv
in instructure/canvas-lms: Student, ID, SIS User ID, SIS Login ID, Section, then one column per
assignment) and its "Points Possible" row; a column whose name is no existing assignment
becomes a new assignment with those points. Canvas finds each student by ID, SIS User ID or
SIS Login ID.

Moodle (Grades > Import > CSV file): any header row; the teacher maps one column to the user
(Username or Email address here) and the grade column to a grade item
(grade/import/csv/classes/load_data.php: an empty cell or "-" sets no grade).

Learners are known by their hub names; a roster CSV (--lms-roster) maps them to the LMS's
identifiers. Without it the hub name is the SIS Login ID and the Moodle username.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from msa_course.workshop.messages import text

ROSTER_COLUMNS = ("learner", "name", "login", "email", "canvas_id", "sis_user_id", "section")


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """learner -> {column: value} from a CSV with a header naming ROSTER_COLUMNS (learner
    required); raises ValueError naming the line and what is wrong."""
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(text("cli-bad-lms-roster", path=path, detail=err)) from None
    if not rows or "learner" not in [h.strip() for h in rows[0]]:
        detail = f"the first line must name the columns, learner among them ({', '.join(ROSTER_COLUMNS)})"
        raise ValueError(text("cli-bad-lms-roster", path=path, detail=detail))
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h not in ROSTER_COLUMNS]
    if unknown:
        detail = f"unknown column(s) {', '.join(unknown)}; use {', '.join(ROSTER_COLUMNS)}"
        raise ValueError(text("cli-bad-lms-roster", path=path, detail=detail))
    roster = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        entry = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        learner = entry.pop("learner")
        if not learner or learner in roster:
            detail = f"line {number}: {'a second row for ' + learner if learner else 'no learner'}"
            raise ValueError(text("cli-bad-lms-roster", path=path, detail=detail))
        roster[learner] = entry
    return roster


def canvas_csv(
    assignment: str, max_score: float, scores: dict[str, float | None], roster: dict
) -> str:
    """Canvas's gradebook import: one row per learner; a score of None is left blank."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    writer.writerow(["Points Possible", "", "", "", "", _number(max_score)])
    for learner in sorted(scores):
        who = roster.get(learner, {})
        writer.writerow(
            [
                who.get("name") or learner,
                who.get("canvas_id", ""),
                who.get("sis_user_id", ""),
                who.get("login") or learner,
                who.get("section", ""),
                _number(scores[learner]),
            ]
        )
    return out.getvalue()


def moodle_csv(assignment: str, scores: dict[str, float | None], roster: dict) -> str:
    """Moodle's CSV grade import: Username, Email address, the grade (blank: no grade)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Username", "Email address", assignment])
    for learner in sorted(scores):
        who = roster.get(learner, {})
        writer.writerow(
            [who.get("login") or learner, who.get("email", ""), _number(scores[learner])]
        )
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
