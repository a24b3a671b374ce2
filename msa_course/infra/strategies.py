"""Ways to provide capacity for a demand curve: buy servers, or rent virtual ones on demand.

Five strategies, as chapter 01 compares them:

- `bare_metal_peak`: buy enough physical servers for the highest demand, once.
- `bare_metal_percentile`: buy for a percentile of recent demand (50 = the typical load),
  re-plan every few weeks, and wait weeks for each purchase to arrive.
- `private_cloud`: your own pool of servers, run as a cloud: VMs start in minutes while the
  pool has room; growing the pool is a server purchase again, weeks away.
- `vm_autoscaled`: rent virtual machines in a public cloud; an autoscaler adds one when needed
  and it serves traffic minutes later.
- `container_autoscaled`: start containers on existing nodes; they serve seconds later.

Only the *order of magnitude* of lead times is sourced; prices are not sourced at all. Every
such default is a parameter, and its docstring says where it comes from
(`docs/figures.md` section numbers) or that it is an illustrative assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

from msa_course.i18n import N_
from msa_course.infra._checks import check_int, check_number

KINDS = ("peak", "percentile", "autoscale", "private")
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
    - kind "private": a pool of servers (`unit_cores` each, paid for whether used or not)
      bought like "percentile" for the `percentile` of the VM capacity the last `window_days`
      needed, plus `headroom`, each purchase arriving `purchase_lead_minutes` after the order.
      Inside the pool, VMs of `vm_cores` follow demand like "autoscale" (`lead_time_minutes`,
      `target_utilisation`, `min_units`), but only as many as the pool holds.

    `name` stays English (answers and summaries compare it); views show it through `tr()`.
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
    vm_cores: float = 0.0
    headroom: float = 0.0
    purchase_lead_minutes: float = 0.0

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
            "headroom": check_number("headroom", self.headroom, 0, 10),
            "purchase_lead_minutes": check_number(
                "purchase_lead_minutes", self.purchase_lead_minutes, 0, MAX_LEAD_MINUTES
            ),
        }
        if self.kind == "private":
            checked["vm_cores"] = check_number(
                "vm_cores", self.vm_cores, 0, checked["unit_cores"], low_open=True
            )
        for field, value in checked.items():
            object.__setattr__(self, field, value)


def bare_metal_peak(*, unit_cores: float = 32, price_per_unit_hour: float = 1.2) -> Strategy:
    """Physical servers bought once, enough for the peak.

    32 cores per server and $1.20 per server-hour (purchase, power, space and staff spread
    over the server's life) are illustrative assumptions: figures.md gives no price.
    The NRDC found on-premises servers at "no more than 12 to 18 percent" utilisation
    (figures.md §6, secondary source [S]); buying for the peak is one reason.
    """
    return Strategy(N_("bare metal, sized for the peak"), "peak", unit_cores, price_per_unit_hour)


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
        N_(f"bare metal, sized for p{percentile:g}"),
        "percentile",
        unit_cores,
        price_per_unit_hour,
        lead_time_minutes=lead * 7 * 1440,
        percentile=percentile,
        review_days=review_days,
        window_days=window_days,
    )


def private_cloud(
    *,
    headroom: float = 0.25,
    percentile: float = 99,
    purchase_lead_weeks: float = 6,
    vm_lead_time_minutes: float = 5,
    review_days: float = 28,
    window_days: float = 28,
    target_utilisation: float = 0.7,
    vm_cores: float = 4,
    unit_cores: float = 32,
    price_per_unit_hour: float = 1.2,
) -> Strategy:
    """Your own servers run as a cloud (NIST SP 800-145: "provisioned for exclusive use by a
    single organization"; figures.md §5): fast while the pool has room, slow to grow.

    Every 4 weeks the pool is planned for the 99th percentile of the VM capacity the last 4
    weeks needed (so a spike of a few hours buys no servers) plus `headroom` (25%), and each
    purchase arrives `purchase_lead_weeks` later, like bought bare metal. Inside the pool, VMs start `vm_lead_time_minutes` after they are asked for, as in a
    public cloud. All of these are illustrative assumptions (figures.md gives no private-cloud
    figures). The servers and their price are the bare-metal ones; the cost of the cloud
    software and of the team that runs it is left out.
    """
    lead = check_number("purchase_lead_weeks", purchase_lead_weeks, 0, 52)
    return Strategy(
        N_("private cloud"),
        "private",
        unit_cores,
        price_per_unit_hour,
        lead_time_minutes=vm_lead_time_minutes,
        percentile=percentile,
        review_days=review_days,
        window_days=window_days,
        target_utilisation=target_utilisation,
        vm_cores=vm_cores,
        headroom=headroom,
        purchase_lead_minutes=lead * 7 * 1440,
    )


def vm_autoscaled(
    *,
    lead_time_minutes: float = 5,
    target_utilisation: float = 0.7,
    unit_cores: float = 4,
    price_per_unit_hour: float = 0.2,
) -> Strategy:
    """Virtual machines in a public cloud, added and removed by an autoscaler.

    Lead time: cloud VM boot is "tens of seconds" as an order of magnitude (figures.md §1,
    not verified); with the time to notice the load and start the application, 5 minutes is
    an illustrative assumption. Target utilisation: no authoritative cloud figure exists
    (figures.md §6), so 0.7 is an illustrative setting. Size and price are illustrative.
    """
    return Strategy(
        N_("VMs, autoscaled"),
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

    Price: $0.03 per 0.5-core container-hour is the VM's $0.05 per core-hour plus 20% for what
    a cluster pays besides its pods: node space no pod uses, system pods, the control plane.
    So per core a container costs more than the VM it runs on (illustrative assumption).
    Target utilisation and size are illustrative assumptions too.
    """
    lead = check_number("lead_time_seconds", lead_time_seconds, 0, 86_400)
    return Strategy(
        N_("containers, autoscaled"),
        "autoscale",
        unit_cores,
        price_per_unit_hour,
        lead_time_minutes=lead / 60,
        target_utilisation=target_utilisation,
    )


def default_strategies() -> list[Strategy]:
    """The five strategies chapter 01 compares, with their default parameters."""
    return [
        bare_metal_peak(),
        bare_metal_percentile(),
        private_cloud(),
        vm_autoscaled(),
        container_autoscaled(),
    ]
