"""Every chapter explorer shows the same figures and panels for the same moves in any
interpreter: no set or dict order that depends on string hashing reaches a model, a chart or
a panel (a set once made the Services explorer's figures depend on PYTHONHASHSEED).

Run as a script, this file runs every chapter's code cells as benchmarks/bench_explorers.py
does (one IPython shell, no browser), moves each explorer's controls in turn (a slider or a
menu to a middle value, every button once) and prints a digest per explorer of its static
edition (the HTML a viewer without a kernel gets) and of its figure, side panel and message
after each move, and one per chapter of what its cells printed. The test runs it under two
hash seeds and compares the lines.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys

from helpers import ROOT

PLOT_ID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
SEEDS = ("1", "2")  # two seeds under which the old EndpointSlice set gave different figures


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def digests() -> list[str]:
    """One line per chapter explorer and per chapter's printed text: name and digest."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_explorers

    lines = []
    for chapter in sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb")):
        printed: list[str] = []
        for explorer in bench_explorers.chapter_explorers(chapter, printed):
            static = PLOT_ID.sub("", explorer.static_html())  # plotly names each div anew
            seen = [static, explorer.figure.to_json(), explorer.side.value]
            values: dict[str, list] = {}
            for name, value in bench_explorers.moves(explorer):
                values.setdefault(name, []).append(value)
            for name, options in values.items():
                control = explorer.controls[name]
                if options[0] is None:
                    control.click()
                else:
                    control.value = options[(len(options) - 1) // 2]
                seen += [name, explorer.figure.to_json(), explorer.side.value]
                seen.append(explorer.message.value)
            lines.append(f"{chapter.stem} {explorer.title}: {_digest(seen)}")
        lines.append(f"{chapter.stem} printed: {_digest(printed)}")
    return lines


def test_every_explorer_gives_the_same_figures_under_any_hash_seed(tmp_path):
    runs = [
        subprocess.Popen(
            [sys.executable, __file__],
            env={**os.environ, "PYTHONHASHSEED": seed, "IPYTHONDIR": str(tmp_path / seed)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in SEEDS
    ]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        outputs.append(out.splitlines())
    first, second = outputs
    assert len(first) > 10  # every chapter ran and made its explorers
    assert first == second  # a differing line names the explorer


if __name__ == "__main__":
    print("\n".join(digests()))
