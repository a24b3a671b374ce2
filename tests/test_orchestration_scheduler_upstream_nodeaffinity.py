"""Upstream's NodeAffinity test tables, case by case (Kubernetes v1.35).

Ported from kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeaffinity/
node_affinity_test.go: TestNodeAffinity (PreFilter's Skip, then Filter on one node) and
TestNodeAffinityPriority (PreScore, Score, NormalizeScore). Each case keeps upstream's name.

Skipped, with the reason on each case:
* the cases with `NodeAffinityArgs.addedAffinity` (a scheduler-profile setting that adds
  node affinity to every pod): the simulator's Profile has no such argument;
Not asserted:
* `PreFilterResult` (the node names a `matchFields: metadata.name In` term narrows the search
  to) and the PreFilter status "pod affinity terms conflict": the simulator filters every node
  with the same Filter, which gives each node the verdict upstream's test asserts for it; only
  the wording for nodes the shortcut leaves out differs ("node(s) didn't satisfy plugin(s)
  [NodeAffinity]" upstream), see docs/k8s_formulas.md.
The queueing-hint test (Test_isSchedulableAfterNodeChange) is not ported: no scheduling queue.
"""

from __future__ import annotations

import pytest

from msa_course.orchestration.objects import Node, Pod
from msa_course.orchestration.placement import (
    NODE_NAME_FIELD,
    Affinity,
    NodeAffinity,
    NodeSelectorTerm,
    PreferredSchedulingTerm,
    Requirement,
)
from msa_course.orchestration.plugins import (
    MAX_NODE_SCORE,
    node_affinity_filter,
    node_affinity_normalize,
    node_affinity_pre_filter,
    node_affinity_pre_score,
    node_affinity_score,
)
from msa_course.orchestration.scheduler import PlainScheduler, Scheduler

ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"
ADDED_AFFINITY = "NodeAffinityArgs.addedAffinity (a profile setting) is not modelled"


def E(key, op, *values):  # noqa: N802 (a matchExpressions entry)
    return Requirement(key, op, values)


def F(op, value):  # noqa: N802 (a matchFields entry on metadata.name)
    return Requirement(NODE_NAME_FIELD, op, (value,))


def term(*exprs, fields=()):
    return NodeSelectorTerm(exprs, fields)


def required(*terms):
    return Affinity(NodeAffinity(required=terms))


