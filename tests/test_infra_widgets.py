"""Chapter 01 interactives driven as a learner would: set a control, read the figure."""

import re

import numpy as np
import pytest

import msa_course
from msa_course.infra import charts
from msa_course.infra.widgets import (
    VIEWS,
    consolidation_explorer,
    hosting_table,
    provisioning_explorer,
)


@pytest.fixture(scope="module")
def explorer():
    msa_course.setup_notebook()
    return provisioning_explorer(days=120, step_minutes=10)


CAPACITY, SHORTFALL, DEMAND = range(3)
STRATEGIES = 5  # peak, p50, private cloud, VMs, containers


def _trace(ex, panel, which):
    """panel 0-4 (strategy); which: CAPACITY, SHORTFALL (the shaded top) or DEMAND."""
    return np.asarray(ex.figure.data[3 * panel + which].y, dtype=float)


def _bar(ex, metric):
    """metric 0 cost, 1 utilisation, 2 unmet (one value per strategy)."""
    return np.asarray(ex.figure.data[3 * STRATEGIES + metric].y, dtype=float)


def test_explorer_has_one_figure_and_every_control(explorer):
    # 5 panels x 3 traces, 3 metrics, the NRDC band's legend entry
    assert len(explorer.figure.data) == 3 * STRATEGIES + 3 + 1
    assert set(explorer.controls) == {
        "spike_size",
        "spike_day",
        "annual_growth",
        "percentile",
        "bare_metal_lead_weeks",
        "pool_headroom",
        "vm_lead_minutes",
        "container_lead_seconds",
        "bare_metal_price",
        "vm_price",
        "container_price",
        "view",
    }
    assert "<table" in explorer.side.value and "SLO" in explorer.side.value
    assert "msa-static-figure" in explorer._repr_mimebundle_()["text/html"]


def test_spike_controls_move_and_grow_the_spike(explorer):
    explorer.controls["view"].value = VIEWS[1]
    explorer.controls["spike_size"].value = 6.0
    explorer.controls["spike_day"].value = 40
    demand = _trace(explorer, 0, DEMAND)
    days = np.asarray(explorer.figure.data[DEMAND].x)
    assert days[np.argmax(demand)] == pytest.approx(40, abs=2 / 24)
    explorer.controls["spike_size"].value = 1.0
    assert _trace(explorer, 0, DEMAND).max() < demand.max() / 2
    explorer.controls["spike_size"].value = 3.0
    explorer.controls["view"].value = VIEWS[0]


def test_growth_raises_late_demand(explorer):
    before = _trace(explorer, 0, DEMAND)[-5:].mean()
    explorer.controls["annual_growth"].value = 300
    assert _trace(explorer, 0, DEMAND)[-5:].mean() > before * 1.1
    explorer.controls["annual_growth"].value = 50


def test_lead_times_increase_unmet_demand(explorer):
    for name, low, high, strategy in (
        ("vm_lead_minutes", 0, 60, 3),
        ("vm_lead_minutes", 0, 60, 2),  # the private cloud's VMs
        ("container_lead_seconds", 0, 600, 4),
        ("bare_metal_lead_weeks", 0, 8, 1),
    ):
        explorer.controls["annual_growth"].value = 300 if strategy == 1 else 50
        explorer.controls["percentile"].value = 90 if strategy == 1 else 50
        explorer.controls[name].value = low
        fast = _bar(explorer, 2)[strategy]
        explorer.controls[name].value = high
        slow = _bar(explorer, 2)[strategy]
        assert slow > fast, name
    explorer.controls["annual_growth"].value = 50
    explorer.controls["percentile"].value = 50


def test_percentile_trades_cost_for_unmet_demand(explorer):
    explorer.controls["percentile"].value = 20
    cheap_cost, cheap_unmet = _bar(explorer, 0)[1], _bar(explorer, 2)[1]
    explorer.controls["percentile"].value = 95
    assert _bar(explorer, 0)[1] > cheap_cost and _bar(explorer, 2)[1] < cheap_unmet
    explorer.controls["percentile"].value = 50


@pytest.mark.parametrize(
    "name, strategies",
    [("bare_metal_price", (0, 1, 2)), ("vm_price", (3,)), ("container_price", (4,))],
)
def test_prices_scale_cost(explorer, name, strategies):
    control = explorer.controls[name]
    original = control.value
    before = _bar(explorer, 0)
    control.value = original * 2
    after = _bar(explorer, 0)
    for i in range(STRATEGIES):
        expected = before[i] * 2 if i in strategies else before[i]
        assert after[i] == pytest.approx(expected, rel=1e-6)
    control.value = original


