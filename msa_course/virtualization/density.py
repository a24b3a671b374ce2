"""How many instances of a service mix fit on one host, and how long a cold start takes.

Each instance needs its service's CPU and memory request plus its isolation's overhead (a VMM
and a guest OS per VM, nothing extra per container; `stacks.ISOLATIONS`). The host fits as
many copies of the whole mix as both CPU and memory allow; the smaller of the two limits is
the resource that ran out first, and the result says so in words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from msa_course.i18n import N_, tr
from msa_course.virtualization.stacks import ISOLATIONS, Figure, Isolation

LAUNCH_RATE = Figure(
    150,
    N_("instances/s"),
    N_(
        "Firecracker (Agache et al., NSDI '20): 'up to 150 MicroVMs per second per host'; "
        "used here for every kind of instance as an assumption"
    ),
)
_EPS = 1e-9  # so that 4.0 / 0.5 counts as 8, not 7.999999


@dataclass(frozen=True)
class Host:
    """A server: `cores` CPU cores and `memory_gib` GiB of memory."""

    cores: float
    memory_gib: float

    def __post_init__(self):
        _positive("cores", self.cores)
        _positive("memory_gib", self.memory_gib)

    @property
    def memory_mib(self) -> float:
        return self.memory_gib * 1024


@dataclass(frozen=True)
class Service:
    """One service's request per instance: `cpu` cores and `memory_mib` MiB."""

    name: str
    cpu: float
    memory_mib: float

    def __post_init__(self):
        _positive(f"{self.name}: cpu", self.cpu)
        _positive(f"{self.name}: memory_mib", self.memory_mib)


@dataclass(frozen=True)
class Density:
    """What fits, what is left idle, and which resource ran out first."""

    isolation: Isolation
    services: tuple[Service, ...]
    host: Host
    copies: int  # copies of the whole service mix
    copies_by_cpu: int
    copies_by_memory: int
    cpu_per_copy: float
    memory_per_copy_mib: float

    @property
    def instances(self) -> int:
        return self.copies * len(self.services)

    @property
    def limited_by(self) -> str:
        """ "cpu", "memory" or "cpu and memory": the resource that ran out first."""
        if self.copies_by_cpu == self.copies_by_memory:
            return "cpu and memory"
        return "cpu" if self.copies_by_cpu < self.copies_by_memory else "memory"

    @property
    def idle_cores(self) -> float:
        return max(0.0, self.host.cores - self.copies * self.cpu_per_copy)

    @property
    def idle_memory_mib(self) -> float:
        return max(0.0, self.host.memory_mib - self.copies * self.memory_per_copy_mib)

    def cold_start_s(
        self, instances: int | None = None, launch_rate: float = LAUNCH_RATE.value
    ) -> float:
        """Seconds until the last of `instances` (default: all that fit) is up.

        Launches go out at `launch_rate` per second and each takes the isolation's start
        time: t = start + (n - 1) / rate.
        """
        n = self.instances if instances is None else instances
        return cold_start_s(self.isolation, n, launch_rate)

    def explain(self) -> str:
        """One paragraph: how many fit, why, and what is left idle (in the active language)."""
        iso, n = self.isolation, self.instances
        name = tr(iso.name)
        if len(self.services) > 1:
            mix = tr("one instance of each service")
        else:
            mix = tr("one instance")
        mem = tr(
            "memory allows {count} (each copy of {mix} needs {memory:,.0f} MiB, "
            "{overhead:,.0f} MiB of it {name} overhead)",
            count=self.copies_by_memory,
            mix=mix,
            memory=self.memory_per_copy_mib,
            overhead=iso.memory_overhead_mib * len(self.services),
            name=name,
        )
        cpu = tr(
            "CPU allows {count} (each needs {cores:.2f} cores at {efficiency:.0%} CPU efficiency)",
            count=self.copies_by_cpu,
            cores=self.cpu_per_copy,
            efficiency=iso.cpu_efficiency.value,
        )
        first = {
            "memory": tr("Memory ran out first"),
            "cpu": tr("CPU ran out first"),
            "cpu and memory": tr("CPU and memory ran out together"),
        }[self.limited_by]
        if n == 1:
            fits = tr("1 {name} instance fits.", name=name)
        else:
            fits = tr("{count} {name} instances fit.", count=n, name=name)
        return tr(
            "{fits} {first}: {memory}; {cpu}. Left idle: {cores:.2f} cores and {idle:,.0f} MiB.",
            fits=fits,
            first=first,
            memory=mem,
            cpu=cpu,
            cores=self.idle_cores,
            idle=self.idle_memory_mib,
        )


def fit(
    host: Host, services: Sequence[Service] | Service, isolation: str | Isolation = "container"
) -> Density:
    """Pack as many copies of the service mix onto `host` as CPU and memory both allow."""
    if isinstance(services, Service):
        services = (services,)
    services = tuple(services)
    if not services:
        raise ValueError("services must list at least one Service, got an empty list")
    iso = _isolation(isolation)
    cpu_per_copy = sum(s.cpu for s in services) / iso.cpu_efficiency.value
    mem_per_copy = sum(s.memory_mib + iso.memory_overhead_mib for s in services)
    by_cpu = math.floor(host.cores / cpu_per_copy + _EPS)
    by_mem = math.floor(host.memory_mib / mem_per_copy + _EPS)
    return Density(
        iso, services, host, min(by_cpu, by_mem), by_cpu, by_mem, cpu_per_copy, mem_per_copy
    )


def compare(
    host: Host,
    services: Sequence[Service] | Service,
    isolations: Mapping[str, Isolation] | None = None,
) -> dict[str, Density]:
    """`fit` for every isolation (full VM, microVM, container by default)."""
    return {key: fit(host, services, iso) for key, iso in (isolations or ISOLATIONS).items()}


def cold_start_s(
    isolation: str | Isolation, instances: int, launch_rate: float = LAUNCH_RATE.value
) -> float:
    """Seconds until the last of `instances` started at `launch_rate`/s is running."""
    if isinstance(instances, bool) or not isinstance(instances, int) or instances < 0:
        raise ValueError(f"instances must be a whole number >= 0, got {instances!r}")
    _positive("launch_rate", launch_rate)
    if instances == 0:
        return 0.0
    return _isolation(isolation).start.value + (instances - 1) / launch_rate


def _isolation(isolation: str | Isolation) -> Isolation:
    if isinstance(isolation, Isolation):
        return isolation
    if isolation not in ISOLATIONS:
        raise ValueError(f"isolation must be one of {sorted(ISOLATIONS)}, got {isolation!r}")
    return ISOLATIONS[isolation]


def _positive(name: str, value) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not value > 0
        or not math.isfinite(value)
    ):
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
