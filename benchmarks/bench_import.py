"""Print how long `import msa_course` takes in a fresh interpreter (median of several runs),
against a bare interpreter start, and which heavy libraries it loads (it should load none)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 9
HEAVY = ("plotly", "ipywidgets", "IPython", "jsonschema", "kubernetes_validate", "nbformat")


def wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    bare = statistics.median(wall("pass") for _ in range(RUNS))
    full = statistics.median(wall("import msa_course") for _ in range(RUNS))
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import msa_course, sys; print([m for m in {HEAVY!r} if m in sys.modules])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(
        f"python -c 'import msa_course': median {full * 1000:.0f} ms over {RUNS} runs "
        f"(bare interpreter {bare * 1000:.0f} ms; import alone ~{(full - bare) * 1000:.0f} ms)"
    )
    print(f"heavy libraries loaded by the import: {loaded}")


if __name__ == "__main__":
    main()
