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


def atomic_write(path: Path, data: str | bytes, durable: bool = True) -> None:
    """Write `data` (text as UTF-8) to `path` so that readers see the old file or the new one,
    never half (and, when durable, on disk before the name points at it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def result_path(out: Path, learner: str) -> Path:
    return out / "results" / f"{learner}.json"


def save_result(out: Path, result: dict) -> None:
    """Strict JSON (no NaN or Infinity): every number in a result is the grader's own."""
    text = json.dumps(result, indent=1, allow_nan=False, ensure_ascii=False)
    atomic_write(result_path(out, result["learner"]), text + "\n")


def load_result(out: Path, learner: str) -> dict | None:
    """A stored result, or None when there is none or it cannot be read (then regrade)."""
    try:
        result = json.loads(result_path(out, learner).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return result if isinstance(result, dict) else None


def gradebook_csv(question_ids: list[str], results: list[dict]) -> str:
    """One row per learner (sorted): one column per graded cell (empty while it waits for a
    manual score), then total, max, late (hours), needs_manual (grade ids), flags."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", *question_ids, "total", "max", "late", "needs_manual", "flags"])
    for result in sorted(results, key=lambda r: r["learner"]):
        points = {q["grade_id"]: q["points"] for q in result["questions"]}
        pending = [q for q in question_ids if q in points and points[q] is None]
        codes = sorted({f["code"] for f in result["flags"]})
        late = result.get("late")
        writer.writerow(
            [result["learner"]]
            + ["" if q in pending else _number(points.get(q) or 0.0) for q in question_ids]
            + [
                _number(result["score"]),
                _number(result["max_score"]),
                f"{late['seconds'] / 3600:.1f}" if late else "",
                " ".join(pending),
                " ".join(codes),
            ]
        )
    return buffer.getvalue()


def _number(value: float) -> str:
    return f"{value:g}"
