"""Shared test helpers: the repository's paths and a notebook's cells."""

from __future__ import annotations

import json
import os
import re
import sys
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
