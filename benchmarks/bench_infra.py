"""Chapter 01 performance figures: a year of 1-minute steps for all five strategies, and the
provisioning explorer's update latency (median over 50 control changes, in-process).

Run: .venv-dev/bin/python benchmarks/bench_infra.py
Targets (issue 3): the year-long run under 1 s; the explorer's median update under 50 ms.
"""

from __future__ import annotations

import statistics
import time

import msa_course
from msa_course.infra import default_strategies, demand_curve, simulate_all


def year_long_run(repeats: int = 5) -> tuple[float, float, int]:
    """Median seconds to build the year's curve and to simulate the five strategies on it."""
    build, run = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        demand = demand_curve(days=365, step_minutes=1)
        middle = time.perf_counter()
        results = simulate_all(demand, default_strategies())
        [r.summary() for r in results]
        build.append(middle - start)
        run.append(time.perf_counter() - middle)
    return statistics.median(build), statistics.median(run), len(demand)


def explorer_latency(changes: int = 50) -> list[float]:
    """Seconds per control change, cycling through every control of the explorer."""
    from msa_course.infra.widgets import provisioning_explorer

    msa_course.setup_notebook()
    explorer = provisioning_explorer()
    moves = [
        ("spike_day", [120, 200, 300]),
        ("spike_size", [2.0, 5.0, 3.0]),
        ("annual_growth", [0, 100, 50]),
        ("percentile", [30, 90, 50]),
        ("bare_metal_lead_weeks", [2.0, 12.0, 6.0]),
        ("pool_headroom", [0, 100, 25]),
        ("vm_lead_minutes", [1.0, 20.0, 5.0]),
        ("container_lead_seconds", [5, 120, 30]),
        ("bare_metal_price", [0.8, 2.0, 1.2]),
        ("vm_price", [0.1, 0.4, 0.2]),
        ("container_price", [0.01, 0.06, 0.03]),
        ("view", ["2 days around the spike", "whole run"]),
    ]
    sequence = [(name, value) for name, values in moves for value in values]
    times = []
    for i in range(changes):
        name, value = sequence[i % len(sequence)]
        start = time.perf_counter()
        explorer.controls[name].value = value
        times.append(time.perf_counter() - start)
    if explorer.message.value:
        raise RuntimeError(f"the explorer reported an error: {explorer.message.value}")
    return times


def main() -> None:
    build, run, steps = year_long_run()
    print(
        f"year-long simulation ({steps:,} one-minute steps, {len(default_strategies())} "
        "strategies): "
        f"{run * 1000:.0f} ms median of 5 (+ {build * 1000:.0f} ms to build the demand curve)"
    )
    times = explorer_latency()
    print(
        f"provisioning_explorer update: median {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms over {len(times)} control changes"
    )


if __name__ == "__main__":
    main()
