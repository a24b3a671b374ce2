"""The live workshop tools on a generated class (issue 17's bars: the progress page for 40
learners refreshes within 1 s; the class report for 40 graded learners builds within 5 s).

Progress: 40 learners' homes (msa_course.workshop.samples, each notebook padded to about
--notebook-kb with answer output), served by `msa-course progress`; prints the time of one
refresh as the page's script asks for it (GET room, over HTTP) when every notebook changed
since the last refresh (all 40 parsed again: the worst case) and when none did, median and
maximum of --rounds. `--exercise 00 --langs en,ko`: every other learner works in the Korean
edition, and every home holds both editions' copies (both padded, both changed: 80 parsed).

Report: 40 graded learners as `msa-course grade` leaves them (samples.make_grades), then
`msa-course report` as the instructor runs it (a new process: imports included); prints its
wall time, median and maximum of --rounds.

    .venv-dev/bin/python benchmarks/bench_live.py [--learners 40] [--rounds 5] [--notebook-kb 200]
        [--exercise 01] [--langs en]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from msa_course.workshop import exercise as ex
from msa_course.workshop import samples

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "msa-course")


def pad(homes: Path, exercise: ex.Exercise, kb: int) -> int:
    """Pad every learner's notebook with printed output to about `kb` KB; returns the mean
    size in bytes."""
    sizes = []
    for path in homes.glob(f"*/msa-course/exercises/**/{exercise.name}.ipynb"):
        nb = json.loads(path.read_text())
        missing = kb * 1024 - len(path.read_bytes())
        if missing > 0:  # as nbformat stores printed text: a list of 80-character lines
            cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
            lines = ["y" * 79 + "\n"] * (missing // 84)
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": lines}]
        path.write_text(json.dumps(nb))
        sizes.append(path.stat().st_size)
    return int(statistics.mean(sizes))


def touch_all(homes: Path) -> None:
    """Every notebook saved again (new inode, as Jupyter's atomic save makes)."""
    for path in homes.glob("*/msa-course/exercises/**/*.ipynb"):
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(path.read_bytes())
        os.replace(tmp, path)


def bench_progress(tmp: Path, args) -> None:
    exercise = ex.load(ex.find(ROOT / "exercises", args.exercise))
    homes = tmp / "homes"
    samples.make_room(homes, exercise, args.learners, seed=1, langs=args.langs)
    size = pad(homes, exercise, args.notebook_kb)
    proc = subprocess.Popen(
        [CLI, "progress", "--homes", str(homes), "--assignment", args.exercise],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        url = re.search(r"http://\S+", proc.stdout.readline()).group(0)
        session = requests.Session()
        session.get(url, timeout=60).raise_for_status()
        room = url.split("?")[0] + f"room?assignment={args.exercise}"
        changed, unchanged = [], []
        for _ in range(args.rounds):
            touch_all(homes)
            start = time.perf_counter()
            session.get(room, timeout=60).raise_for_status()
            changed.append(time.perf_counter() - start)
            start = time.perf_counter()
            session.get(room, timeout=60).raise_for_status()
            unchanged.append(time.perf_counter() - start)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    print(
        f"progress, exercise {args.exercise}, {args.learners} learners ({'/'.join(args.langs)}), "
        f"notebooks of {size / 1024:.0f} KB: one refresh "
        f"with every notebook changed {_ms(changed)}; with none changed {_ms(unchanged)} "
        f"(bar: 1000 ms)"
    )


def bench_report(tmp: Path, args) -> None:
    exercise = ex.load(ex.find(ROOT / "exercises", args.exercise))
    grades = tmp / "grades"
    samples.make_grades(grades, exercise, args.learners, seed=1, langs=args.langs)
    times = []
    for i in range(args.rounds):
        start = time.perf_counter()
        subprocess.run(
            [CLI, "report", str(grades), "--out", str(tmp / f"report{i}")],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    print(
        f"report, exercise {args.exercise}, {args.learners} graded learners "
        f"({'/'.join(args.langs)}): msa-course report {_ms(times)} (bar: 5000 ms)"
    )


def _ms(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--notebook-kb", type=int, default=200)
    parser.add_argument("--only", choices=["progress", "report"])
    parser.add_argument("--exercise", default="01", help="exercise number (default 01)")
    parser.add_argument(
        "--langs",
        type=lambda v: tuple(v.split(",")),
        default=("en",),
        help="learners' languages in turn, e.g. en,ko (default en)",
    )
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.1f} (1-min average, {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        if args.only in (None, "progress"):
            bench_progress(Path(tmp), args)
        if args.only in (None, "report"):
            bench_report(Path(tmp), args)


if __name__ == "__main__":
    main()
