"""Properties of the provisioning model over random demand curves (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_course import infra
from msa_course.infra.provisioning import simulate
from msa_course.infra.strategies import Strategy

curves = st.lists(st.floats(0, 500, allow_nan=False), min_size=1, max_size=300)
kinds = st.sampled_from(["peak", "percentile", "autoscale", "private"])


@st.composite
def strategies(draw):
    unit = draw(st.floats(0.25, 64))
    return Strategy(
        "s",
        draw(kinds),
        unit_cores=unit,
        vm_cores=draw(st.floats(0.25, 64).filter(lambda v: v <= unit)),
        headroom=draw(st.floats(0, 2)),
        purchase_lead_minutes=draw(st.floats(0, 5000)),
        price_per_unit_hour=draw(st.floats(0, 10)),
        lead_time_minutes=draw(st.floats(0, 5000)),
        percentile=draw(st.floats(0, 100)),
        review_days=1,
        window_days=draw(st.floats(0.01, 2)),
        target_utilisation=draw(st.floats(0.05, 1)),
        min_units=draw(st.integers(0, 3)),
    )


@settings(max_examples=150, deadline=None)
@given(curves, strategies(), st.sampled_from([1.0, 5.0, 60.0]))
def test_conservation_and_bounds(cores, strategy, step):
    r = simulate(cores, strategy, step_minutes=step)
    d = np.asarray(cores)
    np.testing.assert_allclose(r.served + r.unmet, d, atol=1e-9)
    assert (r.unmet >= 0).all() and (r.served >= -1e-12).all()
    assert (r.served <= np.minimum(d, r.capacity) + 1e-9).all()
    assert (r.capacity <= r.provisioned + 1e-9).all()
    assert 0 <= r.mean_utilisation <= 1 + 1e-9
    assert 0 <= r.unmet_fraction <= 1 + 1e-9
    assert 0 <= r.slo_violation_minutes <= len(d) * step
    assert r.cost >= 0


@settings(max_examples=100, deadline=None)
@given(curves, strategies(), st.floats(0, 3000), st.floats(0, 3000))
def test_more_lead_time_never_serves_more(cores, strategy, lead_a, lead_b):
    short, long_ = sorted((lead_a, lead_b))
    fields = {k: getattr(strategy, k) for k in strategy.__dataclass_fields__}
    for lead in ("lead_time_minutes", "purchase_lead_minutes"):
        a = simulate(cores, Strategy(**{**fields, lead: short}))
        b = simulate(cores, Strategy(**{**fields, lead: long_}))
        assert (b.served <= a.served + 1e-9).all(), lead


@settings(max_examples=100, deadline=None)
@given(curves, st.floats(0.25, 64))
def test_buying_for_the_peak_never_misses_and_autoscaling_without_lead_never_misses(cores, unit):
    assert simulate(cores, infra.bare_metal_peak(unit_cores=unit)).unmet.sum() <= 1e-9
    instant = Strategy("i", "autoscale", unit, 1.0, lead_time_minutes=0)
    assert simulate(cores, instant).unmet.sum() <= 1e-9


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(0, 50, allow_nan=False), min_size=5, max_size=5), min_size=1, max_size=12
    ),
    st.sampled_from([4, 16, 32]),
)
def test_a_shared_pool_never_needs_more_servers_than_dedicated_ones(rows, server):
    c = infra.dedicated_vs_shared(rows, server)
    assert c.peak_of_sum <= c.sum_of_peaks + 1e-9
    assert c.shared_servers <= c.dedicated_servers
    assert c.dedicated_servers >= len(rows)
