"""Shared test helpers: the repository's paths and a notebook's cells."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE, SOLUTIONS, EXERCISES = ROOT / "course", ROOT / "solutions", ROOT / "exercises"
STEM = re.compile(r"^\d\d_[a-z0-9_]+$")
PYTHON = sys.executable


def notebooks(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        src = cell["source"]
        cell["text"] = "".join(src) if isinstance(src, list) else src
    return nb["cells"]
