"""Ways to provide capacity for a demand curve: buy servers, or rent virtual ones on demand.

Four strategies, as chapter 01 compares them:

- `bare_metal_peak`: buy enough physical servers for the highest demand, once.
- `bare_metal_percentile`: buy for a percentile of recent demand (50 = the typical load),
  re-plan every few weeks, and wait weeks for each purchase to arrive.
- `vm_autoscaled`: rent virtual machines; an autoscaler adds one when needed and it serves
  traffic minutes later.
- `container_autoscaled`: start containers on existing nodes; they serve seconds later.

Only the *order of magnitude* of lead times is sourced; prices are not sourced at all. Every
such default is a parameter, and its docstring says where it comes from
(`docs/figures.md` section numbers) or that it is an illustrative assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

from msa_course.infra._checks import check_int, check_number

KINDS = ("peak", "percentile", "autoscale")
MAX_LEAD_MINUTES = 365 * 1440


@dataclass(frozen=True)
class Strategy:
    """How capacity is provided, in units of `unit_cores` cores costing `price_per_unit_hour`.

    - kind "peak": a fixed number of units, enough for the curve's highest step.
    - kind "percentile": the `percentile` of the last `window_days` of demand, re-planned
      every `review_days`; each purchase serves `lead_time_minutes` after it is ordered.
      Bought servers are kept, so capacity never falls.
    - kind "autoscale": units follow demand so that each runs at `target_utilisation`
      (at least `min_units`); a new unit serves `lead_time_minutes` after the autoscaler asks
      for it, and is paid for from that moment.
    """

    name: str
    kind: str
    unit_cores: float
    price_per_unit_hour: float
    lead_time_minutes: float = 0.0
    percentile: float = 100.0
    review_days: float = 28.0
    window_days: float = 28.0
    target_utilisation: float = 0.7
    min_units: int = 1

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        checked = {
            "unit_cores": check_number("unit_cores", self.unit_cores, 0, 1024, low_open=True),
            "price_per_unit_hour": check_number(
                "price_per_unit_hour", self.price_per_unit_hour, 0, 10_000
            ),
            "lead_time_minutes": check_number(
                "lead_time_minutes", self.lead_time_minutes, 0, MAX_LEAD_MINUTES
            ),
            "percentile": check_number("percentile", self.percentile, 0, 100),
            "review_days": check_number("review_days", self.review_days, 1, 365),
            "window_days": check_number("window_days", self.window_days, 0, 365, low_open=True),
            "target_utilisation": check_number(
                "target_utilisation", self.target_utilisation, 0, 1, low_open=True
            ),
            "min_units": check_int("min_units", self.min_units, 0, 1_000_000),
        }
        for field, value in checked.items():
            object.__setattr__(self, field, value)

    @property
    def price_per_core_hour(self) -> float:
        return self.price_per_unit_hour / self.unit_cores


def bare_metal_peak(*, unit_cores: float = 32, price_per_unit_hour: float = 1.2) -> Strategy:
    """Physical servers bought once, enough for the peak.

    32 cores per server and $1.20 per server-hour (purchase, power, space and staff spread
    over the server's life) are illustrative assumptions: figures.md gives no price.
    The NRDC found on-premises servers at "no more than 12 to 18 percent" utilisation
    (figures.md §6, secondary source [S]); buying for the peak is one reason.
    """
    return Strategy("bare metal, sized for the peak", "peak", unit_cores, price_per_unit_hour)


def bare_metal_percentile(
    *,
    percentile: float = 50,
    lead_time_weeks: float = 6,
    review_days: float = 28,
    window_days: float = 28,
    unit_cores: float = 32,
    price_per_unit_hour: float = 1.2,
) -> Strategy:
    """Physical servers bought for typical load (the median of the last 4 weeks), re-planned
    every 4 weeks, each purchase arriving `lead_time_weeks` after the order.

    Lead time, planning cadence, size and price are illustrative assumptions (figures.md has
    no procurement figures); the lead time is "weeks" because buying, shipping, racking and
    cabling a physical server is a purchasing process, not an API call.
    """
    lead = check_number("lead_time_weeks", lead_time_weeks, 0, 52)
    return Strategy(
        f"bare metal, sized for p{percentile:g}",
        "percentile",
        unit_cores,
        price_per_unit_hour,
        lead_time_minutes=lead * 7 * 1440,
        percentile=percentile,
        review_days=review_days,
        window_days=window_days,
    )


def vm_autoscaled(
    *,
    lead_time_minutes: float = 5,
    target_utilisation: float = 0.7,
    unit_cores: float = 4,
    price_per_unit_hour: float = 0.2,
) -> Strategy:
    """Virtual machines added and removed by an autoscaler.

    Lead time: cloud VM boot is "tens of seconds" as an order of magnitude (figures.md §1,
    not verified); with the time to notice the load and start the application, 5 minutes is
    an illustrative assumption. Target utilisation: no authoritative cloud figure exists
    (figures.md §6), so 0.7 is an illustrative setting. Size and price are illustrative.
    """
    return Strategy(
        "VMs, autoscaled",
        "autoscale",
        unit_cores,
        price_per_unit_hour,
        lead_time_minutes=lead_time_minutes,
        target_utilisation=target_utilisation,
    )


def container_autoscaled(
    *,
    lead_time_seconds: float = 30,
    target_utilisation: float = 0.7,
    unit_cores: float = 0.5,
    price_per_unit_hour: float = 0.03,
) -> Strategy:
    """Containers added and removed by an autoscaler, on nodes that already have room.

    Lead time: Kubernetes' SLO for stateless pod start-up is p99 <= 5 s excluding image pull
    (figures.md §3 [V]) and a Docker container starts in about 100 ms (figures.md §1 [S]);
    with metrics collection and the autoscaler's 15 s sync period, 30 s is an illustrative
    assumption. If the nodes are full, new nodes are VMs and the VM lead time applies.
    Target utilisation, size and price are illustrative assumptions.
    """
    lead = check_number("lead_time_seconds", lead_time_seconds, 0, 86_400)
    return Strategy(
        "containers, autoscaled",
        "autoscale",
        unit_cores,
        price_per_unit_hour,
        lead_time_minutes=lead / 60,
        target_utilisation=target_utilisation,
    )


def default_strategies() -> list[Strategy]:
    """The four strategies chapter 01 compares, with their default parameters."""
    return [bare_metal_peak(), bare_metal_percentile(), vm_autoscaled(), container_autoscaled()]
