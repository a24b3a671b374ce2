"""Why this node: the explanation of one scheduling cycle, plugin by plugin."""

from __future__ import annotations

import pytest

from msa_course.orchestration.binpacking import node_pool, pack, workload
from msa_course.orchestration.explain_panel import explanation_html
from msa_course.orchestration.objects import Container, Node, Pod, PodTemplate
from msa_course.orchestration.placement import (
    LABEL_ZONE,
    LabelSelector,
    Taint,
    Toleration,
    TopologySpreadConstraint,
)
from msa_course.orchestration.scheduler import Profile, Scheduler
from msa_course.orchestration.scheduler.explain import NOT_REACHED, explain

GI = 2**30
PROFILES = [
    Profile(),
    Profile(strategy="MostAllocated"),
    Profile(strategy="RequestedToCapacityRatio", shape=((0, 0), (100, 10))),
]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.strategy)
def test_every_explanation_agrees_with_the_placement(profile):
    pods = workload("mixed microservices", 300, seed=3)
    result = pack(pods, node_pool(12, 8, 32), profile, seed=3)
    assert result.pending  # some pods are left Pending: their explanation says why
    for k, decision in enumerate(result.decisions):
        e = result.explain(k)
        assert (e.chosen, e.message) == (decision.node, decision.message)
        if decision.node is not None and len(e.feasible) > 1:
            assert e.totals[e.chosen] == max(e.totals.values())
            assert e.chosen in e.tied


def _zoned(count=6):
    nodes = []
    for i in range(count):
        taints = (Taint("dedicated", "batch", "NoSchedule"),) if i == 0 else ()
        nodes.append(
            Node(
                f"n{i}",
                {"cpu": 4000, "memory": 8 * GI},
                {LABEL_ZONE: "ab"[i % 2]},
                spec_taints=taints,
            )
        )
    return nodes


def _web(i, **kw):
    template = PodTemplate(
        {"app": "web"},
        (Container("c", requests={"cpu": 500, "memory": GI}),),
        topology_spread_constraints=(
            TopologySpreadConstraint(1, LABEL_ZONE, "DoNotSchedule", LabelSelector({"app": "web"})),
        ),
        **kw,
    )
    pod = template.instantiate(f"web-{i}")
    pod.owner = "ReplicaSet/web"
    return pod


def test_explain_leaves_the_scheduler_as_it_was_and_predicts_its_choice():
    sched = Scheduler(_zoned(), seed=5, default_selector=lambda p: LabelSelector({"app": "web"}))
    sched.schedule(_web(i) for i in range(5))
    before = (sched.next_start, sched.rng.bit_generator.state, dict(sched.bound))
    e = explain(sched, _web(5))
    assert (sched.next_start, sched.rng.bit_generator.state, dict(sched.bound)) == before
    assert sched.schedule_one(_web(5)).node == e.chosen
    rows = {row["node"]: row for row in e.table()}
    assert rows["n0"]["filter"] == "TaintToleration: node(s) had untolerated taint(s)"
    assert rows["n0"]["total"] is None
    # 3 web pods in zone b, 2 in zone a (n0 is tainted): only zone a's nodes keep the skew
    assert {n for n, r in rows.items() if r["filter"] == "passed"} == {"n2", "n4"}
    assert rows["n1"]["filter"] == (
        "PodTopologySpread: node(s) didn't match pod topology spread constraints"
    )


def test_a_toleration_opens_the_tainted_node_and_scores_show_every_plugin():
    sched = Scheduler(_zoned(), seed=0)
    pod = _web(0, tolerations=(Toleration("dedicated", "Equal", "batch", "NoSchedule"),))
    e = explain(sched, pod)
    assert e.filter_column("n0") == "passed"
    assert [s.plugin for s in e.scores] == [
        "TaintToleration",
        "NodeAffinity",
        "NodeResourcesFit",
        "PodTopologySpread",
        "InterPodAffinity",
        "NodeResourcesBalancedAllocation",
    ]
    row = e.table()[0]
    assert row["NodeAffinity"] == "Skip"  # no preferred node affinity: PreScore skips
    assert row["TaintToleration"] == (0, 100, 300)  # raw 0 PreferNoSchedule taints, x weight 3
    weighted = [v[2] for k, v in row.items() if isinstance(v, tuple)]
    assert row["total"] == sum(weighted)


def test_best_effort_pod_skips_balanced_allocation_and_pending_pod_explains_why():
    sched = Scheduler(
        [Node("a", {"cpu": 1000, "memory": GI}), Node("b", {"cpu": 500, "memory": GI})]
    )
    e = explain(sched, Pod("idle", (Container("c"),)))
    assert e.table()[0]["NodeResourcesBalancedAllocation"] == "Skip"
    big = Pod("big", (Container("c", requests={"cpu": 2000}),))
    e = explain(sched, big)
    assert e.chosen is None and e.scores == []
    assert e.summary().startswith("No node passed Filter, so the pod stays Pending: 0/2 nodes")
    assert e.events().splitlines()[1:] == [
        "  Type     Reason            Age  From               Message",
        "  ----     ------            ---  ----               -------",
        "  Warning  FailedScheduling  1s   default-scheduler  " + e.message,
    ]


def test_the_sampled_search_on_a_large_cluster_is_shown():
    nodes = node_pool(300, 16, 64)
    result = pack(workload("uniform web pods", 10), nodes, Profile(), seed=0)
    e = result.explain(9)
    assert e.want == 144 and sum(e.reached) == 144  # 48 % of 300, all of them feasible
    assert sum(v == NOT_REACHED for v in (e.filter_column(n) for n in e.nodes)) == 156
    assert "stops after 144 feasible nodes" in e.summary()
    assert e.chosen == result.decisions[9].node


def test_single_feasible_node_is_taken_without_scoring():
    sched = Scheduler(
        [Node("a", {"cpu": 1000, "memory": GI}), Node("b", {"cpu": 100, "memory": GI})]
    )
    e = explain(sched, Pod("p", (Container("c", requests={"cpu": 500}),)))
    assert e.chosen == "a" and e.scores == [] and "without scoring" in e.summary()


def test_panel_html_marks_the_chosen_node_and_escapes():
    sched = Scheduler(_zoned(), seed=1)
    html = explanation_html(explain(sched, _web(0)))
    assert "✔" in html and "kubectl describe pod web-0" in html
    assert "Successfully assigned default/web-0 to" in html
    assert "TaintToleration: node(s) had untolerated taint(s)" in html
