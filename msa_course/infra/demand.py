"""Demand curves: how many CPU cores a service needs, minute by minute.

A curve is built from parts a learner can reason about one at a time: a daily cycle, growth
over the year, noise (seeded), and one spike the learner places. Every default here is an
illustrative assumption, not a measured figure: `docs/figures.md` has no
source for traffic shapes, so each one is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msa_course.infra._checks import check_int, check_number

MINUTES_PER_DAY = 1440
DAYS_PER_YEAR = 365
DEFAULT_SPIKE_DAY = 200.0
MAX_STEPS = 2 * DAYS_PER_YEAR * MINUTES_PER_DAY  # two years at 1-minute resolution


@dataclass(frozen=True, eq=False)
class DemandCurve:
    """CPU cores needed at each time step (`cores[i]` holds for `step_minutes` minutes).

    Built only through validation: the array must be one-dimensional, non-empty, finite and
    >= 0. It is stored read-only so a simulation can never change its input.
    """

    cores: np.ndarray
    step_minutes: float = 1.0

    def __post_init__(self):
        step = check_number("step_minutes", self.step_minutes, 0, MINUTES_PER_DAY, low_open=True)
        object.__setattr__(self, "step_minutes", step)
        object.__setattr__(self, "cores", _checked_cores(self.cores))

    def __len__(self) -> int:
        return len(self.cores)

    @property
    def days(self) -> np.ndarray:
        """The start of each step, in days since the start of the curve."""
        return np.arange(len(self)) * (self.step_minutes / MINUTES_PER_DAY)


def _checked_cores(values) -> np.ndarray:
    try:
        cores = np.array(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"demand must be a sequence of numbers of cores, got {values!r:.60}"
        ) from err
    if cores.ndim != 1:
        raise ValueError(
            f"demand must be one-dimensional (one value per step), got shape {cores.shape}"
        )
    if cores.size == 0:
        raise ValueError("demand must not be empty: give at least 1 step")
    if cores.size > MAX_STEPS:
        raise ValueError(f"demand must have at most {MAX_STEPS} steps, got {cores.size}")
    bad = ~np.isfinite(cores) | (cores < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"demand must contain only finite numbers >= 0 (cores), got {cores[i]} at step {i}"
        )
    cores.flags.writeable = False
    return cores


def demand_curve(
    *,
    days: float = 365,
    step_minutes: float = 1.0,
    mean_cores: float = 100.0,
    daily_amplitude: float = 0.5,
    peak_hour: float = 20.0,
    annual_growth: float = 0.5,
    noise: float = 0.05,
    spike_day: float | None = None,
    spike_size: float = 3.0,
    spike_hours: float = 2.0,
    seed: int = 0,
) -> DemandCurve:
    """A year of demand: a daily cycle x compound growth x noise, with one spike.

    - `mean_cores`: mean demand on day 0 (cores).
    - `daily_amplitude`: the daily swing as a fraction of the mean (0.5: the busiest hour
      needs 1.5x the mean, the quietest 0.5x); peaks at `peak_hour` (0-24).
    - `annual_growth`: 0.5 means demand is 50% higher after 365 days (compounded smoothly).
    - `noise`: standard deviation of multiplicative Gaussian noise (0.05 = 5%), from
      `numpy.random.default_rng(seed)`.
    - The spike multiplies demand by `spike_size` from `spike_day` for `spike_hours` (a flash
      crowd: a sale, a news mention). `spike_size=1` means no spike. `spike_day=None` puts
      it on day 200, or half way through a curve shorter than that.

    All defaults are illustrative assumptions (figures.md has no source for traffic shapes).
    """
    days = check_number("days", days, 0, 2 * DAYS_PER_YEAR, low_open=True)
    step = check_number("step_minutes", step_minutes, 0, MINUTES_PER_DAY, low_open=True)
    mean = check_number("mean_cores", mean_cores, 0, 1e6)
    amplitude = check_number("daily_amplitude", daily_amplitude, 0, 1)
    peak_hour = check_number("peak_hour", peak_hour, 0, 24)
    growth = check_number("annual_growth", annual_growth, -0.9, 10)
    noise = check_number("noise", noise, 0, 1)
    if spike_day is None:
        spike_day = DEFAULT_SPIKE_DAY if days > DEFAULT_SPIKE_DAY else days / 2
    spike_day = check_number("spike_day", spike_day, 0, days)
    spike_size = check_number("spike_size", spike_size, 1, 20)
    spike_hours = check_number("spike_hours", spike_hours, 0, 24 * 30)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    n = max(1, round(days * MINUTES_PER_DAY / step))
    if n > MAX_STEPS:
        raise ValueError(f"days / step_minutes gives {n} steps; at most {MAX_STEPS} are allowed")

    t_days = np.arange(n) * (step / MINUTES_PER_DAY)
    hour_angle = 2 * np.pi * (t_days - peak_hour / 24)
    cores = mean * (1 + amplitude * np.cos(hour_angle))
    cores *= np.exp(np.log1p(growth) * t_days / DAYS_PER_YEAR)
    if noise > 0:
        rng = np.random.default_rng(seed)
        cores *= np.maximum(0.0, 1 + noise * rng.standard_normal(n))
    in_spike = (t_days >= spike_day) & (t_days < spike_day + spike_hours / 24)
    cores[in_spike] *= spike_size
    return DemandCurve(cores, step)
