"""Chapter 01 interactives driven as a learner would: set a control, read the figure."""

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


def _trace(ex, panel, which):
    """panel 0-3 (strategy), which 0 served / 1 demand / 2 capacity."""
    return np.asarray(ex.figure.data[3 * panel + which].y, dtype=float)


def _bar(ex, metric):
    """metric 0 cost, 1 utilisation, 2 unmet (one value per strategy)."""
    return np.asarray(ex.figure.data[12 + metric].y, dtype=float)


def test_explorer_has_one_figure_and_every_control(explorer):
    assert len(explorer.figure.data) == 15  # 4 panels x 3 traces, 3 metrics (NRDC is a band)
    assert set(explorer.controls) == {
        "spike_size",
        "spike_day",
        "annual_growth",
        "percentile",
        "bare_metal_lead_weeks",
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
    demand = _trace(explorer, 0, 1)
    days = np.asarray(explorer.figure.data[1].x)
    assert days[np.argmax(demand)] == pytest.approx(40, abs=2 / 24)
    explorer.controls["spike_size"].value = 1.0
    assert _trace(explorer, 0, 1).max() < demand.max() / 2
    explorer.controls["spike_size"].value = 3.0
    explorer.controls["view"].value = VIEWS[0]


def test_growth_raises_late_demand(explorer):
    before = _trace(explorer, 0, 1)[-5:].mean()
    explorer.controls["annual_growth"].value = 300
    assert _trace(explorer, 0, 1)[-5:].mean() > before * 1.1
    explorer.controls["annual_growth"].value = 50


def test_lead_times_increase_unmet_demand(explorer):
    for name, low, high, strategy in (
        ("vm_lead_minutes", 0, 60, 2),
        ("container_lead_seconds", 0, 600, 3),
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
    [("bare_metal_price", (0, 1)), ("vm_price", (2,)), ("container_price", (3,))],
)
def test_prices_scale_cost(explorer, name, strategies):
    control = explorer.controls[name]
    original = control.value
    before = _bar(explorer, 0)
    control.value = original * 2
    after = _bar(explorer, 0)
    for i in range(4):
        expected = before[i] * 2 if i in strategies else before[i]
        assert after[i] == pytest.approx(expected, rel=1e-6)
    control.value = original


def test_view_zooms_on_the_spike(explorer):
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


def test_bins_keep_areas(explorer):
    x = np.arange(1000.0)
    size = charts.bin_steps(len(x), 1.0, 30)
    assert len(charts.bin_means(x, size)) <= 30
    assert charts.bin_means(x, size) @ np.diff(np.append(np.arange(0, 1000, size), 1000)) == (
        pytest.approx(x.sum())
    )


def test_consolidation_explorer_controls():
    msa_course.setup_notebook()
    ex = consolidation_explorer()
    ex.controls["n_services"].value = 20
    assert len(ex.figure.data) == 20 + 2 + 1  # services, two capacity lines, bars (NRDC is a band)
    dedicated = ex.figure.data[20].y[0]
    ex.controls["server_cores"].value = 8
    assert ex.figure.data[20].y[0] < dedicated  # smaller machines waste less per service
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
