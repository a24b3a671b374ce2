"""Chapter 01 provisioning model: hand-checked cases, monotone effects, rejected parameters."""

import math
import subprocess
import sys

import numpy as np
import pytest

from msa_course import infra
from msa_course.infra import hosting
from msa_course.infra.demand import DemandCurve, demand_curve
from msa_course.infra.provisioning import rolling_min, simulate
from msa_course.infra.strategies import (
    Strategy,
    bare_metal_peak,
    bare_metal_percentile,
    container_autoscaled,
    private_cloud,
    vm_autoscaled,
)


@pytest.fixture(scope="module")
def month():
    return demand_curve(days=28, step_minutes=1, seed=3)


def autoscale(lead_minutes, unit=1.0, target=1.0, min_units=0, price=1.0):
    return Strategy(
        "a",
        "autoscale",
        unit,
        price,
        lead_time_minutes=lead_minutes,
        target_utilisation=target,
        min_units=min_units,
    )


def test_peak_strategy_buys_whole_servers_for_the_peak_and_never_misses():
    r = simulate(
        [10, 50, 65, 20], bare_metal_peak(unit_cores=32, price_per_unit_hour=2.0), step_minutes=60
    )
    assert r.capacity.tolist() == [96.0] * 4  # ceil(65 / 32) = 3 servers
    assert r.unmet.sum() == 0
    assert r.cost == pytest.approx(3 * 2.0 * 4)  # 3 servers x $2/h x 4 h
    assert r.mean_utilisation == pytest.approx(145 / (96 * 4))


def test_exact_multiple_of_the_unit_does_not_buy_an_extra_server():
    r = simulate([64.0], bare_metal_peak(unit_cores=32))
    assert r.capacity[0] == 64


def test_autoscaler_with_a_one_step_lead_misses_the_rise_then_catches_up():
    r = simulate([2, 2, 6, 6, 1], autoscale(lead_minutes=1))
    assert r.capacity.tolist() == [2, 2, 2, 6, 1]
    assert r.unmet.tolist() == [0, 0, 4, 0, 0]
    assert r.provisioned.tolist() == [2, 2, 6, 6, 1]  # booting units are paid for
    assert r.slo_violation_minutes == 1


def test_a_fractional_lead_time_serves_part_of_the_step():
    r = simulate([2, 6], autoscale(lead_minutes=0.25))
    # 1/4 of step 1 with the old 2 units, 3/4 with 6: unmet 4 cores for a quarter of the step
    assert r.unmet.tolist() == pytest.approx([0, 1.0])


def test_target_utilisation_adds_headroom():
    r = simulate([7.0], autoscale(0, unit=1, target=0.7))
    assert r.provisioned[0] == 10


def test_percentile_purchases_arrive_after_the_lead_time_and_are_kept():
    days = 10
    d = np.concatenate([np.full(3 * 1440, 10.0), np.full(7 * 1440, 40.0)])
    s = Strategy(
        "p",
        "percentile",
        10,
        1.0,
        lead_time_minutes=2 * 1440,
        percentile=50,
        review_days=4,
        window_days=1,
    )
    r = simulate(d, s)
    day = r.demand.days
    assert r.capacity[day < 6].max() == 10  # order at day 4, arrives day 6
    assert (r.capacity[day >= 6] == 40).all()
    assert (np.diff(r.capacity) >= 0).all()
    assert len(r.demand) == days * 1440


def test_private_cloud_serves_fast_while_the_pool_has_room_and_grows_it_slowly():
    """4-core VMs in a pool of 32-core servers, planned each day for the last day's peak VM
    need plus 50%, purchases arriving a day later: inside the pool a rise waits only for the
    VMs' 10-minute lead time; past the pool it waits for servers."""
    d = np.concatenate([np.full(1440, 20.0), np.full(1440, 40.0), np.full(3 * 1440, 80.0)])
    s = Strategy(
        "pool",
        "private",
        32,
        1.0,
        lead_time_minutes=10,
        percentile=100,
        review_days=1,
        window_days=1,
        target_utilisation=1.0,
        vm_cores=4,
        headroom=0.5,
        purchase_lead_minutes=1440,
    )
    r = simulate(d, s)
    day = r.demand.days
    # reviews at days 1, 2, 3 see 20, 40, 80 cores (x 1.5 = 30, 60, 120): 1, 2, 4 servers,
    # each arriving a day later
    assert (r.provisioned[day < 3] == 32).all()
    assert (r.provisioned[(day >= 3) & (day < 4)] == 64).all()
    assert (r.provisioned[day >= 4] == 128).all()
    assert (r.capacity <= r.provisioned).all()
    first = (day >= 1) & (day < 1 + 10 / 1440)
    assert (r.unmet[first] == 20).all(), "a rise waits for the VM lead time"
    assert (r.unmet[(day >= 1 + 10 / 1440) & (day < 2)] == 8).all(), "then for the pool: 32"
    assert (r.unmet[(day >= 3 + 10 / 1440) & (day < 4)] == 16).all()
    assert r.unmet[day >= 4 + 10 / 1440].sum() == 0, "a pool with room serves it all"
    assert r.cost == pytest.approx(r.provisioned.sum() / 32 / 60)  # the pool is paid for