# (name, nodeSelector, affinity, node name, node labels, Filter reason or None), or
# (name, skip reason)
FILTER_CASES = [
    ("missing labels", {"foo": "bar"}, None, "", {}, ERR_REASON_POD),
    ("same labels", {"foo": "bar"}, None, "", {"foo": "bar"}, None),
    ("node labels are superset", {"foo": "bar"}, None, "", {"foo": "bar", "baz": "blah"}, None),
    (
        "node labels are subset",
        {"foo": "bar", "baz": "blah"},
        None,
        "",
        {"foo": "bar"},
        ERR_REASON_POD,
    ),
    (
        "Pod with matchExpressions using In operator that matches the existing node",
        {},
        required(term(E("foo", "In", "bar", "value2"))),
        "",
        {"foo": "bar"},
        None,
    ),
    (
        "Pod with matchExpressions using Gt operator that matches the existing node",
        {},
        required(term(E("kernel-version", "Gt", "0204"))),
        "",
        {"kernel-version": "0206"},
        None,
    ),
    (
        "Pod with matchExpressions using NotIn operator that matches the existing node",
        {},
        required(term(E("mem-type", "NotIn", "DDR", "DDR2"))),
        "",
        {"mem-type": "DDR3"},
        None,
    ),
    (
        "Pod with matchExpressions using Exists operator that matches the existing node",
        {},
        required(term(E("GPU", "Exists"))),
        "",
        {"GPU": "NVIDIA-GRID-K1"},
        None,
    ),
    (
        "Pod with affinity that don't match node's labels won't schedule onto the node",
        {},
        required(term(E("foo", "In", "value1", "value2"))),
        "",
        {"foo": "bar"},
        ERR_REASON_POD,
    ),
    (
        "Pod with empty MatchExpressions is not a valid value will match no objects and won't "
        "schedule onto the node",
        {},
        required(term()),
        "",
        {"foo": "bar"},
        ERR_REASON_POD,
    ),
    ("Pod with no Affinity will schedule onto a node", {}, None, "", {"foo": "bar"}, None),
    (
        "Pod with Affinity but nil NodeSelector will schedule onto a node",
        {},
        Affinity(NodeAffinity(required=None)),
        "",
        {"foo": "bar"},
        None,
    ),
    (
        "Pod with multiple matchExpressions ANDed that matches the existing node",
        {},
        required(term(E("GPU", "Exists"), E("GPU", "NotIn", "AMD", "INTER"))),
        "",
        {"GPU": "NVIDIA-GRID-K1"},
        None,
    ),
    (
        "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
        {},
        required(term(E("GPU", "Exists"), E("GPU", "In", "AMD", "INTER"))),
        "",
        {"GPU": "NVIDIA-GRID-K1"},
        ERR_REASON_POD,
    ),
    (
        "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and "
        "will schedule onto the node",
        {},
        required(
            term(E("foo", "In", "bar", "value2")), term(E("diffkey", "In", "wrong", "value2"))
        ),
        "",
        {"foo": "bar"},
        None,
    ),
    (
        "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are "
        "deprecating) both are satisfied, will schedule onto the node",
        {"foo": "bar"},
        required(term(E("foo", "Exists"))),
        "",
        {"foo": "bar"},
        None,
    ),
    (
        "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing "
        "that we are deprecating) is not satisfied, won't schedule onto the node",
        {"foo": "bar"},
        required(term(E("foo", "Exists"))),
        "",
        {"foo": "barrrrrr"},
        ERR_REASON_POD,
    ),
    (
        "Pod with an invalid value in Affinity term won't be scheduled onto the node",
        {},
        required(term(E("foo", "NotIn", "invalid value: ___@#$%^"))),
        "",
        {"foo": "bar"},
        ERR_REASON_POD,
    ),
    (
        "Pod with matchFields using In operator that matches the existing node",
        {},
        required(term(fields=(F("In", "node1"),))),
        "node1",
        {},
        None,
    ),
    (
        "Pod with matchFields using In operator that does not match the existing node",
        {},
        required(term(fields=(F("In", "node1"),))),
        "node2",
        {},
        ERR_REASON_POD,
    ),
    (
        "Pod with two terms: matchFields does not match, but matchExpressions matches",
        {},
        required(
            term(fields=(F("In", "node1"), F("In", "node2"))),
            term(E("foo", "In", "bar")),
        ),
        "node2",
        {"foo": "bar"},
        None,
    ),
    (
        "Pod with one term: matchFields does not match, but matchExpressions matches",
        {},
        required(term(E("foo", "In", "bar"), fields=(F("In", "node1"),))),
        "node2",
        {"foo": "bar"},
        ERR_REASON_POD,
    ),
    (
        "Pod with one term: both matchFields and matchExpressions match",
        {},
        required(term(E("foo", "In", "bar"), fields=(F("In", "node1"),))),
        "node1",
        {"foo": "bar"},
        None,
    ),
    (
        "Pod with two terms: both matchFields and matchExpressions do not match",
        {},
        required(term(fields=(F("In", "node1"),)), term(E("foo", "In", "not-match-to-bar"))),
        "node2",
        {"foo": "bar"},
        ERR_REASON_POD,
    ),
    (
        "Pod with two terms of node.Name affinity",
        {},
        required(term(fields=(F("In", "node1"),)), term(fields=(F("In", "node2"),))),
        "node2",
        {},
        None,
    ),
    (
        "Pod with two conflicting mach field requirements",
        {},
        required(term(fields=(F("In", "node1"), F("In", "node2")))),
        "node2",
        {"foo": "bar"},
        ERR_REASON_POD,  # PreFilter: "pod affinity terms conflict" (not modelled)
    ),
    ("Matches added affinity and Pod's node affinity", ADDED_AFFINITY),
    ("Matches added affinity but not Pod's node affinity", ADDED_AFFINITY),
    ("Doesn't match added affinity", ADDED_AFFINITY),
    (
        "Matches node selector correctly even if PreFilter is not called",
        {"foo": "bar"},
        None,
        "",
        {"foo": "bar", "baz": "blah"},
        None,
    ),
    (
        "Matches node affinity correctly even if PreFilter is not called",
        {},
        required(term(E("GPU", "Exists"), E("GPU", "NotIn", "AMD", "INTER"))),
        "",
        {"GPU": "NVIDIA-GRID-K1"},
        None,
    ),
]

# upstream's PreFilter Skip cases
PRE_FILTER_SKIP = {
    "Pod with no Affinity will schedule onto a node",
    "Pod with Affinity but nil NodeSelector will schedule onto a node",
}


def _params(cases):
    out = []
    for case in cases:
        if isinstance(case[1], str):
            out.append(pytest.param(*([None] * 5), id=case[0], marks=pytest.mark.skip(case[1])))
        else:
            out.append(pytest.param(*case[1:], id=case[0]))
    return out


@pytest.mark.parametrize(
    ("node_selector", "affinity", "node_name", "labels", "want"), _params(FILTER_CASES)
)
def test_node_affinity(request, node_selector, affinity, node_name, labels, want):
    pod = Pod("pod", node_selector=node_selector, affinity=affinity)
    skip = request.node.callspec.id in PRE_FILTER_SKIP
    assert node_affinity_pre_filter(pod) == ("Skip" if skip else "Success")
    assert node_affinity_filter(pod, labels, node_name) == want
    # through a whole cycle on one node: the verdict, and UnschedulableAndUnresolvable
    for cls in (Scheduler, PlainScheduler):
        node = Node(node_name or "node", {"cpu": 1000, "memory": 2**30}, labels)
        decision = cls([node]).schedule_one(
            Pod("pod", node_selector=node_selector, affinity=affinity)
        )
        if want is None:
            assert decision.node == node.name
        else:
            assert decision.message == (
                f"0/1 nodes are available: 1 {want}. preemption: 0/1 nodes are available: 1 "
                "Preemption is not helpful for scheduling."
            )


