"""Taints, node affinity, topology spread and inter-pod affinity: fast Scheduler == plain.

The fast `Scheduler` computes the non-resource plugins over all nodes at once
(scheduler/constraints.py); `PlainScheduler` calls every plugin function per node. On random
clusters (zones, taints, cordons, NotReady nodes) and random workloads (tolerations,
nodeSelector, required and preferred node affinity, hard and soft spreading with the system
defaults, pod affinity and anti-affinity) both must decide every pod alike, with the same
Pending messages, also after unbinds, terminating pods and taint changes, and through the partial search of a
cluster of 100 nodes or more.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_course.orchestration.objects import Container, Node, Pod
from msa_course.orchestration.placement import (
    LABEL_HOSTNAME,
    LABEL_ZONE,
    Affinity,
    LabelSelector,
    NodeAffinity,
    NodeSelectorTerm,
    PodAffinity,
    PodAffinityTerm,
    PreferredSchedulingTerm,
    Requirement,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    WeightedPodAffinityTerm,
)
from msa_course.orchestration.scheduler import PlainScheduler, Profile, Scheduler

GI = 2**30
APPS = ("web", "db", "cache")
GPU_TAINT = Taint("dedicated", "gpu", "NoSchedule")
SPOT_TAINT = Taint("spot", "", "PreferNoSchedule")
DRAIN_TAINT = Taint("drain", "", "NoExecute")
TAINTS = ((), (GPU_TAINT,), (SPOT_TAINT,), (GPU_TAINT, SPOT_TAINT), (DRAIN_TAINT,))
TOLERATIONS = (
    (),
    (Toleration("dedicated", "Equal", "gpu", "NoSchedule"),),
    (Toleration("spot", "Exists"),),
    (Toleration(operator="Exists"),),
    (Toleration("node.kubernetes.io/unschedulable", "Exists", effect="NoSchedule"),),
)


def _app(app: str) -> LabelSelector:
    return LabelSelector({"app": app})


NODE_SELECTORS = ({}, {"disk": "ssd"}, {LABEL_ZONE: "a"})
NODE_AFFINITIES = (
    None,
    NodeAffinity(required=(NodeSelectorTerm((Requirement(LABEL_ZONE, "In", ("a", "b")),)),)),
    NodeAffinity(
        preferred=(
            PreferredSchedulingTerm(30, NodeSelectorTerm((Requirement("disk", "In", ("ssd",)),))),
            PreferredSchedulingTerm(5, NodeSelectorTerm((Requirement(LABEL_ZONE, "Exists"),))),
        )
    ),
    NodeAffinity(
        required=(
            NodeSelectorTerm((Requirement("disk", "DoesNotExist"),)),
            NodeSelectorTerm((Requirement("cores", "Gt", ("4",)),)),
        ),
        preferred=(
            PreferredSchedulingTerm(10, NodeSelectorTerm((Requirement("cores", "Lt", ("8",)),))),
        ),
    ),
)


def _spreads(app: str) -> tuple[tuple[TopologySpreadConstraint, ...], ...]:
    sel = _app(app)
    return (
        (),
        (TopologySpreadConstraint(1, LABEL_ZONE, "DoNotSchedule", sel),),
        (TopologySpreadConstraint(1, LABEL_HOSTNAME, "ScheduleAnyway", sel),),
        (
            TopologySpreadConstraint(1, LABEL_ZONE, "DoNotSchedule", sel, min_domains=3),
            TopologySpreadConstraint(2, LABEL_HOSTNAME, "ScheduleAnyway", sel),
        ),
        (
            TopologySpreadConstraint(
                2, LABEL_ZONE, "DoNotSchedule", sel, node_taints_policy="Honor"
            ),
        ),
        (TopologySpreadConstraint(1, LABEL_ZONE, "ScheduleAnyway", sel),),
    )


def _pod_affinities(app: str) -> tuple[tuple[PodAffinity | None, PodAffinity | None], ...]:
    return (
        (None, None),
        (None, PodAffinity(required=(PodAffinityTerm(_app(app), LABEL_HOSTNAME),))),
        (PodAffinity(required=(PodAffinityTerm(_app("db"), LABEL_ZONE),)), None),
        (
            PodAffinity(
                preferred=(WeightedPodAffinityTerm(50, PodAffinityTerm(_app("db"), LABEL_ZONE)),)
            ),
            PodAffinity(
                preferred=(WeightedPodAffinityTerm(20, PodAffinityTerm(_app(app), LABEL_HOSTNAME)),)
            ),
        ),
    )


def _node(i: int, shape: tuple) -> Node:
    cpu, zone, disk, cores, taints, cordoned, ready = shape
    labels = {}
    if zone:
        labels[LABEL_ZONE] = zone
    if disk:
        labels["disk"] = disk
    if cores:
        labels["cores"] = str(cores)
    return Node(
        f"n{i:03}",
        {"cpu": cpu, "memory": 8 * GI, "pods": 6},
        labels,
        unschedulable=cordoned,
        ready=ready,
        spec_taints=TAINTS[taints],
    )


def _pod(name: str, shape: tuple) -> Pod:
    app, cpu, tol, sel, aff, spread, pod_aff, owned = shape
    affinity_pair = _pod_affinities(app)[pod_aff]
    node_affinity = NODE_AFFINITIES[aff]
    affinity = None
    if node_affinity is not None or affinity_pair != (None, None):
        affinity = Affinity(node_affinity, *affinity_pair)
    return Pod(
        name,
        (Container("c", requests={"cpu": cpu, "memory": GI // 4}),),
        labels={"app": app},
        owner=f"rs-{app}" if owned else None,
        tolerations=TOLERATIONS[tol],
        node_selector=NODE_SELECTORS[sel],
        affinity=affinity,
        topology_spread_constraints=_spreads(app)[spread],
    )


def _default_selector(pod: Pod) -> LabelSelector | None:
    return _app(pod.labels["app"]) if pod.owner else None


node_shape = st.tuples(
    st.sampled_from([1000, 2000, 4000]),
    st.sampled_from(["a", "b", "c", None]),
    st.sampled_from(["ssd", "hdd", None]),
    st.sampled_from([None, 2, 8, 16]),
    st.integers(0, len(TAINTS) - 1),
    st.sampled_from([False, False, False, True]),
    st.sampled_from([True, True, True, False]),
)
pod_shape = st.tuples(
    st.sampled_from(APPS),
    st.sampled_from([100, 500, 900]),
    st.sampled_from([0, 0, 1, 2, 3, 4]),
    st.sampled_from([0, 0, 0, 1, 2]),
    st.sampled_from([0, 0, 1, 2, 3]),
    st.sampled_from([0, 0, 1, 2, 3, 4, 5]),
    st.sampled_from([0, 0, 0, 1, 2, 3]),
    st.booleans(),
)
PROFILES = (Profile(), Profile(strategy="MostAllocated", balanced_allocation=None))


def _decide(cls, nodes, pods, profile, seed, retaint):
    sched = cls([_node(i, s) for i, s in enumerate(nodes)], profile, seed, _default_selector)
    workload = [_pod(f"p{i}", s) for i, s in enumerate(pods)]
    half = len(workload) // 2
    out = [(d.node, d.message, d.feasible) for d in sched.schedule(workload[:half])]
    # evict every third bound pod, start deleting another third, change a node's taints
    bound = [p for p in workload[:half] if p.node_name]
    for pod in bound[1::3]:
        sched.mark_terminating(pod)
    for pod in bound[::3] + bound[1::6]:
        sched.unbind(pod)
    if retaint is not None:
        sched.set_node(sched.nodes[retaint % len(nodes)].name, taints=TAINTS[retaint % len(TAINTS)])
    out += [(d.node, d.message, d.feasible) for d in sched.schedule(workload[half:])]
    return out


@settings(max_examples=80, deadline=None)
@given(
    nodes=st.lists(node_shape, min_size=1, max_size=9),
    pods=st.lists(pod_shape, min_size=1, max_size=30),
    profile=st.sampled_from(PROFILES),
    seed=st.integers(0, 2**16),
    retaint=st.one_of(st.none(), st.integers(0, 50)),
)
def test_constraints_fast_equals_plain(nodes, pods, profile, seed, retaint):
    fast = _decide(Scheduler, nodes, pods, profile, seed, retaint)
    plain = _decide(PlainScheduler, nodes, pods, profile, seed, retaint)
    assert fast == plain


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_constraints_fast_equals_plain_on_a_large_cluster(seed):
    # 130 nodes: the partial search (numFeasibleNodesToFind) and the shape caches in play
    rng = random.Random(seed)
    nodes = [
        (
            rng.choice([1000, 2000, 4000]),
            rng.choice(["a", "b", "c", "d"]),
            rng.choice(["ssd", "hdd", None]),
            rng.choice([None, 2, 8]),
            rng.choice([0, 0, 0, 1, 2, 3]),
            rng.random() < 0.03,
            rng.random() > 0.03,
        )
        for _ in range(130)
    ]
    pods = [
        (
            rng.choice(APPS),
            rng.choice([100, 500, 900]),
            rng.choice([0, 0, 1, 2]),
            rng.choice([0, 0, 0, 1]),
            rng.choice([0, 0, 1, 2]),
            rng.choice([0, 1, 1, 2, 3, 5]),
            rng.choice([0, 0, 0, 0, 1, 3]),
            rng.random() < 0.8,
        )
        for _ in range(400)
    ]
    for profile in PROFILES:
        fast = _decide(Scheduler, nodes, pods, profile, seed, 7)
        plain = _decide(PlainScheduler, nodes, pods, profile, seed, 7)
        assert fast == plain
        assert any(node is None for node, _m, _f in fast)
        assert any(0 < f < 130 for _n, _m, f in fast)


def _web(i: int, spread) -> Pod:
    return Pod(
        f"web-{i}",
        (Container("c", requests={"cpu": 100}),),
        labels={"app": "web"},
        topology_spread_constraints=spread,
    )


def test_zone_spread_keeps_replicas_balanced_and_says_why_not():
    spread = (TopologySpreadConstraint(1, LABEL_ZONE, "DoNotSchedule", _app("web")),)
    for cls in (Scheduler, PlainScheduler):
        nodes = [
            Node(f"{z}{k}", {"cpu": 4000, "memory": 8 * GI}, {LABEL_ZONE: z})
            for z in "abc"
            for k in range(2)
        ]
        sched = cls(nodes, seed=0)
        decisions = sched.schedule(_web(i, spread) for i in range(9))
        assert sorted(d.node[0] for d in decisions) == sorted("abc" * 3)
        # cordon zone a: its 3 pods still count, so b and c may each take one more
        for name in ("a0", "a1"):
            sched.set_node(name, unschedulable=True)
        more = sched.schedule(_web(i, spread) for i in range(9, 12))
        assert sorted(d.node[0] for d in more[:2]) == ["b", "c"]
        assert more[2].node is None
        assert more[2].message == (
            "0/6 nodes are available: 2 node(s) were unschedulable, 4 node(s) didn't match pod "
            "topology spread constraints. preemption: 0/6 nodes are available: 2 Preemption is "
            "not helpful for scheduling, 4 No preemption victims found for incoming pod."
        )


def test_plain_filter_reports_the_first_failing_plugin():
    nodes = [
        Node("tainted", {"cpu": 1000, "memory": GI}, spec_taints=(GPU_TAINT,)),
        Node("small", {"cpu": 100, "memory": GI}),
        Node("ok", {"cpu": 1000, "memory": GI}),
    ]
    sched = PlainScheduler(nodes)
    pod = Pod("p", (Container("c", requests={"cpu": 500}),))
    results = [sched.filter(pod, i) for i in range(3)]
    assert [(r.fits, r.reasons) for r in results] == [
        (False, ("node(s) had untolerated taint(s)",)),
        (False, ("Insufficient cpu",)),
        (True, ()),
    ]