def test_private_cloud_misses_a_spike_the_pool_has_no_room_for():
    year = demand_curve(step_minutes=10)
    r = simulate(year, private_cloud())
    spike = (year.days >= 200) & (year.days < 200 + 2 / 24)
    assert r.unmet[spike].sum() > 0.5 * r.unmet.sum()
    assert simulate(year, private_cloud(headroom=5)).unmet[spike].sum() < r.unmet[spike].sum()


def test_served_plus_unmet_is_demand_for_every_default_strategy(month):
    for r in infra.simulate_all(month, infra.default_strategies()):
        np.testing.assert_allclose(r.served + r.unmet, month.cores, rtol=1e-12, atol=1e-9)
        assert (r.served <= r.capacity + 1e-9).all()
        assert (r.capacity <= r.provisioned + 1e-9).all()


@pytest.mark.parametrize(
    "make, leads",
    [
        (lambda lead: vm_autoscaled(lead_time_minutes=lead), (0, 0.5, 1, 3, 10, 30)),
        (lambda lead: container_autoscaled(lead_time_seconds=lead), (0, 5, 30, 60, 90, 600)),
    ],
)
def test_longer_autoscaling_lead_time_never_serves_more(month, make, leads):
    unmet = [simulate(month, make(lead)).unmet_fraction for lead in leads]
    assert all(a <= b + 1e-12 for a, b in zip(unmet, unmet[1:], strict=False))
    assert unmet[-1] > unmet[0]


def test_longer_procurement_lead_time_never_serves_more():
    growing = demand_curve(days=150, step_minutes=60, annual_growth=5, seed=2)
    unmet = [
        simulate(growing, bare_metal_percentile(lead_time_weeks=w, review_days=7)).unmet_fraction
        for w in (0, 1, 2, 4, 8, 16)
    ]
    assert all(a <= b + 1e-12 for a, b in zip(unmet, unmet[1:], strict=False))
    assert unmet[-1] > unmet[0]


def test_defaults_reproduce_the_chapter_story():
    rs = {
        r.strategy.kind + r.strategy.name: r.summary()
        for r in infra.simulate_all(demand_curve(step_minutes=10), infra.default_strategies())
    }
    peak, p50, private, vms, containers = rs.values()
    assert peak["unmet_fraction"] == 0 and peak["mean_utilisation"] < 0.35
    assert p50["unmet_fraction"] > 0.05
    assert vms["cost"] < private["cost"] < peak["cost"] and containers["cost"] < peak["cost"]
    assert vms["slo_violation_minutes"] < private["slo_violation_minutes"]
    assert private["slo_violation_minutes"] < p50["slo_violation_minutes"]
    assert containers["unmet_fraction"] < vms["unmet_fraction"]
    assert containers["cost"] > vms["cost"], "per core a container costs more than its VM"


def test_demand_curve_parts():
    flat = demand_curve(days=2, daily_amplitude=0, annual_growth=0, noise=0, spike_size=1)
    assert np.allclose(flat.cores, 100)
    cycle = demand_curve(
        days=1, step_minutes=60, annual_growth=0, noise=0, spike_size=1, peak_hour=20
    )
    assert int(np.argmax(cycle.cores)) == 20
    spiked = demand_curve(
        days=2,
        step_minutes=60,
        daily_amplitude=0,
        annual_growth=0,
        noise=0,
        spike_day=1,
        spike_size=3,
        spike_hours=2,
    )
    assert spiked.cores.tolist() == [100] * 24 + [300] * 2 + [100] * 22
    grown = demand_curve(
        days=365, step_minutes=1440, daily_amplitude=0, annual_growth=1, noise=0, spike_size=1
    )
    assert grown.cores[-1] == pytest.approx(200 * 2 ** (-1 / 365))
    assert (demand_curve(seed=1, days=3).cores == demand_curve(seed=1, days=3).cores).all()
    assert not (demand_curve(seed=1, days=3).cores == demand_curve(seed=2, days=3).cores).all()


