"""Microservices on their own bare-metal machines vs on shared virtual capacity.

The source's argument for virtual infrastructure (seed, chapter 01): without it, each
microservice needs its own bare-metal machine. A machine is indivisible, so each service
pays for a whole one however small it is, and each is sized for its own peak. Shared
capacity is sized for the peak of the *sum*, which is never more than the sum of the peaks,
because services rarely peak at the same minute. Virtualisation overhead is left out here
(chapter 02 measures it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msa_course.infra._checks import check_int, check_number
from msa_course.infra.demand import demand_curve


def service_demands(
    n_services: int = 8,
    *,
    mean_cores: float = 2.0,
    days: float = 7,
    step_minutes: float = 5,
    seed: int = 0,
) -> np.ndarray:
    """Demand (cores) of `n_services` services, one row each, over `days`.

    Each service has its own daily cycle: a mean drawn around `mean_cores` (lognormal,
    sigma 0.5), an amplitude of 0.3-0.9 and a busiest hour anywhere in the day, plus 10%
    noise. Illustrative assumptions: they stand for a mix of services, not a measured one.
    """
    n = check_int("n_services", n_services, 1, 200)
    mean = check_number("mean_cores", mean_cores, 0, 1e4, low_open=True)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    rng = np.random.default_rng(seed)
    means = mean * rng.lognormal(-0.125, 0.5, n)  # E[lognormal(-s^2/2, s)] = 1
    amplitudes = rng.uniform(0.3, 0.9, n)
    peaks = rng.uniform(0, 24, n)
    seeds = rng.integers(0, 2**32 - 1, n)
    return np.stack(
        [
            demand_curve(
                days=days,
                step_minutes=step_minutes,
                mean_cores=float(means[i]),
                daily_amplitude=float(amplitudes[i]),
                peak_hour=float(peaks[i]),
                annual_growth=0,
                noise=0.1,
                spike_size=1,
                spike_day=0,
                seed=int(seeds[i]),
            ).cores
            for i in range(n)
        ]
    )


@dataclass(frozen=True)
class Consolidation:
    """Servers and utilisation for dedicated machines vs one shared pool (same servers)."""

    server_cores: float
    servers_per_service: tuple[int, ...]
    dedicated_servers: int
    shared_servers: int
    sum_of_peaks: float
    peak_of_sum: float
    dedicated_utilisation: float
    shared_utilisation: float


def dedicated_vs_shared(demands, server_cores: float = 32) -> Consolidation:
    """Each service on its own whole servers (at least one) vs all services on one pool.

    `demands`: cores per step, one row per service. Utilisation is demand over the cores
    bought, over the whole period. The default 32-core server is an illustrative assumption.
    """
    server_cores = check_number("server_cores", server_cores, 0, 1024, low_open=True)
    d = np.asarray(demands, dtype=float)
    if d.ndim != 2 or d.shape[0] == 0 or d.shape[1] == 0:
        raise ValueError(
            f"demands must be a 2-D array, one non-empty row per service, got shape {d.shape}"
        )
    if not np.isfinite(d).all() or (d < 0).any():
        raise ValueError("demands must contain only finite numbers >= 0 (cores)")
    peaks = d.max(axis=1)
    per_service = np.maximum(1, np.ceil(peaks / server_cores - 1e-9)).astype(int)
    total = d.sum(axis=0)
    shared = max(1, int(np.ceil(total.max() / server_cores - 1e-9)))
    used = float(total.sum())
    steps = d.shape[1]
    return Consolidation(
        server_cores=server_cores,
        servers_per_service=tuple(int(x) for x in per_service),
        dedicated_servers=int(per_service.sum()),
        shared_servers=shared,
        sum_of_peaks=float(peaks.sum()),
        peak_of_sum=float(total.max()),
        dedicated_utilisation=used / (per_service.sum() * server_cores * steps),
        shared_utilisation=used / (shared * server_cores * steps),
    )
