"""The hosting chooser: deterministic, explainable, and the properties the chapter promises."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_course.cloud import responsibility as resp
from msa_course.cloud.chooser import (
    ARCHITECTURES,
    FACTORS,
    LEVELS,
    TRAFFIC,
    Workload,
    choose,
)


@st.composite
def workloads(draw):
    architecture = draw(st.sampled_from(ARCHITECTURES))
    services = 1 if architecture == "monolith" else draw(st.integers(1, 120))
    return Workload(
        architecture=architecture,
        services=services,
        ops_capacity=draw(st.sampled_from(LEVELS)),
        portability=draw(st.sampled_from(LEVELS)),
        traffic=draw(st.sampled_from(TRAFFIC)),
        os_control=draw(st.sampled_from(LEVELS)),
        on_prem_required=draw(st.booleans()),
    )


@settings(max_examples=400, deadline=None)
@given(workloads(), st.sampled_from(LEVELS[1:]))
def test_raising_os_control_never_ranks_paas_above_iaas(w, higher):
    """If IaaS ranks above PaaS, it still does after the OS-control need goes up."""
    if LEVELS.index(higher) <= LEVELS.index(w.os_control):
        higher = LEVELS[-1]
    before = choose(w)
    after = choose(w.with_(os_control=higher))
    if before.rank("iaas") < before.rank("paas"):
        assert after.rank("iaas") < after.rank("paas")
    margin = lambda r: r.verdict("iaas").score - r.verdict("paas").score  # noqa: E731
    assert margin(after) >= margin(before)


@settings(max_examples=400, deadline=None)
@given(workloads())
def test_high_os_control_puts_iaas_above_paas_whenever_iaas_fits(w):
    ranking = choose(w.with_(os_control="high"))
    if ranking.verdict("iaas").fits:
        assert ranking.rank("iaas") < ranking.rank("paas")
    assert not ranking.verdict("paas").fits


@settings(max_examples=400, deadline=None)
@given(workloads())
def test_zero_operations_capacity_never_ranks_on_premises_first(w):
    assert choose(w.with_(ops_capacity="none")).order[0] != "on-premises"


@settings(max_examples=300, deadline=None)
@given(workloads())
def test_ranking_is_deterministic_complete_and_explained(w):
    a, b = choose(w), choose(w)
    assert a == b
    assert sorted(a.order) == sorted(resp.MODELS)
    for v in a.verdicts:
        assert v.reasons, f"{v.model} has no reason"
        assert {r.factor for r in v.reasons} <= set(FACTORS)
        assert v.score == sum(r.points for r in v.reasons)
    fits = [v.fits for v in a.verdicts]
    assert fits == sorted(fits, reverse=True), "a model that fits ranks above every blocked one"
    scores = [v.score for v in a.verdicts if v.fits]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=200, deadline=None)
@given(workloads())
def test_compliance_leaves_only_on_premises_fitting(w):
    ranking = choose(w.with_(on_prem_required=True))
    fitting = [v.model for v in ranking.verdicts if v.fits]
    assert fitting in ([], ["on-premises"])


def test_saas_never_fits_a_workload_you_build():
    assert not choose().verdict("saas").fits


def test_the_sources_mapping_comes_out_for_the_obvious_cases():
    mono = choose(
        architecture="monolith",
        services=1,
        ops_capacity="high",
        traffic="steady",
        os_control="medium",
        portability="none",
    )
    assert mono.best.model == "iaas"
    msa = choose(
        architecture="microservices",
        services=30,
        ops_capacity="medium",
        portability="high",
        traffic="daily-cycle",
    )
    assert msa.best.model == "caas"
    assert "architecture" in msa.decisive_factors()


def test_idle_event_driven_work_goes_to_functions():
    r = choose(
        architecture="microservices",
        services=3,
        ops_capacity="low",
        traffic="mostly-idle",
        portability="none",
    )
    assert r.best.model == "faas"
    assert "traffic" in r.decisive_factors()


def test_explain_names_every_model_and_blockers():
    text = choose(ops_capacity="none", on_prem_required=True).explain()
    assert text.startswith("No model meets every requirement")
    for name in resp.MODEL_NAMES.values():
        assert name in text
    assert "BLOCKER" in text


@pytest.mark.parametrize(
    ("fields", "pattern"),
    [
        ({"architecture": "soa"}, r"architecture must be one of \('monolith', 'microservices'\)"),
        ({"ops_capacity": "lots"}, r"ops_capacity must be one of .* got 'lots'"),
        ({"traffic": "bursty"}, r"traffic must be one of"),
        ({"services": 0}, r"services must be between 1 and 500, got 0"),
        ({"services": 2.5}, r"services must be a whole number"),
        ({"architecture": "monolith", "services": 5}, r"services must be 1 for a monolith"),
        ({"on_prem_required": "yes"}, r"on_prem_required must be True or False"),
        ({"colour": "blue"}, r"unknown workload field\(s\) \['colour'\]"),
    ],
)
def test_bad_workloads_name_the_field(fields, pattern):
    with pytest.raises(ValueError, match=pattern):
        choose(**fields)


def test_justification_accepts_the_decisive_reasons_and_rejects_others():
    from msa_course.cloud.chooser import justification_problems

    ranking = choose(
        architecture="monolith",
        services=1,
        ops_capacity="medium",
        portability="none",
        traffic="steady",
        on_prem_required=True,
    )
    assert ranking.best.model == "on-premises"
    good = {"model": "on-premises", "because": ["on_prem_required", "traffic"]}
    assert justification_problems(good, ranking) == []
    assert (
        "not the best fit"
        in justification_problems(
            {"model": "iaas", "because": ["architecture", "traffic"]}, ranking
        )[0]
    )
    assert any(
        "at least two" in p
        for p in justification_problems(
            {"model": "on-premises", "because": ["on_prem_required"]}, ranking
        )
    )
    assert ranking.decisive_factors() == ["on_prem_required"]
    assert any(
        "sets On-premises apart" in p
        for p in justification_problems(
            {"model": "on-premises", "because": ["architecture", "traffic"]}, ranking
        )
    )
    assert any(
        "do(es) not argue" in p
        for p in justification_problems(
            {"model": "on-premises", "because": ["on_prem_required", "portability"]}, ranking
        )
    )
    assert any(
        "unknown factor" in p
        for p in justification_problems(
            {"model": "on-premises", "because": ["on_prem_required", "vibes"]}, ranking
        )
    )
    assert "exactly the keys" in justification_problems("on-premises", ranking)[0]