def test_rolling_min_matches_the_definition():
    x = np.random.default_rng(0).random(500)
    for w in (1, 2, 3, 7, 16, 17, 64, 499, 500, 900):
        expected = [
            min(x[max(0, i - w + 1) : i + 1].min(), x[0])
            if i < w - 1
            else x[i - w + 1 : i + 1].min()
            for i in range(len(x))
        ]
        np.testing.assert_array_equal(rolling_min(x, w), expected)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: DemandCurve([]), ["demand", "at least 1 step"]),
        (lambda: DemandCurve([1, float("nan"), 2]), ["demand", "finite", ">= 0", "step 1"]),
        (lambda: DemandCurve([1, -2]), ["demand", ">= 0", "-2"]),
        (lambda: DemandCurve([[1, 2]]), ["demand", "one-dimensional"]),
        (lambda: DemandCurve([1], step_minutes=0), ["step_minutes", "greater than 0"]),
        (
            lambda: bare_metal_peak(price_per_unit_hour=-1),
            ["price_per_unit_hour", "at least 0", "-1"],
        ),
        (
            lambda: bare_metal_percentile(percentile=120),
            ["percentile", "at least 0", "at most 100", "120"],
        ),
        (lambda: bare_metal_percentile(percentile=float("nan")), ["percentile", "nan"]),
        (lambda: vm_autoscaled(lead_time_minutes=-5), ["lead_time_minutes", "at least 0"]),
        (lambda: vm_autoscaled(target_utilisation=0), ["target_utilisation", "greater than 0"]),
        (lambda: container_autoscaled(unit_cores="two"), ["unit_cores", "'two'"]),
        (lambda: Strategy("x", "magic", 1, 1), ["kind", "peak"]),
        (lambda: demand_curve(days=30, spike_day=40), ["spike_day", "at most 30", "40"]),
        (lambda: demand_curve(spike_size=0.5), ["spike_size", "at least 1"]),
        (lambda: demand_curve(annual_growth=True), ["annual_growth", "True"]),
        (
            lambda: simulate([1, 2], bare_metal_peak(), slo_max_unmet_share=2),
            ["slo_max_unmet_share", "at most 1"],
        ),
        (lambda: simulate([1, 2], "peak"), ["strategy", "Strategy"]),
        (lambda: infra.service_demands(0), ["n_services", "between 1 and 200"]),
        (lambda: infra.dedicated_vs_shared([1, 2]), ["demands", "2-D"]),
        (lambda: hosting.sorted_options("colour"), ["by", "time to add capacity"]),
    ],
)
def test_bad_parameters_are_named_with_their_range(call, words):
    with pytest.raises(ValueError) as err:
        call()
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_dedicated_machines_per_microservice_vs_a_shared_pool():
    demands = infra.service_demands(10, mean_cores=2, days=2, seed=1)
    c = infra.dedicated_vs_shared(demands, server_cores=32)
    assert c.dedicated_servers == 10  # each small service still needs a whole machine
    assert c.shared_servers == math.ceil(demands.sum(axis=0).max() / 32)
    assert c.peak_of_sum <= c.sum_of_peaks
    assert c.shared_utilisation > c.dedicated_utilisation


def test_hosting_table_sorts_by_rank():
    rows = hosting.sorted_options("time to add capacity")
    assert [r["time to add capacity"][0] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["option"].startswith("public cloud")
    assert hosting.sorted_options("up-front cost", descending=True)[0]["up-front cost"][0] == 3
    names = {r["option"] for r in hosting.OPTIONS}
    assert any("베어 메탈" in n for n in names) and any("프라이빗" in n for n in names)


def test_model_modules_load_no_view_library():
    code = (
        "import sys, msa_course.infra, msa_course.infra.hosting; "
        "bad = [m for m in ('plotly', 'ipywidgets', 'IPython') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
