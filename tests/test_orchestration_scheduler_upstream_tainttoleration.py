"""Upstream's TaintToleration test tables, case by case (Kubernetes v1.35).

Ported from kubernetes/kubernetes pkg/scheduler/framework/plugins/tainttoleration/
taint_toleration_test.go: TestTaintTolerationScore (PreScore, Score, NormalizeScore over the
nodes) and TestTaintTolerationFilter (one node). Each case keeps upstream's name.

The file read carries the reason as it was before v1.35, "node(s) had untolerated taint
{dedicated: user1}"; since v1.35 (kubernetes/kubernetes#134740) the plugin no longer names the
taint, and the expected reasons here follow v1.35: "node(s) had untolerated taint(s)". The
status code of every failing case is UnschedulableAndUnresolvable (checked through the
scheduling cycle: preemption is "not helpful"). The queueing-hint tests
(TestIsSchedulableAfterNodeChange, Test_isSchedulableAfterPodChange) are not ported: the
simulator retries Pending pods on every change, it has no scheduling queue hints.
"""

from __future__ import annotations

import pytest

from msa_course.orchestration.objects import Node, Pod
from msa_course.orchestration.placement import Taint, Toleration
from msa_course.orchestration.plugins import (
    MAX_NODE_SCORE,
    taint_toleration_filter,
    taint_toleration_normalize,
    taint_toleration_score,
)
from msa_course.orchestration.scheduler import PlainScheduler, Scheduler

T = Taint
UNTOLERATED = "node(s) had untolerated taint(s)"  # v1.35; "{dedicated: user1}" before


def tol(key, value="", effect="", operator="Equal"):
    return Toleration(key, operator, value, effect)


SCORE_CASES = [
    (
        "node with taints tolerated by the pod, gets a higher score than those node with "
        "intolerable taints",
        [tol("foo", "bar", "PreferNoSchedule")],
        {
            "nodeA": [T("foo", "bar", "PreferNoSchedule")],
            "nodeB": [T("foo", "blah", "PreferNoSchedule")],
        },
        {"nodeA": MAX_NODE_SCORE, "nodeB": 0},
    ),
    (
        "the nodes that all of their taints are tolerated by the pod, get the same score, no "
        "matter how many tolerable taints a node has",
        [tol("cpu-type", "arm64", "PreferNoSchedule"), tol("disk-type", "ssd", "PreferNoSchedule")],
        {
            "nodeA": [],
            "nodeB": [T("cpu-type", "arm64", "PreferNoSchedule")],
            "nodeC": [
                T("cpu-type", "arm64", "PreferNoSchedule"),
                T("disk-type", "ssd", "PreferNoSchedule"),
            ],
        },
        {"nodeA": MAX_NODE_SCORE, "nodeB": MAX_NODE_SCORE, "nodeC": MAX_NODE_SCORE},
    ),
    (
        "the more intolerable taints a node has, the lower score it gets.",
        [tol("foo", "bar", "PreferNoSchedule")],
        {
            "nodeA": [],
            "nodeB": [T("cpu-type", "arm64", "PreferNoSchedule")],
            "nodeC": [
                T("cpu-type", "arm64", "PreferNoSchedule"),
                T("disk-type", "ssd", "PreferNoSchedule"),
            ],
        },
        {"nodeA": MAX_NODE_SCORE, "nodeB": 50, "nodeC": 0},
    ),
    (
        "only taints and tolerations that have effect PreferNoSchedule are checked by "
        "taints-tolerations priority function",
        [tol("cpu-type", "arm64", "NoSchedule"), tol("disk-type", "ssd", "NoSchedule")],
        {
            "nodeA": [],
            "nodeB": [T("cpu-type", "arm64", "NoSchedule")],
            "nodeC": [
                T("cpu-type", "arm64", "PreferNoSchedule"),
                T("disk-type", "ssd", "PreferNoSchedule"),
            ],
        },
        {"nodeA": MAX_NODE_SCORE, "nodeB": MAX_NODE_SCORE, "nodeC": 0},
    ),
    (
        "Default behaviour No taints and tolerations, lands on node with no taints",
        [],
        {"nodeA": [], "nodeB": [T("cpu-type", "arm64", "PreferNoSchedule")]},
        {"nodeA": MAX_NODE_SCORE, "nodeB": 0},
    ),
]


