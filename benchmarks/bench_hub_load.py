"""Load on one workshop machine: N learners (default 30) on a real JupyterHub started from
deploy/jupyterhub_config.py, all spawning at once and then running chapter 00 through kernels
of their own at once (the room pressing "Run all" together).

Prints spawn time p50/p95, time to first output p50/p95 (from asking for a kernel to the
chapter's first output), the time to run the whole chapter, and memory per learner (server +
kernel: RSS, and USS, the part unique to the learner). With --record FILE it also writes the
figures as JSON (deploy/load_figures.json is what deploy/z2jh/config.yaml is sized from).
Everything runs on 127.0.0.1 in a temporary folder that is removed at the end; every process
started is stopped by its id.

    .venv-dev/bin/python benchmarks/bench_hub_load.py [--learners 30] [--record FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import psutil

from msa_course.workshop.localhub import LocalHub, install_proxy

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "course" / "00_welcome.ipynb"
MiB = 2**20


def learner(hub: LocalHub, name: str, notebook: dict) -> dict:
    """One learner runs the chapter; a failure is recorded, not raised, so it gets counted."""
    t0 = time.monotonic()
    try:
        # 30 kernels starting at once on 2 cores take minutes: wait as a patient room would.
        kernel = hub.kernel(name, cwd="msa-course/course", timeout=900)
        try:
            kernel.run_notebook(notebook)
            done = time.monotonic()
            memory = hub.memory(name)  # while the kernel still holds the chapter's state
        finally:
            kernel.close()
    except Exception as err:  # noqa: BLE001 -- any failure is a result to report
        return {"name": name, "error": f"{type(err).__name__}: {err}"}
    if kernel.first_output is None:
        return {"name": name, "error": "the chapter printed nothing"}
    return {"first_output_s": kernel.first_output - t0, "run_s": done - t0, **memory}


def p(values, q) -> float:
    return float(np.percentile(values, q))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30, help="learners (default 30)")
    parser.add_argument(
        "--mode",
        choices=("isolated", "trusted"),
        default="isolated",
        help="hub mode (default isolated)",
    )
    parser.add_argument("--record", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if not 1 <= args.learners <= 100:
        parser.error(f"--learners must be between 1 and 100, got {args.learners}")

    install_proxy()
    notebook = json.loads(CHAPTER.read_text(encoding="utf-8"))
    names = [f"learner{i:02d}" for i in range(args.learners)]
    tmp = Path(tempfile.mkdtemp(prefix="msa-hub-load-"))
    hub = LocalHub(tmp, mode=args.mode, max_learners=args.learners)
    results: list[dict] = []
    loads: list[float] = []
    done = threading.Event()

    def sample_load() -> None:
        while not done.wait(5):
            loads.append(os.getloadavg()[0])

    try:
        hub.start()
        threading.Thread(target=sample_load, daemon=True).start()
        t0 = time.monotonic()
        hub.add_users(names)  # as a roster does at start: isolated, this makes their accounts
        added = time.monotonic() - t0
        t0 = time.monotonic()
        with ThreadPoolExecutor(args.learners) as pool:
            spawn = list(pool.map(hub.spawn, names))
            all_spawned = time.monotonic() - t0
            for name in names:  # the course, as nbgitpuller would have put it in their home
                hub.copy_into_home(name, ROOT / "course", "msa-course/course")
            results = list(pool.map(lambda n: learner(hub, n, notebook), names))
        done.set()
        log = hub.log_path.read_text(encoding="utf-8", errors="replace")
        prepare = [float(ms) / 1000 for ms in re.findall(r"cgroups of \S+ ready in (\d+) ms", log)]
    finally:
        done.set()
        failed = [r for r in results if "error" in r]
        if (failed or len(results) < len(names)) and hub.log_path.exists():
            kept = Path(tempfile.gettempdir()) / "msa-hub-load-last.log"
            shutil.copy(hub.log_path, kept)
            print(f"the hub's log is kept in {kept}")
        killed = hub.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    for r in failed:
        print(f"FAILED {r['name']}: {r['error']}")
    runs = [r for r in results if "error" not in r]
    if not runs:
        return 1
    first = [r["first_output_s"] for r in runs]
    run = [r["run_s"] for r in runs]
    rss = [r["rss"] / MiB for r in runs]
    uss = [r["uss"] / MiB for r in runs]
    figures = {
        "learners": args.learners,
        "failed": len(failed),
        "machine": f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB,"
        f" {platform.system()} {platform.machine()}",
        "mode": args.mode,
        "add_learners_s": added,
        "spawn_s": {"p50": p(spawn, 50), "p95": p(spawn, 95), "all": all_spawned},
        "first_output_s": {"p50": p(first, 50), "p95": p(first, 95)},
        "chapter_run_s": {"p50": p(run, 50), "p95": p(run, 95)},
        "rss_mib_per_learner": {"mean": float(np.mean(rss)), "max": max(rss)},
        "uss_mib_per_learner": {"mean": float(np.mean(uss)), "max": max(uss)},
        "load_1min": {"mean": float(np.mean(loads)), "max": max(loads)} if loads else None,
    }
    if prepare:
        figures["prepare_s"] = {"p50": p(prepare, 50), "p95": p(prepare, 95)}
    print(
        f"{args.learners} learners, {args.mode} mode, on {figures['machine']}; {len(failed)} failed"
    )
    made = "   (their Unix accounts made)" if args.mode == "isolated" else ""
    print(f"add {args.learners} learners {added:7.1f} s{made}")
    print(
        f"spawn            p50 {figures['spawn_s']['p50']:6.1f} s   p95 "
        f"{figures['spawn_s']['p95']:6.1f} s   (all ready after {all_spawned:.1f} s)"
    )
    if prepare:
        print(
            f"  of which home, cgroups, leftovers p50 {figures['prepare_s']['p50']:5.2f} s   "
            f"p95 {figures['prepare_s']['p95']:5.2f} s"
        )
    for key, label in (("first_output_s", "first output"), ("chapter_run_s", "whole chapter")):
        print(f"{label:16} p50 {figures[key]['p50']:6.1f} s   p95 {figures[key]['p95']:6.1f} s")
    for key, label in (("rss_mib_per_learner", "RSS"), ("uss_mib_per_learner", "USS")):
        print(
            f"memory {label:9} mean {figures[key]['mean']:6.0f} MiB max "
            f"{figures[key]['max']:6.0f} MiB per learner (server + kernel)"
        )
    if loads:
        print(
            f"load average     mean {figures['load_1min']['mean']:6.1f}   max "
            f"{figures['load_1min']['max']:6.1f}   (1 min, sampled every 5 s)"
        )
    if killed:
        print(f"note: {len(killed)} processes outlived the hub's shutdown and were killed by pid")
    if args.record:
        args.record.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
        print(f"figures written to {args.record}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
