"""The Korean edition's costs and coverage, printed.

- `import msa_course` in a fresh interpreter (median of several runs), and whether it loaded
  any of the translation machinery (msa_course.i18n, yaml): it must load none;
- the first Korean string in a fresh interpreter (reading the catalogue), against an English
  one (no catalogue read), with the interpreter and import subtracted;
- for every Korean notebook (course/ko, exercises/ko): the share of Hangul among the letters
  of its prose (markdown outside code and URLs); the issue's bar is at least half.

    .venv-dev/bin/python benchmarks/bench_i18n.py
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 9
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")
FIRST_STRING = "import msa_course.i18n as i; i.tr('Check', lang={lang!r})"


def wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - start


def median(code: str) -> float:
    return statistics.median(wall(code) for _ in range(RUNS))


def hangul_share(path: Path) -> tuple[int, int]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    text = re.sub(
        r"```.*?```|`[^`\n]*`|\([^)\s]*\.(?:ipynb|md)[^)]*\)|https?://\S+", " ", text, flags=re.S
    )
    return len(HANGUL.findall(text)), len(LATIN.findall(text))


def main() -> None:
    bare = median("pass")
    plain = median("import msa_course")
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import msa_course, sys; print([m for m in ('msa_course.i18n', 'yaml') "
            "if m in sys.modules])",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    english = median(FIRST_STRING.format(lang="en"))
    korean = median(FIRST_STRING.format(lang="ko"))
    print(
        f"import msa_course: median {plain * 1000:.0f} ms over {RUNS} runs (bare interpreter "
        f"{bare * 1000:.0f} ms, so ~{(plain - bare) * 1000:.0f} ms for the import); "
        f"translation machinery loaded by it: {loaded}"
    )
    print(
        f"first string after import: English +{(english - plain) * 1000:.0f} ms, Korean "
        f"+{(korean - plain) * 1000:.0f} ms (reads msa_course/i18n/ko/*.yaml once)"
    )
    print("Hangul among the letters of each Korean notebook's prose (bar: >= 50%):")
    for path in sorted([*ROOT.glob("course/ko/*.ipynb"), *ROOT.glob("exercises/ko/*.ipynb")]):
        hangul, latin = hangul_share(path)
        share = hangul / max(hangul + latin, 1)
        print(f"  {path.relative_to(ROOT)}: {share:.0%} ({hangul} Hangul, {latin} Latin letters)")


if __name__ == "__main__":
    main()
