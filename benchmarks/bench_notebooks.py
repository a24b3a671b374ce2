"""Print the wall time nbval takes for each notebook in course/ and solutions/ (one pytest
process per notebook, as a learner's Restart-and-Run-All would cost, kernel start included)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    paths = sorted((ROOT / "course").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
    print(f"{'notebook':45} {'seconds':>8}  result")
    for path in paths:
        start = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--nbval-lax",
                str(path.relative_to(ROOT)),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        took = time.perf_counter() - start
        result = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "no output"
        print(f"{str(path.relative_to(ROOT)):45} {took:8.1f}  {result}")


if __name__ == "__main__":
    main()