def test_view_zooms_on_the_spike(explorer):
    explorer.controls["spike_day"].value = 60  # mid-run, whatever the tests before it left
    explorer.controls["view"].value = VIEWS[1]
    days = np.asarray(explorer.figure.data[0].x)
    spike = explorer.controls["spike_day"].value
    assert days.min() >= spike - 1 and days.max() <= spike + 1
    explorer.controls["view"].value = VIEWS[0]
    assert np.asarray(explorer.figure.data[0].x).max() > spike + 5


def test_a_value_outside_the_model_range_shows_a_message(explorer):
    control = explorer.controls["spike_size"]
    count = explorer.update_count
    control.max = 50
    control.value = 50
    assert "spike_size" in explorer.message.value and "at most 20" in explorer.message.value
    assert explorer.update_count == count
    control.value = 3
    control.max = 10
    assert explorer.message.value == ""


def test_series_are_decimated():
    msa_course.setup_notebook()
    ex = provisioning_explorer()  # a year at 10-minute steps: 52,560 steps
    assert all(len(trace.x) <= 400 for trace in ex.figure.data)


def test_pool_headroom_buys_room_for_the_spike(explorer):
    explorer.controls["pool_headroom"].value = 0
    tight_cost, tight_unmet = _bar(explorer, 0)[2], _bar(explorer, 2)[2]
    explorer.controls["pool_headroom"].value = 200
    assert _bar(explorer, 0)[2] > tight_cost and _bar(explorer, 2)[2] < tight_unmet
    explorer.controls["pool_headroom"].value = 25


def test_each_bin_is_drawn_as_its_worst_step():
    demand = np.array([5, 9, 7, 1, 2, 3, 4, 8.0])
    unmet = np.array([0, 0, 2, 0, 0, 0, 0, 0.0])
    # bins of 3: the first missed at step 2 (not its busiest, step 1); the others missed
    # nothing, so they show their busiest steps; the last bin is shorter
    assert charts.worst_steps(demand, unmet, 3).tolist() == [2, 5, 7]
    assert charts.worst_steps(demand, unmet, 1).tolist() == list(range(8))


def test_unmet_demand_is_shaded_above_the_capacity_it_exceeds(explorer):
    """In the year view the bare metal bought for typical load misses every evening: its
    shading must sit above its capacity line, up to the demand, and nowhere else."""
    for panel in range(STRATEGIES):
        capacity = _trace(explorer, panel, CAPACITY)
        top, demand = _trace(explorer, panel, SHORTFALL), _trace(explorer, panel, DEMAND)
        np.testing.assert_allclose(top, np.maximum(demand, capacity))
        assert explorer.figure.data[3 * panel + SHORTFALL].fill == "tonexty"
    p50 = 1
    shaded = _trace(explorer, p50, SHORTFALL) > _trace(explorer, p50, CAPACITY)
    assert shaded.mean() > 0.5, "most days' worst step is an evening it missed"
    assert not (_trace(explorer, 0, SHORTFALL) > _trace(explorer, 0, CAPACITY)).any()


def test_consolidation_explorer_controls():
    msa_course.setup_notebook()
    ex = consolidation_explorer()
    ex.controls["n_services"].value = 20
    # the slider's 60 service slots (20 drawn), two capacity lines, bars, the NRDC band's key
    assert len(ex.figure.data) == 60 + 2 + 1 + 1
    assert [t.visible for t in ex.figure.data[19:21]] == [None, False]
    dedicated = ex.figure.data[60].y[0]
    ex.controls["server_cores"].value = 8
    assert ex.figure.data[60].y[0] < dedicated  # smaller machines waste less per service
    ex.controls["mean_cores"].value = 20.0
    assert "servers" in ex.side.value and ex.message.value == ""


def test_hosting_table_has_a_static_fallback():
    msa_course.setup_notebook()
    bundle = hosting_table()._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "public cloud" in data["text/html"] and "<table" in data["text/html"]


def test_hosting_table_resorts():
    table = hosting_table()
    table.controls["sort by"].value = "time to add capacity"
    first = table.table.value.index("public cloud")
    assert first < table.table.value.index("bare metal, bought")
    table.controls["order"].value = "descending"
    assert table.table.value.index("bare metal, bought") < table.table.value.index("public cloud")


