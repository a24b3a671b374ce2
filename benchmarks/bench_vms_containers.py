"""Chapter 02 timings: explorer update latency and analysing a 200-instruction Dockerfile.

Bars: explorer update median under 50 ms (issue 4); a 200-instruction Dockerfile analysed
(parse, steps, cache keys, cache report against a previous build) under 10 ms with either
builder (issue 14).
Run: .venv-dev/bin/python benchmarks/bench_vms_containers.py
"""

from __future__ import annotations

import statistics
import time

import msa_course
from msa_course.images import build, cache_report, edit
from msa_course.images.widgets import EXAMPLE_DOCKERFILE, image_layer_explorer, parity_explorer
from msa_course.virtualization.widgets import (
    cgroup_explorer,
    density_explorer,
    portability_explorer,
    stack_explorer,
)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    print(f"{name:<44} median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms")


def big_dockerfile(n: int = 200) -> tuple[str, dict[str, str]]:
    context = {f"src/mod{i}.py": f"x = {i}\n" for i in range(50)}
    lines = ["FROM golang:1.22 AS build", "WORKDIR /src"]
    for i in range(n // 2 - 4):
        lines.append(f"RUN echo step {i}" if i % 3 else f"COPY src/mod{i % 50}.py ./")
    lines += ["FROM alpine:3.20", "COPY --from=build /src /app"]
    for i in range(n - len(lines) - 1):
        lines.append(f"ENV V{i}={i}" if i % 2 else f"RUN echo final {i}")
    lines.append('CMD ["/app"]')
    return "\n".join(lines) + "\n", context


def main() -> None:
    msa_course.setup_notebook()
    text, context = big_dockerfile()
    changed = edit(context, "src/mod10.py")
    count = text.count("\n")
    for builder in ("buildkit", "classic"):
        previous = build(text, context, builder=builder)
        build(text, changed, builder=builder)  # warm imports
        ms = timed(
            lambda _i, b=builder, p=previous: cache_report(p, build(text, changed, builder=b)), 30
        )
        report(f"analyse a {count}-instruction Dockerfile ({builder})", ms)

    cases = {
        "stack_explorer (instances)": (stack_explorer(), "instances", [3, 9]),
        "density_explorer (host cores)": (density_explorer(), "cores", [12, 48]),
        "cgroup_explorer (--cpus)": (cgroup_explorer(), "cpus", [0.3, 1.7]),
        "portability_explorer (machine)": (
            portability_explorer(),
            "machine",
            ["Linux server, x86-64", "Windows PC, x86-64 (Docker Desktop)"],
        ),
        "image_layer_explorer (file change)": (
            image_layer_explorer(),
            "change",
            ["edit app.py", "touch requirements.txt"],
        ),
        "image_layer_explorer (builder)": (
            image_layer_explorer(),
            "builder",
            ["classic", "buildkit"],
        ),
        "image_layer_explorer (edit text)": (
            image_layer_explorer(),
            "dockerfile",
            [EXAMPLE_DOCKERFILE.replace("8000", "9000"), EXAMPLE_DOCKERFILE],
        ),
        "parity_explorer (days between)": (parity_explorer(), "days_between", [3, 21]),
    }
    for name, (ex, control, values) in cases.items():
        ex.controls[control].value = values[1]  # warm up
        ms = timed(
            lambda i, ex=ex, c=control, v=values: setattr(ex.controls[c], "value", v[i % 2]), 30
        )
        report(f"update: {name}", ms)


if __name__ == "__main__":
    main()
