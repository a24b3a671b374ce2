"""Late work: when a submission was last changed, and what handing it in late costs.

`msa-course collect` records each notebook's last change (its status-change time, which a
learner cannot set back the way `touch` sets back the modification time) in COLLECTED beside
the copies; `grade` reads it there, or takes the file's modification time when there is none.
"""

from __future__ import annotations

import csv
import math
import re
from datetime import datetime, timezone
from pathlib import Path

COLLECTED = "collected.csv"  # learner,file,changed (ISO 8601, UTC)


def parse_due(value: str) -> datetime:
    """An ISO 8601 time (2026-05-01T23:59, or with +09:00); without a zone, local time."""
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"--due {value!r}: give a time such as 2026-05-01T23:59 or 2026-05-01T23:59+09:00"
        ) from None
    return due if due.tzinfo else due.astimezone()


def parse_penalty(value: str) -> tuple[float, bool]:
    """ "10" (10% off when late) or "10/day" (10% off per started day late) -> (0.1, per_day)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%?\s*(/\s*day)?\s*", value)
    if not match or not 0 <= float(match.group(1)) <= 100:
        raise ValueError(
            f"--late-penalty {value!r}: give a percentage from 0 to 100, e.g. 10 or 10/day"
        )
    return float(match.group(1)) / 100, bool(match.group(2))


def submitted_at(path: Path) -> datetime | None:
    """When the learner last changed the submission (see the module's docstring)."""
    manifest = path.parent / COLLECTED
    if manifest.is_file():
        try:
            with open(manifest, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    if row.get("file") == path.name and row.get("changed"):
                        return datetime.fromisoformat(row["changed"])
        except (OSError, ValueError, csv.Error):
            pass
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError:
        return None


def lateness(submitted: datetime | None, due: datetime, penalty: tuple[float, bool]) -> dict | None:
    """{"seconds": how late, "penalty": fraction off} or None when on time (or unknown)."""
    if submitted is None or submitted <= due:
        return None
    seconds = (submitted - due).total_seconds()
    rate, per_day = penalty
    fraction = rate * math.ceil(seconds / 86400) if per_day else rate
    return {"seconds": round(seconds), "penalty": min(1.0, round(fraction, 6))}


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