def test_consolidation_axis_follows_the_demand_not_the_dedicated_servers():
    msa_course.setup_notebook()
    ex = consolidation_explorer()  # 8 services of ~2 cores: 8 dedicated servers, 256 cores
    top = ex.figure.layout.yaxis.range[1]
    stacked = sum(np.asarray(t.y, dtype=float) for t in ex.figure.data[:8])
    assert stacked.max() < top < 2 * stacked.max()
    assert ex.figure.data[60].y[0] > top, "the dedicated line is off the chart..."
    assert any("above the chart" in a.text for a in ex.figure.layout.annotations), "...and said so"


def _unmet(figure, panel: int) -> float:
    """Cores short on one strategy's panel, summed over its points (demand above capacity)."""
    capacity, _shaded, demand = (np.asarray(t.y, dtype=float) for t in figure.data[3 * panel :][:3])
    return float(np.maximum(0.0, demand - capacity).sum())


def test_static_provisioning_shows_the_three_states_of_its_notice():
    """Chapter 01's Notice: around the spike the private cloud misses it, more headroom closes
    the gap; with fast growth and slow purchases bare metal for typical load falls behind."""
    msa_course.setup_notebook()
    provisioning = provisioning_explorer(days=240)
    spike, headroom, growth = provisioning.static_states()
    assert "spike" in spike.caption and "headroom at 200 %" in headroom.caption
    assert "200 % growth" in growth.caption and "20 weeks" in growth.caption
    for state in (spike, headroom):
        days = np.asarray(state.figure.data[0].x)
        assert days.min() >= 199 and days.max() <= 201, "the two days around the spike"
    assert _unmet(spike.figure, 2) > 10 * _unmet(headroom.figure, 2), "headroom closes the gap"
    assert _unmet(spike.figure, 1) > 0 and _unmet(spike.figure, 0) == 0  # typical load / peak
    assert np.asarray(growth.figure.data[0].x).max() > 230, "the whole run"
    assert "SLO-violation minutes" in spike.side
    p50 = [re.search(r"sized for p50</td><td>[^<]*</td><td>[^<]*</td><td>([\d.]+)%", s.side)
           for s in (spike, growth)]  # fmt: skip
    assert float(p50[1][1]) > 2 * float(p50[0][1]), "typical-load bare metal falls behind"
    assert np.asarray(provisioning.figure.data[0].x).max() > 201, "the live one shows the year"


def test_static_consolidation_shows_the_four_states_of_its_notice():
    """Chapter 01's Notice, as its Try this reaches it: 8 then 40 small services (dedicated at
    about 6 %, the pool 1 then 3 servers), then bigger services and smaller servers, where the
    dedicated bar passes the NRDC's grey band (12-18 %)."""
    msa_course.setup_notebook()
    explorer = consolidation_explorer()
    states = explorer.static_states()
    assert [s.caption for s in states] == [
        "8 services of about 2 cores each on 32-core servers (the start).",
        "40 such services.",
        "40 services of about 30 cores each.",
        "40 services of about 30 cores each on 8-core servers.",
    ]
    drawn = [
        sum(t.stackgroup == "services" and t.visible is not False for t in s.figure.data[:60])
        for s in states
    ]
    assert drawn == [8, 40, 40, 40]
    rows = [re.findall(r"<td>(\d+)</td><td>\d+</td><td>([\d.]+)%</td>", s.side) for s in states]
    dedicated = [float(r[0][1]) for r in rows]
    assert [r[1][0] for r in rows[:2]] == ["1", "3"], "the shared pool: 1 server, then 3"
    assert all(5 <= d <= 7 for d in dedicated[:2]) and all(d > 18 for d in dedicated[2:])
    assert explorer.values["n_services"] == 8, "the live explorer keeps its own start"


def test_consolidation_chart_draws_each_bin_at_its_busiest_step():
    """A week of 5-minute steps is thinned for the browser, but the top of the stack still
    shows every bin's highest total, and so the peak of the sum the shared pool is sized for."""
    from msa_course.infra.consolidation import dedicated_vs_shared, service_demands

    demands = service_demands(12, mean_cores=3.0, days=7, step_minutes=5, seed=1)
    result = dedicated_vs_shared(demands, 32)
    figure = charts.consolidation_chart(demands, result, step_minutes=5)
    services = [t for t in figure.data if getattr(t, "stackgroup", None) == "services"]
    stacked = sum(np.asarray(t.y, dtype=float) for t in services)
    total = demands.sum(axis=0)
    size = len(total) // len(stacked)
    assert len(stacked) <= 200 < len(total) and len(total) % size == 0
    np.testing.assert_allclose(stacked, total.reshape(-1, size).max(axis=1))
    assert stacked.max() == pytest.approx(result.peak_of_sum)
    assert f"busiest step of {size * 5:g} min" in figure.layout.xaxis.title.text