@pytest.mark.parametrize(
    ("tolerations", "nodes", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in SCORE_CASES],
)
def test_taint_toleration_score(tolerations, nodes, expected):
    raw = [taint_toleration_score(taints, tolerations) for taints in nodes.values()]
    assert dict(zip(nodes, taint_toleration_normalize(raw), strict=True)) == expected
    # the same through a whole scheduling cycle, as PlainScheduler and Scheduler compute it
    pod = Pod("pod1", tolerations=tuple(tolerations))
    sched = PlainScheduler(
        [Node(n, {"cpu": 1000, "memory": 2**30}, spec_taints=tuple(t)) for n, t in nodes.items()]
    )
    cycle = sched.cycle(pod)
    (scores,) = [s for s in cycle.scores if s.plugin == "TaintToleration"]
    order = [sched.nodes[i].name for i in cycle.candidates]
    assert dict(zip(order, scores.normalized, strict=True)) == expected


FILTER_CASES = [
    (
        "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
        [],
        [T("dedicated", "user1", "NoSchedule")],
        UNTOLERATED,
    ),
    (
        "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
        [tol("dedicated", "user1", "NoSchedule")],
        [T("dedicated", "user1", "NoSchedule")],
        None,
    ),
    (
        "A pod which can't be scheduled on a dedicated node assigned to user2 with effect "
        "NoSchedule",
        [tol("dedicated", "user2", "NoSchedule")],
        [T("dedicated", "user1", "NoSchedule")],
        UNTOLERATED,
    ),
    (
        "A pod can be scheduled onto the node, with a toleration uses operator Exists that "
        "tolerates the taints on the node",
        [tol("foo", effect="NoSchedule", operator="Exists")],
        [T("foo", "bar", "NoSchedule")],
        None,
    ),
    (
        "A pod has multiple tolerations, node has multiple taints, all the taints are "
        "tolerated, pod can be scheduled onto the node",
        [
            tol("dedicated", "user2", "NoSchedule"),
            tol("foo", effect="NoSchedule", operator="Exists"),
        ],
        [T("dedicated", "user2", "NoSchedule"), T("foo", "bar", "NoSchedule")],
        None,
    ),
    (
        "A pod has a toleration that keys and values match the taint on the node, but "
        "(non-empty) effect doesn't match, can't be scheduled onto the node",
        [tol("foo", "bar", "PreferNoSchedule")],
        [T("foo", "bar", "NoSchedule")],
        UNTOLERATED,
    ),
    (
        "The pod has a toleration that keys and values match the taint on the node, the "
        "effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be "
        "scheduled onto the node",
        [tol("foo", "bar")],
        [T("foo", "bar", "NoSchedule")],
        None,
    ),
    (
        "The pod has a toleration that key and value don't match the taint on the node, but "
        "the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
        [tol("dedicated", "user2", "NoSchedule")],
        [T("dedicated", "user1", "PreferNoSchedule")],
        None,
    ),
    (
        "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod "
        "can be scheduled onto the node",
        [],
        [T("dedicated", "user1", "PreferNoSchedule")],
        None,
    ),
]


@pytest.mark.parametrize(
    ("tolerations", "taints", "want"),
    [pytest.param(*case[1:], id=case[0]) for case in FILTER_CASES],
)
def test_taint_toleration_filter(tolerations, taints, want):
    assert taint_toleration_filter(taints, tolerations) == want
    for cls in (Scheduler, PlainScheduler):
        node = Node("nodeA", {"cpu": 1000, "memory": 2**30}, spec_taints=tuple(taints))
        decision = cls([node]).schedule_one(Pod("pod1", tolerations=tuple(tolerations)))
        if want is None:
            assert decision.node == "nodeA"
        else:
            # UnschedulableAndUnresolvable: preemption is not even tried
            assert decision.message == (
                f"0/1 nodes are available: 1 {want}. preemption: 0/1 nodes are available: "
                "1 Preemption is not helpful for scheduling."
            )
