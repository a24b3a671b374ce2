"""What isolates a container: namespaces and cgroups, two features of the one shared kernel.

"When you start a container with docker run, behind the scenes Docker creates a set of
namespaces and control groups for the container" (Docker docs, "Docker Engine security";
figures.md §1, "What isolates a container"). Namespaces decide what the container's processes
can *see*; cgroups decide how much they can *use*. Both live in the host's kernel, so every
container on a host runs on that one kernel.

The cgroup part follows cgroup v2 as runc writes it for `docker run`: `--cpus` becomes the
CFS quota `cpu.max = "<quota> <period>"` with Docker's 100 ms period, `--memory` becomes
`memory.max` in bytes, `--pids-limit` becomes `pids.max`; an unset limit is "max". A process
over its CPU quota is throttled until the next period; one over its memory limit is killed by
the kernel's OOM killer (exit code 137). The host is assumed to have no swap: with swap,
`--memory` alone also allows as much swap again (Docker's `--memory-swap` default).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from msa_course.i18n import N_

CPU_PERIOD_US = 100_000  # Docker's --cpu-period default: "100000 microseconds (100 milliseconds)"
MIN_MEMORY_BYTES = 6 * 2**20  # docker run refuses --memory below 6m
OOM_EXIT_CODE = 137  # 128 + SIGKILL (9)


@dataclass(frozen=True)
class Namespace:
    """One Linux namespace: what it isolates, and what a container sees in it by default."""

    name: str  # as /proc/<pid>/ns/<name> lists it
    isolates: str  # namespaces(7)
    inside: str  # what a process in a default `docker run` container sees
    docker_default: bool  # does `docker run` give the container its own one by default?


NAMESPACES: tuple[Namespace, ...] = (
    Namespace(
        "mnt", N_("mount points: the files a process sees"), N_("the image's files as /"), True
    ),
    Namespace("pid", N_("process IDs"), N_("its main process is PID 1; no host processes"), True),
    Namespace(
        "net",
        N_("network devices, IP addresses, ports"),
        N_("its own eth0 and IP address"),
        True,
    ),
    Namespace("uts", N_("hostname"), N_("the container ID as hostname"), True),
    Namespace("ipc", N_("shared memory and message queues"), N_("its own, empty"), True),
    Namespace(
        "cgroup", N_("the cgroup tree a process sees"), N_("its own cgroup as the root"), True
    ),
    Namespace(
        "user",
        N_("user and group IDs"),
        N_("none by default: root in the container is uid 0 on the host too"),
        False,
    ),
)


def parse_memory(text: str | int) -> int:
    """`--memory` as docker reads it (go-units RAMInBytes): bytes, or a number with k, m, g, t
    or p, optionally followed by "i" and "b", all powers of 1024: "256m" = "256MiB"."""
    if isinstance(text, bool):
        raise ValueError(f"memory must be a size such as 256m, got {text!r}")
    if isinstance(text, int):
        value = text
    else:
        match = re.fullmatch(r"(\d+(?:\.\d+)*) ?([kmgtp])?i?b?", str(text).strip().lower())
        if not match:
            raise ValueError(
                f"memory must be a size such as 256m or 1g (k, m, g = powers of 1024), got {text!r}"
            )
        number, unit = match.groups()
        value = int(float(number) * 1024 ** (" kmgtp".index(unit) if unit else 0))
    if value < MIN_MEMORY_BYTES:
        raise ValueError(f"memory must be at least 6m (docker's minimum), got {text!r}")
    return value


def cgroup_files(
    cpus: float | None = None, memory: str | int | None = None, pids_limit: int | None = None
) -> dict[str, str]:
    """The cgroup v2 files the engine writes for `docker run --cpus --memory --pids-limit`."""
    cpu_max = "max"
    if cpus is not None:
        if isinstance(cpus, bool) or not cpus > 0 or not math.isfinite(cpus):
            raise ValueError(f"cpus must be a number > 0, got {cpus!r}")
        cpu_max = str(round(cpus * CPU_PERIOD_US))
    if pids_limit is not None and (isinstance(pids_limit, bool) or pids_limit < 1):
        raise ValueError(f"pids_limit must be a whole number >= 1, got {pids_limit!r}")
    return {
        "cpu.max": f"{cpu_max} {CPU_PERIOD_US}",
        "memory.max": "max" if memory is None else str(parse_memory(memory)),
        "pids.max": "max" if pids_limit is None else str(pids_limit),
    }


def cpu_timeline(
    cpus: float, busy_threads: float, milliseconds: int = 500, step_ms: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Cores in use, millisecond by millisecond, for a container capped at `cpus`.

    Its `busy_threads` threads want to run all the time. In every 100 ms period the container
    may use `cpus` x 100 ms of CPU time; it runs on all its threads until that quota is spent,
    then waits, throttled, for the next period (CFS bandwidth control).
    """
    _positive("cpus", cpus)
    _positive("busy_threads", busy_threads)
    period_ms = CPU_PERIOD_US / 1000
    t = np.arange(0, milliseconds, step_ms)
    runs_for = min(period_ms, cpus * period_ms / busy_threads)  # ms of each period it runs
    used = np.where((t % period_ms) < runs_for - 1e-9, busy_threads, 0.0)
    return t, used


def request_ms(cpu_ms: float, cpus: float) -> float:
    """Wall time of a single-threaded request that needs `cpu_ms` of CPU, under `cpus`.

    With one thread it runs at most min(1, cpus) x 100 ms per period, then waits for the next.
    """
    _positive("cpu_ms", cpu_ms)
    _positive("cpus", cpus)
    period_ms = CPU_PERIOD_US / 1000
    per_period = min(1.0, cpus) * period_ms
    full, rest = divmod(cpu_ms, per_period)
    if rest < 1e-9:  # ends exactly as a quota runs out: no wait after the last slice
        return (full - 1) * period_ms + per_period
    return full * period_ms + rest


def oom_kill_minute(limit: str | int, start_mib: float, growth_mib_per_min: float) -> float | None:
    """When a process using `start_mib`, growing by `growth_mib_per_min`, hits memory.max.

    None if it never does (no growth and under the limit); 0 if it starts over the limit.
    """
    if start_mib < 0 or growth_mib_per_min < 0:
        raise ValueError(
            f"start_mib and growth_mib_per_min must be >= 0, got {start_mib}, {growth_mib_per_min}"
        )
    limit_mib = parse_memory(limit) / 2**20
    if start_mib >= limit_mib:
        return 0.0
    if growth_mib_per_min == 0:
        return None
    return (limit_mib - start_mib) / growth_mib_per_min


def _positive(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
