"""The hosting chooser: deterministic, explainable, and the properties the chapter promises.

Where a workload runs is a choice of its own, independent of the service model: every model
is an option in every place, and a place changes who runs the layers below the model."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_course.cloud import responsibility as resp
from msa_course.cloud.chooser import (
    ARCHITECTURES,
    FACTORS,
    LEVELS,
    MODELS,
    PLACEMENTS,
    TRAFFIC,
    WHERE,
    Workload,
    burden,
    choose,
    justification_problems,
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
        placement=draw(st.sampled_from(PLACEMENTS)),
    )


@settings(max_examples=300, deadline=None)
@given(workloads(), st.sampled_from(LEVELS[1:]), st.sampled_from(WHERE))
def test_raising_os_control_never_ranks_paas_above_iaas(w, higher, where):
    """In any place: if IaaS ranks above PaaS, it still does after the OS-control need rises."""
    if LEVELS.index(higher) <= LEVELS.index(w.os_control):
        higher = LEVELS[-1]
    before = choose(w)
    after = choose(w.with_(os_control=higher))
    if before.rank("iaas", where) < before.rank("paas", where):
        assert after.rank("iaas", where) < after.rank("paas", where)

    def margin(r):
        return r.verdict("iaas", where).score - r.verdict("paas", where).score

    assert margin(after) >= margin(before)


@settings(max_examples=300, deadline=None)
@given(workloads())
def test_high_os_control_blocks_the_platforms_everywhere(w):
    ranking = choose(w.with_(os_control="high"))
    for where in WHERE:
        assert not ranking.verdict("paas", where).fits
        assert not ranking.verdict("faas", where).fits
        if ranking.verdict("iaas", where).fits:
            assert ranking.rank("iaas", where) < ranking.rank("paas", where)


@settings(max_examples=300, deadline=None)
@given(workloads())
def test_with_no_operations_capacity_nothing_on_premises_fits(w):
    ranking = choose(w.with_(ops_capacity="none"))
    assert not any(v.fits for v in ranking.verdicts if v.where == "on-premises")
    assert not ranking.verdict("iaas", "public-cloud").fits, "nobody would patch the guest OS"


@settings(max_examples=300, deadline=None)
@given(workloads())
def test_ranking_is_deterministic_complete_and_explained(w):
    a, b = choose(w), choose(w)
    assert a == b
    assert sorted(a.order) == sorted((m, where) for m in MODELS for where in WHERE)
    for v in a.verdicts:
        assert v.reasons, f"{v.name} has no reason"
        assert {r.factor for r in v.reasons} <= set(FACTORS)
        assert v.score == sum(r.points for r in v.reasons)
    fits = [v.fits for v in a.verdicts]
    assert fits == sorted(fits, reverse=True), "an option that fits ranks above every blocked one"
    scores = [v.score for v in a.verdicts if v.fits]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=200, deadline=None)
@given(workloads())
def test_placement_rules_out_places_never_models(w):
    """A rule about where the workload runs rules out places; every model keeps its chance
    on premises (CaaS on premises is a Kubernetes cluster you run yourself)."""
    on_prem = choose(w.with_(placement="on premises"))
    assert {v.where for v in on_prem.verdicts if v.fits} <= {"on-premises"}
    own = choose(w.with_(placement="own hardware"))
    assert not any(v.fits for v in own.verdicts if v.where == "public-cloud")
    anywhere = choose(w.with_(placement="anywhere"))
    for m in MODELS:
        for where in WHERE:
            blocked = {r.factor for r in on_prem.verdict(m, where).blockers}
            if where == "on-premises":
                assert "placement" not in blocked
            assert {r.factor for r in anywhere.verdict(m, where).blockers} <= blocked | {
                "ops_capacity",
                "os_control",
            }


def test_burden_follows_the_grid_in_the_public_cloud_and_grows_elsewhere():
    for m in MODELS:
        assert burden(m, "public-cloud") == resp.burden(m)
        assert burden(m, "hosted-private-cloud") == resp.burden("iaas")
        assert burden(m, "on-premises") == resp.burden("on-premises") == 10


def test_kubernetes_on_premises_wins_for_microservices_that_must_stay():
    ranking = choose(
        architecture="microservices",
        services=6,
        ops_capacity="high",
        portability="low",
        traffic="steady",
        placement="on premises",
    )
    assert ranking.best.option == ("caas", "on-premises")
    assert ranking.verdict("caas", "on-premises").fits
    # chapter 04, scenario D: the public-cloud CaaS "would score almost as well" but is blocked
    public = ranking.verdict("caas", "public-cloud")
    assert [b.factor for b in public.blockers] == ["placement"]
    assert ranking.best.score - 2 <= public.score <= ranking.best.score


def test_chapter_04_scenarios_a_and_b_say_what_the_chooser_does():
    # A: IaaS in a public cloud, the OS-control need blocks PaaS and FaaS in every place
    a = choose(
        architecture="monolith",
        services=1,
        ops_capacity="medium",
        portability="none",
        traffic="steady",
        os_control="high",
    )
    assert a.best.option == ("iaas", "public-cloud")
    assert a.verdicts[1].option == ("iaas", "hosted-private-cloud")
    for m in ("paas", "faas"):
        for where in WHERE:
            assert "os_control" in [r.factor for r in a.verdict(m, where).blockers], (m, where)
    # B: CaaS in a public cloud; "set the portability need to none ... and PaaS wins instead"
    b = choose(
        architecture="microservices",
        services=12,
        ops_capacity="low",
        portability="medium",
        traffic="daily-cycle",
    )
    assert b.best.option == ("caas", "public-cloud")
    assert choose(b.workload.with_(portability="none")).best.option == ("paas", "public-cloud")


def test_portability_credits_only_kubernetes_and_self_run_platforms():
    ranking = choose(portability="high")
    caas = ranking.verdict("caas", "public-cloud")
    assert caas.points("portability") > 0
    (reason,) = [r for r in caas.reasons if r.factor == "portability"]
    assert "Kubernetes" in reason.text and "ECS" in reason.text and "do not move" in reason.text
    assert ranking.verdict("paas", "public-cloud").points("portability") < 0
    assert ranking.verdict("faas", "public-cloud").points("portability") < 0
    assert ranking.verdict("paas", "on-premises").points("portability") == 0


def test_scale_to_zero_is_not_faas_alone_and_saves_money_only_in_the_public_cloud():
    ranking = choose(architecture="microservices", services=3, traffic="mostly-idle")
    paas = ranking.verdict("paas", "public-cloud")
    assert paas.points("traffic") > 0
    assert any("App Engine" in r.text and "zero" in r.text for r in paas.reasons)
    for m in ("paas", "faas"):
        for where in ("hosted-private-cloud", "on-premises"):
            texts = [r.text for r in ranking.verdict(m, where).reasons if r.factor == "traffic"]
            assert any("servers under it are yours" in t for t in texts), (m, where)


def test_the_sources_mapping_comes_out_for_the_obvious_cases():
    mono = choose(
        architecture="monolith",
        services=1,
        ops_capacity="high",
        traffic="steady",
        os_control="medium",
        portability="none",
    )
    assert mono.best.option == ("iaas", "public-cloud")
    msa = choose(
        architecture="microservices",
        services=30,
        ops_capacity="medium",
        portability="high",
        traffic="daily-cycle",
    )
    assert msa.best.option == ("caas", "public-cloud")
    assert "architecture" in msa.decisive_factors()


def test_idle_event_driven_work_goes_to_functions():
    r = choose(
        architecture="microservices",
        services=3,
        ops_capacity="low",
        traffic="mostly-idle",
        portability="none",
    )
    assert r.best.option == ("faas", "public-cloud")
    assert "traffic" in r.decisive_factors()
    assert r.verdicts[1].model == "paas", "the platform that also scales to zero comes next"


def test_explain_names_every_option_and_blockers():
    text = choose(ops_capacity="none", placement="on premises").explain()
    assert text.startswith("No option meets every requirement")
    for m in MODELS:
        assert f"{resp.MODEL_NAMES[m]}, on premises" in text
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
        ({"placement": "basement"}, r"placement must be one of .* got 'basement'"),
        ({"colour": "blue"}, r"unknown workload field\(s\) \['colour'\]"),
    ],
)
def test_bad_workloads_name_the_field(fields, pattern):
    with pytest.raises(ValueError, match=pattern):
        choose(**fields)


def test_justification_accepts_the_decisive_reasons_and_rejects_others():
    ranking = choose(
        architecture="monolith",
        services=1,
        ops_capacity="medium",
        portability="none",
        traffic="steady",
        placement="on premises",
    )
    assert ranking.best.option == ("iaas", "on-premises")  # a private cloud
    assert ranking.decisive_factors() == ["architecture", "traffic", "placement"]
    good = {"model": "iaas", "where": "on-premises", "because": ["placement", "architecture"]}
    assert justification_problems(good, ranking) == []

    def problems(model, where, because):
        return justification_problems({"model": model, "where": where, "because": because}, ranking)

    assert "not the best fit" in problems("iaas", "public-cloud", ["architecture", "traffic"])[0]
    assert any("at least two" in p for p in problems("iaas", "on-premises", ["placement"]))
    assert any(
        "do(es) not argue" in p
        for p in problems("iaas", "on-premises", ["placement", "ops_capacity"])
    )
    assert any(
        "unknown factor" in p for p in problems("iaas", "on-premises", ["placement", "vibes"])
    )
    assert "exactly the keys" in justification_problems({"model": "iaas"}, ranking)[0]
    assert "where must be one of" in problems("iaas", "basement", ["placement", "traffic"])[0]
