"""Chapter 03's availability lesson: a zone goes down; spread replicas keep serving."""

from __future__ import annotations

import pytest

import msa_course
from msa_course.orchestration import widgets
from msa_course.orchestration.cluster import Cluster
from msa_course.orchestration.objects import Container, Deployment, Node, PodTemplate
from msa_course.orchestration.placement import LABEL_ZONE, LabelSelector, TopologySpreadConstraint
from msa_course.orchestration.widgets import simulate_faults, zone_counts


@pytest.fixture(autouse=True)
def _setup():
    msa_course.setup_notebook()


def _after(cluster, start):
    return [(s.time, s.ready) for s in cluster.history if s.time >= start]


@pytest.mark.parametrize("placement", ["default", "zones", "packed"])
def test_zone_outage_by_placement(placement):
    seen = {}
    cluster = simulate_faults(
        [(60, "Take a zone down")],
        15,
        placement=placement,
        before_faults=lambda c: seen.update(zone_counts(c)),
    )
    ready = _after(cluster, 60)
    lowest = min(r for _, r in ready)
    if placement == "packed":
        assert sorted(seen.values()) == [0, 0, 4]  # all four pods on one node, in one zone
        assert lowest == 0  # the Deployment serves nothing until the replacements start
    else:
        assert sorted(seen.values()) == [1, 1, 2]
        assert lowest >= 2  # at most the zone's share is lost
    # replacements start in the surviving zones once the 300 s toleration runs out
    assert ready[-1][1] == 4
    back = next(t for t, r in ready if t > 120 and r == 4)
    assert 340 < back < 480


def test_explorer_placement_and_zone_button():
    ex = widgets.self_healing_explorer()
    ex.controls["Reset"].click()
    ex.controls["placement"].value = "packed (MostAllocated)"
    ex.controls["Take a zone down"].click()
    assert "Pods per zone before the first fault:" in ex.side.value
    ready = next(t for t in ex.figure.data if t.name == "Ready").y
    assert min(ready[1:]) == 0
    ex.controls["placement"].value = "spread over zones (maxSkew 1)"
    ready = next(t for t in ex.figure.data if t.name == "Ready").y
    assert min(ready[1:]) >= 2


def test_hard_zone_spread_that_counts_the_dead_zone_blocks_the_replacements():
    # nodeTaintsPolicy Ignore (the default): the dead zone's nodes still count, its evicted
    # pods no longer do, so its count is 0 and every other zone would exceed maxSkew 1
    nodes = [
        Node(f"n{i}", {"cpu": 4000, "memory": 2**34}, {LABEL_ZONE: "abc"[i // 2]}) for i in range(6)
    ]
    spread = TopologySpreadConstraint(1, LABEL_ZONE, "DoNotSchedule", LabelSelector({"app": "web"}))
    template = PodTemplate(
        {"app": "web"},
        (Container("web", "nginx", {"cpu": 500, "memory": 2**28}),),
        topology_spread_constraints=(spread,),
    )
    cluster = Cluster(nodes)
    cluster.apply(Deployment("web", 3, {"app": "web"}, template))
    cluster.run_until(60)
    zone_a = [n.name for n in nodes if n.labels[LABEL_ZONE] == "a"]
    for name in zone_a:
        cluster.node_down(name)
    cluster.run_until(900)
    pending = [p for p in cluster.pod_names() if cluster.pod_state(p)["node"] is None]
    assert len(pending) == 1
    events = cluster.get_events(last=40)
    assert any("didn't match pod topology spread constraints" in " ".join(row) for row in events)
