"""Upstream's PodTopologySpread test tables, case by case (Kubernetes v1.35).

Ported from kubernetes/kubernetes pkg/scheduler/framework/plugins/podtopologyspread/
filtering_test.go (TestSingleConstraint, TestMultipleConstraints: PreFilter, then Filter on
every node, the status code per node) and scoring_test.go (TestPodTopologySpreadScore:
PreScore over the candidate nodes, Score, NormalizeScore). Each case keeps upstream's name
(two upstream cases share a name; pytest numbers the second). Every case runs twice: through
the plugin functions (plugins/podtopologyspread.py) and through the fast Scheduler's arrays
(scheduler/constraints.py).

Status codes: a node missing a topology key is UnschedulableAndUnresolvable ("... (missing
required label)"), a skew beyond maxSkew is Unschedulable. The node inclusion policies and
matchLabelKeys are on, as in v1.35 (upstream's `enableNodeInclusionPolicy: false` cases use
the default policies, which give the same answers).

Skipped, with the reason on each case:
* "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology
  key": the node lacks `kubernetes.io/hostname`, which every simulated node carries (the
  kubelet sets it when it registers the node);
* "minDomains has no effect when ScheduleAnyway": upstream calls it artificial (the API server
  rejects minDomains with ScheduleAnyway, and so does the simulator's TopologySpreadConstraint);
* "matchLabelKeys ignored when feature gate disabled": the MatchLabelKeysInPodTopologySpread
  gate is on (beta since v1.27), the simulator has no switch for it.
Not ported: TestPreFilterState / TestPreScoreStateEmptyNodes (they compare the plugins'
internal state structs, whose effect these Filter and Score tables check), AddPod/RemovePod
(preemption's what-if, not modelled) and the benchmarks.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import filter_code

from msa_course.orchestration.objects import Node, Pod
from msa_course.orchestration.placement import (
    LABEL_HOSTNAME,
    Affinity,
    LabelSelector,
    NodeAffinity,
    NodeSelectorTerm,
    Requirement,
    Taint,
    TopologySpreadConstraint,
)
from msa_course.orchestration.plugins import (
    pts_filter,
    pts_normalize,
    pts_pre_filter,
    pts_pre_score,
    pts_score,
)
from msa_course.orchestration.scheduler import Scheduler

GI = 2**30
HOST = LABEL_HOSTNAME
DNS, SA = "DoNotSchedule", "ScheduleAnyway"
TAINTS = (Taint("node.kubernetes.io/unschedulable", "", "NoSchedule"),)
SELECTORS = {
    "foo": LabelSelector(match_expressions=(Requirement("foo", "Exists"),)),
    "bar": LabelSelector(match_expressions=(Requirement("bar", "Exists"),)),
    "{}": LabelSelector(),
    None: None,
}


def C(skew, key, when, sel, min_domains=None, naff="Honor", ntaint="Ignore", keys=()):  # noqa: N802
    """st.MakePod().SpreadConstraint(maxSkew, key, when, selector, minDomains, policies...)."""
    return TopologySpreadConstraint(
        skew, key, when, SELECTORS[sel], min_domains, naff, ntaint, tuple(keys)
    )


def _labels(words: str) -> dict[str, str]:
    """ "foo bar=x" -> {"foo": "", "bar": "x"}."""
    out = {}
    for word in words.split():
        key, _, value = word.partition("=")
        out[key] = value
    return out


def N(spec: str) -> tuple[str, dict[str, str], bool]:  # noqa: N802
    """ "node-a zone=zone1 node=node-a !taint": a node, its labels, tainted unschedulable."""
    name, *rest = spec.split()
    tainted = "!taint" in rest
    return name, _labels(" ".join(w for w in rest if w != "!taint")), tainted


def P(spec: str) -> tuple[str, str, str, dict[str, str], bool]:  # noqa: N802
    """ "ns1/p-a1@node-a foo" (namespace/name@node labels), a leading "~": terminating."""
    head, *rest = spec.split()
    terminating = head.startswith("~")
    head = head.lstrip("~")
    namespace, _, head = head.rpartition("/")
    name, _, node = head.partition("@")
    return namespace or "default", name, node, _labels(" ".join(rest)), terminating


def incoming(labels, *constraints, node_selector=None, affinity=None):
    """The pod to schedule; `affinity` = ("In" | "NotIn", key, values) required node affinity."""
    node_affinity = None
    if affinity:
        op, key, values = affinity
        term = NodeSelectorTerm((Requirement(key, op, tuple(values)),))
        node_affinity = Affinity(NodeAffinity(required=(term,)))
    return Pod(
        "p",
        labels=_labels(labels),
        node_selector=node_selector or {},
        affinity=node_affinity,
        topology_spread_constraints=tuple(constraints),
    )


def _cluster(nodes, existing, default_selector=None):
    """A fast Scheduler holding the nodes and the existing pods (bound where they run)."""
    built = [
        Node(name, {"cpu": 64000, "memory": 64 * GI}, labels, spec_taints=TAINTS if t else ())
        for name, labels, t in (N(spec) for spec in nodes)
    ]
    sched = Scheduler(built, default_selector=default_selector)
    for spec in existing:
        namespace, name, node, labels, terminating = P(spec)
        pod = Pod(name, namespace=namespace, labels=labels)
        sched.bind(pod, node)
        if terminating:
            sched.mark_terminating(pod)
    return sched


S, U, UU = "Success", "Unschedulable", "UnschedulableAndUnresolvable"
PTS = "PodTopologySpread"
ZONES4 = [
    "node-a zone=zone1 node=node-a",
    "node-b zone=zone1 node=node-b",
    "node-x zone=zone2 node=node-x",
    "node-y zone=zone2 node=node-y",
]
SPREAD_2103 = ["p-a1@node-a foo", "p-a2@node-a foo", "p-b1@node-b foo"] + [
    f"p-y{i}@node-y foo" for i in (1, 2, 3)
]
FOO_NODES = [
    "node-a node=node-a foo",
    "node-b node=node-b foo",
    "node-x node=node-x foo",
    "node-y node=node-y",
]
FOO_PODS = ["p-b1@node-a foo", "p-b2@node-b foo", "p-y1@node-y foo"]
ZONES4_FOO = [
    "node-a zone=zone1 node=node-a foo",
    "node-b zone=zone1 node=node-b foo",
    "node-x zone=zone2 node=node-x foo",
]
THREE = ["node-a node=node-a", "node-b node=node-b", "node-c node=node-c"]
SPREAD_221 = ["p-a1@node-a foo", "p-a2@node-a foo", "p-b1@node-b foo", "p-b2@node-b foo"]

# (name, incoming pod, nodes, existing pods, status code per node in node order)
SINGLE_CONSTRAINT = [
    ("no existing pods", incoming("foo", C(1, "zone", DNS, "foo")), ZONES4, [], [S, S, S, S]),
    (
        "no existing pods, incoming pod doesn't match itself",
        incoming("foo", C(1, "zone", DNS, "bar")),
        ZONES4,
        [],
        [S, S, S, S],
    ),
    (
        "existing pods in a different namespace do not count",
        incoming("foo", C(1, "zone", DNS, "foo")),
        ZONES4,
        ["ns1/p-a1@node-a foo", "ns2/p-b1@node-a foo", "p-x1@node-x foo", "p-y1@node-y foo"],
        [S, S, U, U],
    ),
    (
        "existing pods do not match null selector",
        incoming("foo", C(1, "zone", DNS, None)),
        ZONES4,
        ["p-x1@node-x foo", "p-y1@node-y foo"],
        [S, S, S, S],
    ),
    (
        "pods spread across zones as 3/3, all nodes fit",
        incoming("foo", C(1, "zone", DNS, "foo")),
        ZONES4,
        SPREAD_2103,
        [S, S, S, S],
    ),
    (
        "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
        incoming("foo", C(1, "zone", DNS, "foo")),
        [ZONES4[0], "node-b zon=zone1 node=node-b", *ZONES4[2:]],
        ["p-a1@node-a foo", "p-b1@node-b foo", "p-x1@node-x foo", "p-y1@node-y foo"],
        [S, UU, U, U],
    ),
    (
        "pod cannot be scheduled as all nodes don't have label 'rack'",
        incoming("foo", C(1, "rack", DNS, "foo")),
        [ZONES4[0], ZONES4[2]],
        [],
        [UU, UU],
    ),
    (
        "pods spread across nodes as 2/1/0/3, only node-x fits",
        incoming("foo", C(1, "node", DNS, "foo")),
        ZONES4,
        SPREAD_2103,
        [U, U, S, U],
    ),
    (
        "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
        incoming("foo", C(2, "node", DNS, "foo")),
        ZONES4,
        SPREAD_2103,
        [U, S, S, U],
    ),
    (
        "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
        incoming("bar", C(1, "node", DNS, "foo")),
        ZONES4,
        SPREAD_2103,
        [U, S, S, U],
    ),
    (
        "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
        incoming("foo", C(1, "node", DNS, "foo"), affinity=("In", "node", ["node-a", "node-y"])),
        ZONES4,
        SPREAD_2103,
        [S, S, S, U],
    ),
    (
        "terminating Pods should be excluded",
        incoming("foo", C(1, "node", DNS, "foo")),
        ["node-a node=node-a", "node-b node=node-b"],
        ["~p-a@node-a foo", "p-b@node-b foo"],
        [S, U],
    ),
    (
        "incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits",
        incoming("foo", C(1, "zone", DNS, "foo"), affinity=("NotIn", "node", ["node-b"])),
        ZONES4,
        ["p-b1@node-b foo", "p-b2@node-b foo", "p-y1@node-y foo"],
        [S, S, U, U],
    ),
    (
        "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < "
        "minDomains, then the third node fits",
        incoming("foo", C(2, "node", DNS, "foo", min_domains=4)),
        THREE,
        [*SPREAD_221, "p-c1@node-c foo"],
        [U, U, S],
    ),
    (
        "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > "
        "minDomains, then the all nodes fit",
        incoming("foo", C(2, "node", DNS, "foo", min_domains=2)),
        THREE,
        [*SPREAD_221, "p-c1@node-c foo"],
        [S, S, S],
    ),
    (
        "pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, "
        "then the third and fourth nodes fit",
        incoming("foo", C(2, "zone", DNS, "foo", min_domains=3)),
        ZONES4,
        ["p-b1@node-a foo", "p-b2@node-b foo", "p-y1@node-y foo"],
        [U, U, S, S],
    ),
    (
        "pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, "
        "then the all nodes fit",
        incoming("foo", C(2, "zone", DNS, "foo", min_domains=1)),
        ZONES4,
        ["p-b1@node-a foo", "p-b2@node-b foo", "p-y1@node-y foo"],
        [S, S, S, S],
    ),
    (
        "NodeAffinityPolicy honored with labelSelectors",
        incoming("foo", C(1, "node", DNS, "foo"), node_selector={"foo": ""}),
        FOO_NODES,
        FOO_PODS,
        [U, U, S, S],
    ),
    (
        "NodeAffinityPolicy ignored with labelSelectors",
        incoming("foo", C(1, "node", DNS, "foo", naff="Ignore"), node_selector={"foo": ""}),
        FOO_NODES,
        FOO_PODS,
        [U, U, S, U],
    ),
    (
        "NodeAffinityPolicy honored with nodeAffinity",
        incoming("foo", C(1, "node", DNS, "foo"), affinity=("In", "foo", [""])),
        FOO_NODES,
        FOO_PODS,
        [U, U, S, S],
    ),
    (
        "NodeAffinityPolicy ignored with labelSelectors",
        incoming("foo", C(1, "node", DNS, "foo", naff="Ignore"), affinity=("In", "foo", [""])),
        FOO_NODES,
        FOO_PODS,
        [U, U, S, U],
    ),
    (
        "NodeTaintsPolicy honored",
        incoming("foo", C(1, "node", DNS, "foo", ntaint="Honor")),
        [*FOO_NODES[:3], "node-y node=node-y !taint"],
        FOO_PODS,
        [U, U, S, S],
    ),
    (
        "NodeTaintsPolicy ignored",
        incoming("foo", C(1, "node", DNS, "foo")),
        [*FOO_NODES[:3], "node-y node=node-y !taint"],
        FOO_PODS,
        [U, U, S, U],
    ),
]

MULTIPLE_CONSTRAINTS = [
    (
        "two Constraints on zone and node, spreads = [3/3, 2/1/0/3]",
        incoming("foo", C(1, "zone", DNS, "foo"), C(1, "node", DNS, "foo")),
        ZONES4,
        SPREAD_2103,
        [U, U, S, U],
    ),
    (
        "two Constraints on zone and node, spreads = [3/4, 2/1/0/4]",
        incoming("foo", C(1, "zone", DNS, "foo"), C(1, "node", DNS, "foo")),
        ZONES4,
        [*SPREAD_2103, "p-y4@node-y foo"],
        [U, U, U, U],
    ),
    (
        "Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]",
        incoming("foo bar", C(1, "zone", DNS, "foo"), C(1, "node", DNS, "bar")),
        ZONES4,
        ["p-a1@node-a foo", "p-y1@node-y bar"],
        [U, U, S, U],
    ),
    (
        "Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]",
        incoming("foo bar", C(1, "zone", DNS, "foo"), C(1, "node", DNS, "bar")),
        ZONES4,
        ["p-a1@node-a foo", "p-x1@node-x bar", "p-y1@node-y bar"],
        [U, U, U, U],
    ),
    (
        "Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]",
        incoming("foo bar", C(1, "zone", DNS, "foo"), C(1, "node", DNS, "bar")),
        ZONES4,
        [
            "p-a1@node-a foo",
            "p-a2@node-a foo bar",
            "p-y1@node-y foo",
            "p-y2@node-y foo bar",
            "p-y3@node-y foo",
        ],
        [U, S, U, U],
    ),
    (
        "Constraints hold different labelSelectors but pod doesn't match itself on 'zone' "
        "constraint",
        incoming("bar", C(1, "zone", DNS, "foo"), C(1, "node", DNS, "bar")),
        ZONES4,
        ["p-a1@node-a foo", "p-x1@node-x bar", "p-y1@node-y bar"],
        [S, S, U, U],
    ),
    (
        "two Constraints on zone and node, absence of label 'node' on node-x, spreads = "
        "[1/1, 1/0/0/1]",
        incoming("foo", C(1, "zone", DNS, "foo"), C(1, "node", DNS, "foo")),
        [*ZONES4[:2], "node-x zone=zone2", ZONES4[3]],
        ["p-a1@node-a foo", "p-y3@node-y foo"],
        [U, S, UU, U],
    ),
    (
        "two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore",
        incoming(
            "foo",
            C(1, "zone", DNS, "foo"),
            C(1, "node", DNS, "foo", naff="Ignore"),
            node_selector={"foo": ""},
        ),
        [*ZONES4_FOO, "node-y zone=zone2 node=node-y"],
        ["p-a1@node-a foo", "p-b1@node-b foo", "p-y1@node-y foo"],
        [U, U, S, U],
    ),
    (
        "two node inclusion Constraints, zone: honor/honor, node: honor/ignore",
        incoming("foo", C(1, "zone", DNS, "foo", ntaint="Honor"), C(1, "node", DNS, "foo")),
        [*ZONES4_FOO, "node-y zone=zone2 node=node-y !taint"],
        ["p-a1@node-a foo", "p-b1@node-b foo", "p-y1@node-y foo"],
        [U, U, S, U],
    ),
    (
        "two node inclusion Constraints, zone: honor/ignore, node: honor/ignore",
        incoming(
            "foo", C(1, "zone", DNS, "foo"), C(1, "node", DNS, "foo"), node_selector={"foo": ""}
        ),
        [
            "node-a zone=zone1 node=node-a foo",
            "node-b zone=zone1 node=node-b",
            "node-x zone=zone2 node=node-x foo",
            "node-y zone=zone2 node=node-y foo !taint",
        ],
        ["p-a1@node-a foo", "p-b1@node-b foo", "p-y1@node-y foo"],
        [U, S, S, U],
    ),
    (
        "two node inclusion Constraints, zone: honor/honor, node: ignore/ignore",
        incoming(
            "foo",
            C(1, "zone", DNS, "foo", ntaint="Honor"),
            C(1, "node", DNS, "foo", naff="Ignore"),
            node_selector={"foo": ""},
        ),
        [
            "node-a zone=zone1 node=node-a foo",
            "node-b zone=zone1 node=node-b",
            "node-x zone=zone2 node=node-x foo",
            "node-y zone=zone2 node=node-y foo !taint",
        ],
        ["p-a1@node-a foo", "p-b1@node-b foo", "p-y1@node-y foo"],
        [U, U, S, U],
    ),
]


def _filter_params(cases):
    return [pytest.param(*case[1:], id=case[0]) for case in cases]


@pytest.mark.parametrize(
    ("pod", "nodes", "existing", "want"),
    _filter_params(SINGLE_CONSTRAINT) + _filter_params(MULTIPLE_CONSTRAINTS),
)
def test_single_and_multiple_constraints(pod, nodes, existing, want):
    sched = _cluster(nodes, existing)
    infos = [sched.node_info(i) for i in range(len(sched.nodes))]
    state = pts_pre_filter(pod, infos)
    assert [filter_code(PTS, pts_filter(state, pod, info)) for info in infos] == want
    # the fast Scheduler's arrays give the same verdicts
    assert [filter_code(PTS, r) for r in sched.constraints.spread_verdicts(pod)] == want


def _foo_service(pod: Pod) -> LabelSelector | None:
    """A Service selecting foo="" (the "system defaulting ... pods match service" case)."""
    return LabelSelector({"foo": ""}) if pod.labels.get("foo") == "" else None


HOSTS4 = [f"node-{c} {HOST}=node-{c}" for c in "abcd"]
SPREAD_4321 = [
    f"p-{c}{i}@node-{c} foo" for c, k in zip("abcd", (4, 3, 2, 1)) for i in range(1, k + 1)
]
SPREAD_2103_ABCD = ["p-a1@node-a foo", "p-a2@node-a foo", "p-b1@node-b foo"] + [
    f"p-d{i}@node-d foo" for i in (1, 2, 3)
]
SPREAD_4213 = [
    *(f"p-a{i}@node-a foo" for i in range(1, 5)),
    "p-b1@node-b foo",
    "p-b2@node-b foo",
    "p-x1@node-x foo",
    *(f"p-y{i}@node-y foo" for i in (1, 2, 3)),
]
ZONE_HOSTS = [f"node-{c} zone=zone{z} {HOST}=node-{c}" for c, z in zip("abxy", "1122")]
ZONE_HOSTS_CD = [f"node-{c} zone=zone{z} {HOST}=node-{c}" for c, z in zip("abcd", "1122")]
NODE_FOO = ["node-a node=node-a foo", "node-b node=node-b foo", "node-c node=node-c"]
NODE_FOO_PODS = ["p-a1@node-a foo", "p-a2@node-a foo", "p-b1@node-b foo", "p-c1@node-c foo"]
MIXED = ["p-a1@node-a foo", "p-b1@node-b foo bar", "p-y1@node-c foo", "p-y2@node-c bar"]
SKIP_HOSTNAME = "every simulated node carries kubernetes.io/hostname (the kubelet sets it)"

# (name, incoming pod, candidate nodes, failed nodes, existing pods, want per candidate[,
#  default selector]) or (name, skip reason)
SCORE_CASES = [
    (
        "one constraint on node, no existing pods",
        incoming("foo", C(1, HOST, SA, "foo")),
        HOSTS4[:2],
        [],
        [],
        [100, 100],
    ),
    (
        "one constraint on node, only one node is candidate",
        incoming("foo", C(1, HOST, SA, "foo")),
        HOSTS4[:1],
        HOSTS4[1:2],
        ["p-a1@node-a foo", "p-a2@node-a foo", "p-b1@node-b foo"],
        [100],
    ),
    (
        "one constraint on node, all nodes have the same number of matching pods",
        incoming("foo", C(1, HOST, SA, "foo")),
        HOSTS4[:2],
        [],
        ["p-a1@node-a foo", "p-b1@node-b foo"],
        [100, 100],
    ),
    (
        "one constraint on node, all 4 nodes are candidates",
        incoming("foo", C(1, HOST, SA, "foo")),
        HOSTS4,
        [],
        SPREAD_2103_ABCD,
        [20, 60, 100, 0],
    ),
    (
        "one constraint on node, null selector",
        incoming("foo", C(1, HOST, SA, None)),
        HOSTS4,
        [],
        SPREAD_2103_ABCD,
        [100, 100, 100, 100],
    ),
    (
        "one constraint on node, all 4 nodes are candidates, maxSkew=2",
        incoming("foo", C(2, HOST, SA, "foo")),
        HOSTS4,
        [],
        SPREAD_2103_ABCD,
        [33, 66, 100, 16],
    ),
    (
        "one constraint on node, all 4 nodes are candidates, maxSkew=3",
        incoming("foo", C(3, HOST, SA, "foo")),
        HOSTS4,
        [],
        SPREAD_4321,
        [44, 66, 77, 100],
    ),
    (
        "system defaulting, nodes don't have zone, pods match service",
        incoming("foo"),
        HOSTS4,
        [],
        SPREAD_4321,
        [44, 66, 77, 100],
        _foo_service,
    ),
    (
        "one constraint on node, 3 out of 4 nodes are candidates",
        incoming("foo", C(1, HOST, SA, "foo")),
        [f"node-{c} {HOST}=node-{c}" for c in "abx"],
        [f"node-y {HOST}=node-y"],
        SPREAD_4213,
        [33, 83, 100],
    ),
    (
        "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match "
        "topology key",
        SKIP_HOSTNAME,
    ),
    (
        "one constraint on zone, 3 out of 4 nodes are candidates",
        incoming("foo", C(1, "zone", SA, "foo")),
        ZONE_HOSTS[:3],
        ZONE_HOSTS[3:],
        SPREAD_4213,
        [75, 75, 100],
    ),
    (
        "two Constraints on zone and node, 2 out of 4 nodes are candidates",
        incoming("foo", C(1, "zone", SA, "foo"), C(1, HOST, SA, "foo")),
        [ZONE_HOSTS[0], ZONE_HOSTS[2]],
        [ZONE_HOSTS[1], ZONE_HOSTS[3]],
        [
            "p-a1@node-a foo",
            "p-a2@node-a foo",
            "p-b1@node-b foo",
            "p-x1@node-x foo",
            "p-x2@node-x foo",
            *(f"p-y{i}@node-y foo" for i in range(1, 5)),
        ],
        [100, 63],
    ),
    (
        "two Constraints on zone and node, with different labelSelectors",
        incoming("foo bar", C(1, "zone", SA, "foo"), C(1, HOST, SA, "bar")),
        ZONE_HOSTS,
        [],
        ["p-a1@node-a foo", "p-b1@node-b foo bar", "p-y1@node-y foo", "p-y2@node-y bar"],
        [60, 20, 100, 60],
    ),
    (
        "two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods",
        incoming("foo bar", C(1, "zone", SA, "foo"), C(1, HOST, SA, "bar")),
        ZONE_HOSTS,
        [],
        ["p-b1@node-b bar", "p-x1@node-x foo", "p-y1@node-y foo bar"],
        [100, 60, 40, 0],
    ),
    (
        "two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes "
        "are candidates",
        incoming("foo bar", C(1, "zone", SA, "foo"), C(1, HOST, SA, "bar")),
        ZONE_HOSTS[:3],
        ZONE_HOSTS[3:],
        ["p-a1@node-a foo", "p-b1@node-b foo bar", "p-y1@node-y foo", "p-y2@node-y bar"],
        [50, 25, 100],
    ),
    (
        "existing pods in a different namespace do not count",
        incoming("foo", C(1, HOST, SA, "foo")),
        HOSTS4[:2],
        [],
        ["ns1/p-a1@node-a foo", "p-a2@node-a foo", "p-b1@node-b foo", "p-b2@node-b foo"],
        [100, 33],
    ),
    (
        "terminating Pods should be excluded",
        incoming("foo", C(1, HOST, SA, "foo")),
        HOSTS4[:2],
        [],
        ["~p-a@node-a foo", "p-b@node-b foo"],
        [100, 0],
    ),
    (
        "minDomains has no effect when ScheduleAnyway",
        "artificial upstream: the API server (and the simulator) reject minDomains with "
        "ScheduleAnyway",
    ),
    (
        "NodeAffinityPolicy honoed with labelSelectors",
        incoming("foo", C(1, "node", SA, "foo"), node_selector={"foo": ""}),
        NODE_FOO,
        [],
        NODE_FOO_PODS,
        [0, 33, 100],
    ),
    (
        "NodeAffinityPolicy ignored with labelSelectors",
        incoming("foo", C(1, "node", SA, "foo", naff="Ignore"), node_selector={"foo": ""}),
        NODE_FOO,
        [],
        NODE_FOO_PODS,
        [66, 100, 100],
    ),
    (
        "NodeAffinityPolicy honoed with nodeAffinity",
        incoming("foo", C(1, "node", SA, "foo"), affinity=("In", "foo", [""])),
        NODE_FOO,
        [],
        NODE_FOO_PODS,
        [0, 33, 100],
    ),
    (
        "NodeAffinityPolicy ignored with nodeAffinity",
        incoming("foo", C(1, "node", SA, "foo", naff="Ignore"), affinity=("In", "foo", [""])),
        NODE_FOO,
        [],
        NODE_FOO_PODS,
        [66, 100, 100],
    ),
    (
        "NodeTaintsPolicy honored",
        incoming("foo", C(1, "node", SA, "foo", ntaint="Honor")),
        ["node-a node=node-a", "node-b node=node-b", "node-c node=node-c !taint"],
        [],
        NODE_FOO_PODS,
        [0, 33, 100],
    ),
    (
        "NodeTaintsPolicy ignored",
        incoming("foo", C(1, "node", SA, "foo")),
        ["node-a node=node-a", "node-b node=node-b", "node-c node=node-c !taint"],
        [],
        NODE_FOO_PODS,
        [66, 100, 100],
    ),
    (
        "matchLabelKeys ignored when feature gate disabled",
        "the MatchLabelKeysInPodTopologySpread gate is on (beta since v1.27); no switch for it",
    ),
    (
        "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
        incoming(
            "foo bar",
            C(1, "zone", SA, "{}", keys=["foo"]),
            C(1, HOST, SA, "{}", keys=["bar"]),
        ),
        ZONE_HOSTS_CD,
        [],
        MIXED,
        [60, 20, 60, 100],
    ),
    (
        "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
        incoming("foo bar baz", C(1, "zone", SA, "foo"), C(1, HOST, SA, "bar", keys=["baz"])),
        ZONE_HOSTS_CD,
        [],
        [
            "p-a1@node-a foo",
            "p-b1@node-b foo bar baz",
            "p-c1@node-c foo",
            "p-c2@node-c bar",
            "p-d3@node-c bar baz",
        ],
        [60, 20, 60, 100],
    ),
]


def _score_params():
    out = []
    for case in SCORE_CASES:
        if len(case) == 2:
            out.append(pytest.param(*[None] * 6, id=case[0], marks=pytest.mark.skip(case[1])))
        else:
            out.append(pytest.param(*case[1:], *([None] * (7 - len(case))), id=case[0]))
    return out


@pytest.mark.parametrize(
    ("pod", "nodes", "failed", "existing", "want", "default_selector"), _score_params()
)
def test_pod_topology_spread_score(pod, nodes, failed, existing, want, default_selector):
    sched = _cluster(nodes + failed, existing, default_selector)
    infos = [sched.node_info(i) for i in range(len(sched.nodes))]
    candidates = infos[: len(nodes)]
    selector = default_selector(pod) if default_selector else None
    state = pts_pre_score(pod, candidates, infos, selector)
    raw = [pts_score(state, pod, n) for n in candidates]
    assert pts_normalize(state, [n.name for n in candidates], raw) == want
    fast = sched.constraints.spread_scores(pod, np.arange(len(nodes)))
    assert [int(x) for x in fast] == want


def test_empty_selector_counts_no_pod_but_matches_the_incoming_one():
    # countPodsMatchSelector returns 0 for an empty selector (labels.Everything()), while the
    # Filter's self-match uses Matches, which is true: so {} spreads nothing, yet each pod
    # adds 1 to its own domain.
    pod = incoming("foo", C(1, "zone", DNS, "{}"))
    sched = _cluster(ZONES4, SPREAD_2103)
    infos = [sched.node_info(i) for i in range(4)]
    state = pts_pre_filter(pod, infos)
    assert [pts_filter(state, pod, info) for info in infos] == [None] * 4
    assert list(sched.constraints.spread_verdicts(pod)) == [None] * 4