LABEL1 = {"foo": "bar"}
LABEL2 = {"key": "value"}
LABEL3 = {"az": "az1"}
LABEL4 = {"abc": "az11", "def": "az22"}
LABEL5 = {"foo": "bar", "key": "value", "az": "az1"}


def preferred(*weighted):
    return Affinity(
        NodeAffinity(preferred=tuple(PreferredSchedulingTerm(w, t) for w, t in weighted))
    )


AFFINITY1 = preferred((2, term(E("foo", "In", "bar"))))
AFFINITY2 = preferred(
    (2, term(E("foo", "In", "bar"))),
    (4, term(E("key", "In", "value"))),
    (5, term(E("foo", "In", "bar"), E("key", "In", "value"), E("az", "In", "az1"))),
)
INVALID_KEY_ERROR = (
    '[0].matchExpressions[0].key: Invalid value: "invalid key": name part must consist of '
    "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)

# (name, affinity, nodes, expected scores | PreScore status, skip reason)
SCORE_CASES = [
    (
        "all nodes are same priority as NodeAffinity is nil",
        None,
        {"node1": LABEL1, "node2": LABEL2, "node3": LABEL3},
        {"node1": 0, "node2": 0, "node3": 0},
    ),
    ("Skip is returned in PreScore when NodeAffinity is nil", None, {"node1": LABEL1}, "Skip"),
    (
        "PreScore returns error when an incoming Pod has a broken affinity",
        preferred((2, term(E("invalid key", "In", "bar")))),
        {"node1": LABEL1},
        ValueError(INVALID_KEY_ERROR),
    ),
    (
        "no node matches preferred scheduling requirements in NodeAffinity of pod so all "
        "nodes' priority is zero",
        AFFINITY1,
        {"node1": LABEL4, "node2": LABEL2, "node3": LABEL3},
        {"node1": 0, "node2": 0, "node3": 0},
    ),
    (
        "only node1 matches the preferred scheduling requirements of pod",
        AFFINITY1,
        {"node1": LABEL1, "node2": LABEL2, "node3": LABEL3},
        {"node1": MAX_NODE_SCORE, "node2": 0, "node3": 0},
    ),
    (
        "all nodes matches the preferred scheduling requirements of pod but with different "
        "priorities ",
        AFFINITY2,
        {"node1": LABEL1, "node5": LABEL5, "node2": LABEL2},
        {"node1": 18, "node5": MAX_NODE_SCORE, "node2": 36},
    ),
    ("added affinity", ADDED_AFFINITY),
    ("added affinity and pod has default affinity", ADDED_AFFINITY),
    (
        "calculate the priorities correctly even if PreScore is not called",
        AFFINITY2,
        {"node1": LABEL1, "node5": LABEL5, "node2": LABEL2},
        {"node1": 18, "node5": MAX_NODE_SCORE, "node2": 36},
    ),
]


def _score_params():
    out = []
    for case in SCORE_CASES:
        if isinstance(case[1], str):
            out.append(pytest.param(None, None, None, id=case[0], marks=pytest.mark.skip(case[1])))
        else:
            out.append(pytest.param(*case[1:], id=case[0]))
    return out


@pytest.mark.parametrize(("affinity", "nodes", "expected"), _score_params())
def test_node_affinity_priority(affinity, nodes, expected):
    pod = Pod("pod", affinity=affinity)
    if isinstance(expected, Exception):
        with pytest.raises(ValueError) as raised:
            node_affinity_pre_score(pod)
        assert str(raised.value) == str(expected)
        return
    if expected == "Skip":
        assert node_affinity_pre_score(pod) == "Skip"
        return
    raw = [node_affinity_score(pod, labels, name) for name, labels in nodes.items()]
    assert dict(zip(nodes, node_affinity_normalize(raw), strict=True)) == expected
    # and as the scheduling cycle records it
    sched = PlainScheduler(
        [Node(n, {"cpu": 1000, "memory": 2**30}, lab) for n, lab in nodes.items()]
    )
    cycle = sched.cycle(pod)
    (scores,) = [s for s in cycle.scores if s.plugin == "NodeAffinity"]
    if affinity is None:
        assert scores.status == "Skip"  # the cycle skips what PreScore skips
    else:
        order = [sched.nodes[i].name for i in cycle.candidates]
        assert dict(zip(order, scores.normalized, strict=True)) == expected
