"""Hand-graded questions: the scores file an instructor fills in, and its merge into results.

`msa-course grade` writes OUT/manual.csv with one row per learner and hand-graded question
that has an answer (columns learner, question, points, comment; question is the grade_id) and
keeps whatever the instructor typed; the next run merges the points and comments into the
results, the gradebook and the feedback pages. A malformed file is refused in one line that
names the file, the line and the fix, before anything else is written.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

COLUMNS = ["learner", "question", "points", "comment"]
FILE = "manual.csv"


class ManualError(ValueError):
    """A manual-scores file that cannot be used; the message says where and why."""


def read(path: Path, assignment, learners: set[str]) -> dict[tuple[str, str], tuple]:
    """(learner, question) -> (points or None, comment) from a filled-in file; {} if none."""
    if not path.exists():
        return {}
    try:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise ManualError(f"{path}: cannot read it ({err})") from None
    if not rows or [c.strip() for c in rows[0]] != COLUMNS:
        raise ManualError(f"{path}: the first line must be {','.join(COLUMNS)}")
    manual = {c.grade_id: c for c in assignment.graded if c.is_manual}
    scores = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}, line {number}"
        if len(row) != len(COLUMNS):
            raise ManualError(f"{where}: needs {len(COLUMNS)} columns ({','.join(COLUMNS)})")
        learner, question, points, comment = (cell.strip() for cell in row)
        if learner not in learners:
            raise ManualError(f"{where}: no learner {learner!r} was graded in this folder")
        if question not in manual:
            names = ", ".join(manual) or "none"
            raise ManualError(
                f"{where}: {question!r} is not a hand-graded question (those are: {names})"
            )
        top = manual[question].points
        value = None
        if points:
            try:
                value = float(points)
            except ValueError:
                value = math.nan
            if not (math.isfinite(value) and 0 <= value <= top):
                raise ManualError(
                    f"{where}: points {points!r} for {question} must be a number from 0 to {top:g}"
                )
        if (learner, question) in scores:
            raise ManualError(f"{where}: {learner} / {question} is already scored above")
        scores[(learner, question)] = (value, comment)
    return scores


def apply(result: dict, scores: dict[tuple[str, str], tuple]) -> None:
    """Give a result's hand-graded answers the instructor's points and comments (or put them
    back to waiting when the instructor cleared a score)."""
    for q in result["questions"]:
        if q.get("kind") != "manual" or q.get("status") not in (
            "pending-manual",
            "graded-manually",
        ):
            continue
        points, comment = scores.get((result["learner"], q["grade_id"]), (None, ""))
        q["comment"] = comment
        if points is None:
            q["points"], q["status"] = None, "pending-manual"
        else:
            q["points"], q["status"] = points, "graded-manually"


def scores_csv(results: list[dict], scores: dict[tuple[str, str], tuple]) -> str:
    """The file to fill in: every answered hand-graded question, with what is filled in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for result in sorted(results, key=lambda r: r["learner"]):
        for q in result["questions"]:
            if q.get("kind") == "manual" and q.get("status") in (
                "pending-manual",
                "graded-manually",
            ):
                points, comment = scores.get((result["learner"], q["grade_id"]), (None, ""))
                shown = "" if points is None else f"{points:g}"
                writer.writerow([result["learner"], q["grade_id"], shown, comment])
    return buffer.getvalue()
