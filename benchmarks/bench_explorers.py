"""In-process update latency of every explorer the chapters create.

Runs each chapter's code cells in one IPython shell (no browser, as the kernel sees it),
catches the explorers they create, then moves every control through its values (a slider over
its range, each option of a menu, each state of a toggle, each button pressed) and times each
change from setting the value to the figure updated in place (model, chart, diff, widget
messages built). Prints per explorer the median and 90th percentile of the wall time, and the
median CPU time of the process (on a shared, loaded machine the wall time also counts waiting
for a core; the CPU time is what an idle laptop would see). The bar (issue 19) is a 15 ms
median on the 2-core machine. `--profile NAME` prints where one explorer's updates spend
their CPU time (cProfile, cumulative).

    .venv-dev/bin/python benchmarks/bench_explorers.py [--rounds 3] [--profile NAME] [stems...]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BAR_MS = 15.0


def chapter_explorers(path: Path, printed: list[str] | None = None) -> list:
    """Run the chapter's code cells in an IPython shell; the explorers they created.
    `printed`, if given, gets what each code cell printed."""
    from IPython.core.interactiveshell import InteractiveShell

    from msa_course.ui.explorer import Explorer

    made: list = []
    original = Explorer.__init__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    Explorer.__init__ = recording
    shell = InteractiveShell.instance()
    cwd = os.getcwd()
    os.chdir(path.parent)  # as JupyterLab runs a notebook: in its folder
    try:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                out = io.StringIO()
                with contextlib.redirect_stdout(out):  # the chapter's printed text
                    result = shell.run_cell("".join(cell["source"]), silent=True)
                if printed is not None:
                    printed.append(out.getvalue())
                if not result.success:
                    raise RuntimeError(f"{path.name}: a cell failed: {result.error_in_exec}")
    finally:
        os.chdir(cwd)
        Explorer.__init__ = original
    return made


def moves(explorer) -> list:
    """(control name, value or None for a click) for every state of every control."""
    import ipywidgets as w

    out = []
    for name, control in explorer.controls.items():
        if isinstance(control, w.Button):
            out += [(name, None)] * 3
        elif isinstance(control, (w.IntSlider, w.FloatSlider)):
            lo, hi, start = control.min, control.max, control.value
            values = [lo + (hi - lo) * i / 8 for i in range(9)]
            if isinstance(control, w.IntSlider):
                values = sorted({round(v) for v in values})
            out += [(name, v) for v in values if v != start] + [(name, start)]
        elif isinstance(control, (w.SelectionSlider, w.Dropdown, w.ToggleButtons, w.RadioButtons)):
            start = control.value
            options = [o[1] if isinstance(o, tuple) else o for o in control.options]
            out += [(name, o) for o in options if o != start] + [(name, start)]
        elif isinstance(control, (w.Checkbox, w.ToggleButton)):
            out += [(name, not control.value), (name, control.value)]
    return out


def time_moves(explorer, rounds: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU milliseconds per change that redrew; and how many changes showed a
    message instead."""
    times, cpu, refused = [], [], 0
    for _ in range(rounds):
        for name, value in moves(explorer):
            control, before = explorer.controls[name], explorer.update_count
            start, start_cpu = time.perf_counter(), time.process_time()
            if value is None:
                control.click()
            else:
                control.value = value
            took, took_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            if explorer.update_count > before:
                times.append(took * 1000)
                cpu.append(took_cpu * 1000)
            elif explorer.message.value:
                refused += 1
    return times, cpu, refused


def label(stem: str, explorer, index: int) -> str:
    return f"{stem[:2]}:{explorer.title or f'explorer {index}'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stems", nargs="*", help="chapters (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the controls")
    parser.add_argument("--profile", help="profile the explorer whose title contains this")
    args = parser.parse_args(argv)
    chapters = sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))
    chapters = [c for c in chapters if not args.stems or c.stem in args.stems]
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    print(f"{'explorer':48} {'median ms':>9} {'p90 ms':>7} {'max ms':>7} {'CPU ms':>7} {'n':>4}")
    worst = 0.0
    for chapter in chapters:
        for i, explorer in enumerate(chapter_explorers(chapter)):
            name = label(chapter.stem, explorer, i)
            if args.profile:
                if args.profile.lower() not in name.lower():
                    continue
                profile = cProfile.Profile(time.process_time)
                profile.enable()
                time_moves(explorer, args.rounds)
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            times, cpu, refused = time_moves(explorer, args.rounds)
            if not times:
                print(f"{name:48} no control redrew the figure")
                continue
            median = statistics.median(times)
            worst = max(worst, median)
            p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
            note = f"  ({refused} changes refused with a message)" if refused else ""
            flag = "" if median <= BAR_MS else "  OVER THE BAR"
            print(
                f"{name[:48]:48} {median:9.1f} {p90:7.1f} {max(times):7.1f} "
                f"{statistics.median(cpu):7.1f} {len(times):4}"
                f"{flag}{note}",
                flush=True,
            )
    print(f"slowest median {worst:.1f} ms; bar {BAR_MS:.0f} ms")
    return 0 if worst <= BAR_MS else 1


if __name__ == "__main__":
    sys.exit(main())
