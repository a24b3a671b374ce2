"""Where grading results live: one JSON per submission, written atomically as each finishes,
and the class's gradebook CSV rebuilt from them, so a killed run resumes where it stopped and
ends with the same gradebook as a run that never stopped."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def result_path(out: Path, learner: str) -> Path:
    return out / "results" / f"{learner}.json"


def save_result(out: Path, result: dict) -> None:
    atomic_write(result_path(out, result["learner"]), json.dumps(result, indent=1) + "\n")


def load_result(out: Path, learner: str) -> dict | None:
    """A stored result, or None when there is none or it cannot be read (then regrade)."""
    try:
        result = json.loads(result_path(out, learner).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return result if isinstance(result, dict) else None


def gradebook_csv(question_ids: list[str], results: list[dict]) -> str:
    """One row per learner (sorted), one column per graded question, then total, max, flags."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", *question_ids, "total", "max", "flags"])
    for result in sorted(results, key=lambda r: r["learner"]):
        points = {q["grade_id"]: q["points"] for q in result["questions"]}
        codes = sorted({f["code"] for f in result["flags"]})
        writer.writerow(
            [result["learner"]]
            + [_number(points.get(q, 0.0)) for q in question_ids]
            + [_number(result["score"]), _number(result["max_score"]), " ".join(codes)]
        )
    return buffer.getvalue()


def _number(value: float) -> str:
    return f"{value:g}"
