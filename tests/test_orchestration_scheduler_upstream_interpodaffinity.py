"""Upstream's InterPodAffinity test tables, case by case (Kubernetes v1.35).

Ported from kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/
filtering_test.go (TestRequiredAffinitySingleNode, TestRequiredAffinityMultipleNodes: PreFilter,
then Filter per node, status code and reason) and scoring_test.go (TestPreferredAffinity,
TestPreferredAffinityWithHardPodAffinitySymmetricWeight: PreScore, Score, NormalizeScore).
Each case keeps upstream's name (trailing spaces included; where upstream repeats a name,
pytest numbers the repeats). Upstream's namespace "" is "default" here.

Adapted: two single-node cases leave topologyKey empty, which the API server rejects and the
simulator's PodAffinityTerm does too; they use "region" instead, which gives the same verdict
(no pod matches the term anywhere). An existing pod on a node that is not in the snapshot
("pod matches its own Label in PodAffinity ...") is left out: upstream's snapshot has no node
for it either, so no plugin sees it.

Skipped, with the reason on each case: namespaceSelector (the simulator has no Namespace
objects with labels; terms list namespaces), invalid label values in selectors (rejected when
the selector is built, as the API server rejects them), and the InterPodAffinityArgs setting
ignorePreferredTermsOfExistingPods. Not ported: AddPod/RemovePod (preemption's what-if).
"""

from __future__ import annotations

import pytest
from helpers import filter_code

from msa_course.orchestration.objects import Node, Pod
from msa_course.orchestration.placement import (
    Affinity,
    LabelSelector,
    PodAffinity,
    PodAffinityTerm,
    Requirement,
    WeightedPodAffinityTerm,
)
from msa_course.orchestration.plugins import (
    ERR_REASON_AFFINITY,
    ERR_REASON_ANTI_AFFINITY,
    ERR_REASON_EXISTING_ANTI_AFFINITY,
    MAX_NODE_SCORE,
    ipa_filter,
    ipa_normalize,
    ipa_pre_filter,
    ipa_pre_score,
    ipa_score,
)
from msa_course.orchestration.scheduler import PlainScheduler

IPA = "InterPodAffinity"
AFF, ANTI, EXIST = ERR_REASON_AFFINITY, ERR_REASON_ANTI_AFFINITY, ERR_REASON_EXISTING_ANTI_AFFINITY
NAMESPACE_SELECTOR = "namespaceSelector is not modelled (no Namespace objects with labels)"
INVALID_VALUE = "an invalid label value is rejected when the selector is built (as by the API)"


def In(key, *values):  # noqa: N802
    return Requirement(key, "In", values)


def NotIn(key, *values):  # noqa: N802
    return Requirement(key, "NotIn", values)


def Exists(key):  # noqa: N802
    return Requirement(key, "Exists")


def DoesNotExist(key):  # noqa: N802
    return Requirement(key, "DoesNotExist")


def term(topology_key, *requirements, namespaces=()):
    return PodAffinityTerm(LabelSelector(match_expressions=requirements), topology_key, namespaces)


def pod(labels=None, namespace="default", aff=(), anti=(), paff=(), panti=(), name="p"):
    """A pod with required (`aff`, `anti`) and preferred ((weight, term): `paff`, `panti`) terms."""
    affinity = None
    if aff or anti or paff or panti:
        affinity = Affinity(
            pod_affinity=PodAffinity(
                tuple(aff), tuple(WeightedPodAffinityTerm(w, t) for w, t in paff)
            )
            if aff or paff
            else None,
            pod_anti_affinity=PodAffinity(
                tuple(anti), tuple(WeightedPodAffinityTerm(w, t) for w, t in panti)
            )
            if anti or panti
            else None,
        )
    return Pod(name, namespace=namespace, labels=dict(labels or {}), affinity=affinity)


def _cluster(nodes: dict[str, dict[str, str]], existing) -> PlainScheduler:
    sched = PlainScheduler(
        [Node(n, {"cpu": 64000, "memory": 2**36}, lab) for n, lab in nodes.items()]
    )
    for i, (p, node) in enumerate(existing):
        p.name = f"existing-{i}"
        sched.bind(p, node)
    return sched


POD_LABEL = {"service": "securityscan"}
POD_LABEL2 = {"security": "S1"}
NODE1 = {"node1": {"region": "r1", "zone": "z11"}}


def existing_pod(**kw):
    return pod(POD_LABEL, **kw)


# (name, incoming pod, existing pods on node1, PreFilter Skip?, Filter reason) | (name, skip)
SINGLE_NODE = [
    (
        "A pod that has no required pod affinity scheduling rules can schedule onto a node with "
        "no existing pods",
        pod(),
        [],
        True,
        None,
    ),
    (
        "satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In "
        "operator that matches the existing pod",
        pod(POD_LABEL2, aff=[term("region", In("service", "securityscan", "value2"))]),
        [existing_pod()],
        False,
        None,
    ),
    (
        "satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity "
        "using not in operator in labelSelector that matches the existing pod",
        pod(POD_LABEL2, aff=[term("region", NotIn("service", "securityscan3", "value3"))]),
        [existing_pod()],
        False,
        None,
    ),
    (
        "Does not satisfy the PodAffinity with labelSelector because of diff Namespace",
        pod(
            POD_LABEL2,
            aff=[
                term(
                    "region",  # upstream: "" (see the module docstring)
                    In("service", "securityscan", "value2"),
                    namespaces=("DiffNameSpace",),
                )
            ],
        ),
        [pod(POD_LABEL, namespace="ns")],
        False,
        AFF,
    ),
    (
        "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
        pod(POD_LABEL, aff=[term("region", In("service", "antivirusscan", "value2"))]),
        [existing_pod()],
        False,
        AFF,
    ),
    (
        "satisfies the PodAffinity with different label Operators in multiple "
        "RequiredDuringSchedulingIgnoredDuringExecution ",
        pod(
            POD_LABEL2,
            aff=[
                term("region", Exists("service"), DoesNotExist("wrongkey")),
                term("region", In("service", "securityscan"), NotIn("service", "WrongValue")),
            ],
        ),
        [existing_pod()],
        False,
        None,
    ),
    (
        "The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot "
        "schedule onto the node because one of the matchExpression item don't match.",
        pod(
            POD_LABEL2,
            aff=[
                term("region", Exists("service"), DoesNotExist("wrongkey")),
                term("region", In("service", "securityscan2"), NotIn("service", "WrongValue")),
            ],
        ),
        [existing_pod()],
        False,
        AFF,
    ),
    (
        "satisfies the PodAffinity and PodAntiAffinity with the existing pod",
        pod(
            POD_LABEL2,
            aff=[term("region", In("service", "securityscan", "value2"))],
            anti=[term("node", In("service", "antivirusscan", "value2"))],
        ),
        [existing_pod()],
        False,
        None,
    ),
    (
        "satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the "
        "existing pod",
        pod(
            POD_LABEL2,
            aff=[term("region", In("service", "securityscan", "value2"))],
            anti=[term("node", In("service", "antivirusscan", "value2"))],
        ),
        [existing_pod(anti=[term("node", In("service", "antivirusscan", "value2"))])],
        False,
        None,
    ),
    (
        "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
        pod(
            POD_LABEL2,
            aff=[term("region", In("service", "securityscan", "value2"))],
            anti=[term("zone", In("service", "securityscan", "value2"))],
        ),
        [existing_pod()],
        False,
        ANTI,
    ),
    (
        "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity "
        "symmetry with the existing pod",
        pod(
            POD_LABEL,
            aff=[term("region", In("service", "securityscan", "value2"))],
            anti=[term("node", In("service", "antivirusscan", "value2"))],
        ),
        [existing_pod(anti=[term("zone", In("service", "securityscan", "value2"))])],
        False,
        EXIST,
    ),
    (
        "pod matches its own Label in PodAffinity and that matches the existing pod Labels",
        pod(POD_LABEL, aff=[term("region", NotIn("service", "securityscan", "value2"))]),
        [],  # upstream's existing pod runs on node2, which is not in the snapshot
        False,
        AFF,
    ),
    (
        "verify that PodAntiAffinity from existing pod is respected when pod has no "
        "AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod",
        pod(POD_LABEL),
        [existing_pod(anti=[term("zone", In("service", "securityscan", "value2"))])],
        False,
        EXIST,
    ),
    (
        "verify that PodAntiAffinity from existing pod is respected when pod has no "
        "AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod",
        pod(POD_LABEL),
        [existing_pod(anti=[term("zone", NotIn("service", "securityscan", "value2"))])],
        True,
        None,
    ),
    (
        "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity "
        "symmetry with incoming pod",
        pod(
            POD_LABEL, anti=[term("region", Exists("service")), term("region", Exists("security"))]
        ),
        [pod(POD_LABEL2, anti=[term("zone", Exists("security"))])],
        False,
        ANTI,
    ),
    (
        "PodAntiAffinity symmetry check a1: incoming pod and existing pod partially match each "
        "other on AffinityTerms",
        pod(POD_LABEL, anti=[term("zone", Exists("service")), term("zone", Exists("security"))]),
        [pod(POD_LABEL2, anti=[term("zone", Exists("security"))])],
        False,
        ANTI,
    ),
    (
        "PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each "
        "other on AffinityTerms",
        pod(POD_LABEL2, anti=[term("zone", Exists("security"))]),
        [pod(POD_LABEL, anti=[term("zone", Exists("service")), term("zone", Exists("security"))])],
        False,
        EXIST,
    ),
    (
        "PodAntiAffinity symmetry check b1: incoming pod and existing pod partially match each "
        "other on AffinityTerms",
        pod(
            {"abc": "", "xyz": ""}, anti=[term("zone", Exists("abc")), term("zone", Exists("def"))]
        ),
        [
            pod(
                {"def": "", "xyz": ""},
                anti=[term("zone", Exists("abc")), term("zone", Exists("def"))],
            )
        ],
        False,
        ANTI,
    ),
    (
        "PodAntiAffinity symmetry check b2: incoming pod and existing pod partially match each "
        "other on AffinityTerms",
        pod(
            {"def": "", "xyz": ""}, anti=[term("zone", Exists("abc")), term("zone", Exists("def"))]
        ),
        [
            pod(
                {"abc": "", "xyz": ""},
                anti=[term("zone", Exists("abc")), term("zone", Exists("def"))],
            )
        ],
        False,
        ANTI,
    ),
    ("PodAffinity fails PreFilter with an invalid affinity label syntax", INVALID_VALUE),
    ("PodAntiAffinity fails PreFilter with an invalid antiaffinity label syntax", INVALID_VALUE),
    ("affinity with NamespaceSelector", NAMESPACE_SELECTOR),
    ("affinity with non-matching NamespaceSelector", NAMESPACE_SELECTOR),
    ("anti-affinity with matching NamespaceSelector", NAMESPACE_SELECTOR),
    ("anti-affinity with matching all NamespaceSelector", NAMESPACE_SELECTOR),
    ("anti-affinity with non-matching NamespaceSelector", NAMESPACE_SELECTOR),
]

CHINA = {"region": "China"}
CHINA_AZ1 = {"region": "China", "az": "az1"}
INDIA = {"region": "India"}


def _ab(za="z1", zb="z2", region="r1"):
    return {
        "nodeA": {"region": region, "zone": za, "hostname": "nodeA"},
        "nodeB": {"region": region, "zone": zb, "hostname": "nodeB"},
    }


# (name, incoming pod, nodes, existing (pod, node), PreFilter Skip?, Filter reason per node)
MULTIPLE_NODES = [
    (
        "A pod can be scheduled onto all the nodes that have the same topology key & label "
        "value with one of them has an existing pod that matches the affinity rules",
        pod(aff=[term("region", In("foo", "bar"))]),
        {"node1": CHINA, "node2": CHINA_AZ1, "node3": INDIA},
        [(pod({"foo": "bar"}), "node1")],
        False,
        [None, None, AFF],
    ),
    (
        "The affinity rule is to schedule all of the pods of this collection to the same zone. "
        "The first pod of the collection should not be blocked from being scheduled onto any "
        "node, even there's no existing pod that matches the rule anywhere.",
        pod(
            {"foo": "bar", "service": "securityscan"},
            aff=[term("zone", In("foo", "bar")), term("zone", In("service", "securityscan"))],
        ),
        {"nodeA": {"zone": "az1", "hostname": "h1"}, "nodeB": {"zone": "az2", "hostname": "h2"}},
        [(pod({"foo": "bar"}), "nodeA")],
        False,
        [None, None],
    ),
    (
        "The first pod of the collection can only be scheduled on nodes labelled with the "
        "requested topology keys",
        pod(
            {"foo": "bar", "service": "securityscan"},
            aff=[term("zone", In("foo", "bar")), term("zone", In("service", "securityscan"))],
        ),
        {
            "nodeA": {"zoneLabel": "az1", "hostname": "h1"},
            "nodeB": {"zoneLabel": "az2", "hostname": "h2"},
        },
        [(pod({"foo": "bar"}), "nodeA")],
        False,
        [AFF, AFF],
    ),
    (
        "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that "
        "matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB.",
        pod(anti=[term("region", In("foo", "abc"))]),
        {
            "nodeA": {"region": "r1", "hostname": "nodeA"},
            "nodeB": {"region": "r1", "hostname": "nodeB"},
        },
        [(pod({"foo": "abc"}), "nodeA")],
        False,
        [ANTI, ANTI],
    ),
    (
        "This test ensures that anti-affinity matches a pod when any term of the anti-affinity "
        "rule matches a pod.",
        pod(anti=[term("region", In("foo", "abc")), term("zone", In("service", "securityscan"))]),
        _ab(),
        [(pod({"foo": "abc", "service": "securityscan"}), "nodeA")],
        False,
        [ANTI, ANTI],
    ),
    (
        "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that "
        "matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB "
        "but can be scheduled onto nodeC",
        pod(anti=[term("region", In("foo", "abc"))]),
        {"nodeA": CHINA, "nodeB": CHINA_AZ1, "nodeC": INDIA},
        [(pod({"foo": "abc"}), "nodeA")],
        False,
        [ANTI, ANTI, None],
    ),
    (
        "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that "
        "matches the inter pod affinity rule. The pod can not be scheduled onto nodeA, nodeB, "
        "but can be scheduled onto nodeC (NodeC has an existing pod that match the inter pod "
        "affinity rule but in different namespace)",
        pod({"foo": "123"}, namespace="NS1", anti=[term("region", In("foo", "bar"))]),
        {"nodeA": CHINA, "nodeB": CHINA_AZ1, "nodeC": INDIA},
        [
            (pod({"foo": "bar"}, namespace="NS1"), "nodeA"),
            (pod(namespace="NS2", anti=[term("region", In("foo", "123"))]), "nodeC"),
        ],
        False,
        [ANTI, ANTI, None],
    ),
    (
        "Test existing pod's anti-affinity: if an existing pod has a term with invalid "
        "topologyKey, labelSelector of the term is firstly checked, and then topologyKey of the "
        "term is also checked",
        pod({"foo": ""}),
        _ab("z1", "z1"),
        [(pod(anti=[term("invalid-node-label", Exists("foo"))]), "nodeA")],
        True,
        [None, None],
    ),
    (
        "Test incoming pod's anti-affinity: even if labelSelector matches, we still check if "
        "topologyKey matches",
        pod(anti=[term("invalid-node-label", Exists("foo"))]),
        _ab("z1", "z1"),
        [(pod({"foo": ""}), "nodeA")],
        False,
        [None, None],
    ),
    (
        "Test existing pod's anti-affinity: incoming pod wouldn't considered as a fit as it "
        "violates each existingPod's terms on all nodes",
        pod({"foo": "", "bar": ""}),
        _ab(),
        [
            (pod(anti=[term("zone", Exists("foo"))]), "nodeA"),
            (pod(anti=[term("region", Exists("bar"))]), "nodeA"),
        ],
        False,
        [EXIST, EXIST],
    ),
    (
        "Test incoming pod's anti-affinity: incoming pod wouldn't considered as a fit as it at "
        "least violates one anti-affinity rule of existingPod",
        pod(anti=[term("zone", Exists("foo")), term("region", Exists("bar"))]),
        _ab(),
        [(pod({"foo": ""}), "nodeA"), (pod({"bar": ""}), "nodeB")],
        False,
        [ANTI, ANTI],
    ),
    (
        "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, "
        "it's counted as a single term match - case when one term has invalid topologyKey",
        pod({"foo": "", "bar": ""}),
        _ab(),
        [
            (
                pod(anti=[term("invalid-node-label", Exists("foo")), term("zone", Exists("bar"))]),
                "nodeA",
            )
        ],
        False,
        [EXIST, None],
    ),
    (
        "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, "
        "it's counted as a single term match - case when one term has invalid topologyKey",
        pod(anti=[term("invalid-node-label", Exists("foo")), term("zone", Exists("bar"))]),
        _ab(),
        [(pod({"foo": "", "bar": ""}), "nodeA")],
        False,
        [ANTI, None],
    ),
    (
        "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, "
        "it's counted as a single term match - case when all terms have valid topologyKey",
        pod({"foo": "", "bar": ""}),
        _ab(),
        [(pod(anti=[term("region", Exists("foo")), term("zone", Exists("bar"))]), "nodeA")],
        False,
        [EXIST, EXIST],
    ),
    (
        "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, "
        "it's counted as a single term match - case when all terms have valid topologyKey",
        pod(anti=[term("region", Exists("foo")), term("zone", Exists("bar"))]),
        _ab(),
        [(pod({"foo": "", "bar": ""}), "nodeA")],
        False,
        [ANTI, ANTI],
    ),
    (
        "Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one "
        "anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC",
        pod({"foo": "", "bar": ""}),
        {**_ab(), "nodeC": {"region": "r1", "zone": "z3", "hostname": "nodeC"}},
        [
            (pod(anti=[term("zone", Exists("foo")), term("zone", Exists("labelA"))]), "nodeA"),
            (pod(anti=[term("zone", Exists("bar")), term("zone", Exists("labelB"))]), "nodeB"),
        ],
        False,
        [EXIST, EXIST, None],
    ),
    (
        "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check "
        "if all topologyKeys match",
        pod(aff=[term("region", Exists("foo")), term("zone", Exists("bar"))]),
        _ab("z1", "z1"),
        [(pod({"foo": "", "bar": ""}), "nodeA")],
        False,
        [None, None],
    ),
    (
        "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check "
        "if all topologyKeys match, and the match logic should be satisfied on the same pod",
        pod(aff=[term("region", Exists("foo")), term("zone", Exists("bar"))]),
        _ab(),
        [(pod({"foo": ""}), "nodeA"), (pod({"bar": ""}), "nodeB")],
        False,
        [AFF, AFF],
    ),
]


def _single_params():
    out = []
    for case in SINGLE_NODE:
        if isinstance(case[1], str):
            out.append(
                pytest.param(None, None, None, None, id=case[0], marks=pytest.mark.skip(case[1]))
            )
        else:
            out.append(pytest.param(*case[1:], id=case[0]))
    return out


@pytest.mark.parametrize(("incoming", "existing", "skip", "want"), _single_params())
def test_required_affinity_single_node(incoming, existing, skip, want):
    sched = _cluster(NODE1, [(p, "node1") for p in existing])
    infos = [sched.node_info(0)]
    state = ipa_pre_filter(incoming, infos)
    assert (state is None) == skip
    got = ipa_filter(state, infos[0])
    assert (got, filter_code(IPA, got)) == (want, filter_code(IPA, want))


@pytest.mark.parametrize(
    ("incoming", "nodes", "existing", "skip", "want"),
    [pytest.param(*case[1:], id=case[0]) for case in MULTIPLE_NODES],
)
def test_required_affinity_multiple_nodes(incoming, nodes, existing, skip, want):
    sched = _cluster(nodes, existing)
    infos = [sched.node_info(i) for i in range(len(nodes))]
    state = ipa_pre_filter(incoming, infos)
    assert (state is None) == skip
    assert [ipa_filter(state, info) for info in infos] == want
    # the scheduling cycle records the same verdicts (no other plugin rejects these nodes)
    verdicts = sched.cycle(incoming).verdicts
    assert [v.reasons[0] if v.reasons else None for v in verdicts] == want


S1_ = {"security": "S1"}
S2_ = {"security": "S2"}
STAY_S1_REGION = dict(paff=[(5, term("region", In("security", "S1")))])
STAY_S2_REGION = dict(paff=[(6, term("region", In("security", "S2")))])
AFFINITY3 = dict(
    paff=[
        (8, term("region", NotIn("security", "S1"), In("security", "S2"))),
        (2, term("region", Exists("security"), DoesNotExist("wrongkey"))),
    ]
)
HARD_AFFINITY = dict(
    aff=[
        term("region", In("security", "S1", "value2")),
        term("region", Exists("security"), DoesNotExist("wrongkey")),
    ]
)
AWAY_S1_AZ = dict(panti=[(5, term("az", In("security", "S1")))])
AWAY_S2_AZ = dict(panti=[(5, term("az", In("security", "S2")))])
STAY_S1_AWAY_S2 = dict(
    paff=[(8, term("region", In("security", "S1")))],
    panti=[(5, term("az", In("security", "S2")))],
)
AZ1, AZ2 = {"az": "az1"}, {"az": "az2"}
M = MAX_NODE_SCORE

# (name, incoming pod, nodes, existing (pod, node), scores | "Skip") | (name, skip reason)
PREFERRED = [
    (
        "all nodes are same priority as Affinity is nil",
        pod(S1_),
        {"node1": CHINA, "node2": INDIA, "node3": AZ1},
        [],
        "Skip",
    ),
    (
        "Affinity: pod that matches topology key & pods in nodes will get high score comparing to "
        "otherswhich doesn't match either pods in nodes or in topology key",
        pod(S1_, **STAY_S1_REGION),
        {"node1": CHINA, "node2": INDIA, "node3": AZ1},
        [(pod(S1_), "node1"), (pod(S2_), "node2"), (pod(S1_), "node3")],
        [M, 0, 0],
    ),
    (
        "All the nodes that have the same topology key & label value with one of them has an "
        "existing pod that match the affinity rules, have the same score",
        pod(**STAY_S1_REGION),
        {"node1": CHINA, "node2": CHINA_AZ1, "node3": INDIA},
        [(pod(S1_), "node1")],
        [M, M, 0],
    ),
    (
        "Affinity: nodes in one region has more matching pods comparing to other region, so the "
        "region which has more matches will get high score",
        pod(S1_, **STAY_S2_REGION),
        {"node1": CHINA, "node2": INDIA, "node3": CHINA, "node4": CHINA, "node5": INDIA},
        [(pod(S2_), n) for n in ("node1", "node1", "node2", "node3", "node4", "node5")],
        [M, 0, M, M, 0],
    ),
    (
        "Affinity: different Label operators and values for pod affinity scheduling preference, "
        "including some match failures ",
        pod(S1_, **AFFINITY3),
        {"node1": CHINA, "node2": INDIA, "node3": AZ1},
        [(pod(S1_), "node1"), (pod(S2_), "node2"), (pod(S1_), "node3")],
        [20, M, 0],
    ),
    (
        "Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution "
        "in pod affinity symmetry",
        pod(S2_),
        {"node1": CHINA, "node2": INDIA, "node3": AZ1},
        [(pod(S1_, **STAY_S1_REGION), "node1"), (pod(S2_, **STAY_S2_REGION), "node2")],
        [0, M, 0],
    ),
    ("Affinity symmetry with namespace selector", NAMESPACE_SELECTOR),
    ("AntiAffinity symmetry with namespace selector", NAMESPACE_SELECTOR),
    (
        "Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod "
        "affinity symmetry",
        pod(S1_),
        {"node1": CHINA, "node2": INDIA, "node3": AZ1},
        [(pod(S1_, **HARD_AFFINITY), "node1"), (pod(S2_, **HARD_AFFINITY), "node2")],
        [M, M, 0],
    ),
    (
        "Anti Affinity: pod that does not match existing pods in node will get high score ",
        pod(S1_, **AWAY_S1_AZ),
        {"node1": AZ1, "node2": CHINA},
        [(pod(S1_), "node1"), (pod(S2_), "node2")],
        [0, M],
    ),
    (
        "Anti Affinity: pod that does not match topology key & match the pods in nodes will get "
        "higher score comparing to others ",
        pod(S1_, **AWAY_S1_AZ),
        {"node1": AZ1, "node2": CHINA},
        [(pod(S1_), "node1"), (pod(S1_), "node2")],
        [0, M],
    ),
    (
        "Anti Affinity: one node has more matching pods comparing to other node, so the node "
        "which has more unmatches will get high score",
        pod(S1_, **AWAY_S1_AZ),
        {"node1": AZ1, "node2": INDIA},
        [(pod(S1_), "node1"), (pod(S1_), "node1"), (pod(S2_), "node2")],
        [0, M],
    ),
    (
        "Anti Affinity symmetry: the existing pods in node which has anti affinity match will "
        "get high score",
        pod(S2_),
        {"node1": AZ1, "node2": AZ2},
        [(pod(S1_, **AWAY_S2_AZ), "node1"), (pod(S2_, **AWAY_S1_AZ), "node2")],
        [0, M],
    ),
    (
        "Affinity and Anti Affinity: considered only preferredDuringSchedulingIgnoredDuringExecution "
        "in both pod affinity & anti affinity",
        pod(S1_, **STAY_S1_AWAY_S2),
        {"node1": CHINA, "node2": AZ1},
        [(pod(S1_), "node1"), (pod(S1_), "node2")],
        [M, 0],
    ),
    (
        "Affinity and Anti Affinity: considering both affinity and anti-affinity, the pod to "
        "schedule and existing pods have the same labels",
        pod(S1_, **STAY_S1_AWAY_S2),
        {"node1": CHINA_AZ1, "node2": INDIA, "node3": CHINA, "node4": CHINA, "node5": INDIA},
        [(pod(S1_), n) for n in ("node1", "node1", "node2", "node3", "node3", "node4", "node5")],
        [M, 0, M, M, 0],
    ),
    (
        "Affinity and Anti Affinity and symmetry: considered only "
        "preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity & "
        "symmetry",
        pod(S1_, **STAY_S1_AWAY_S2),
        {"node1": CHINA, "node2": AZ1, "node3": INDIA, "node4": AZ2},
        [
            (pod(S1_), "node1"),
            (pod(S2_), "node2"),
            (pod(**STAY_S1_AWAY_S2), "node3"),
            (pod(**AWAY_S1_AZ), "node4"),
        ],
        [M, 0, M, 0],
    ),
    (
        "Avoid panic when partial nodes in a topology don't have pods with affinity",
        pod(S1_),
        {"node1": CHINA, "node2": CHINA},
        [(pod(S1_), "node1"), (pod(**STAY_S1_AWAY_S2), "node2")],
        [0, 0],
    ),
    ("invalid Affinity fails PreScore", INVALID_VALUE),
    ("invalid AntiAffinity fails PreScore", INVALID_VALUE),
    ("Affinity with pods matching NamespaceSelector", NAMESPACE_SELECTOR),
    (
        "Affinity with pods matching both NamespaceSelector and Namespaces fields",
        NAMESPACE_SELECTOR,
    ),
    ("Affinity with pods matching NamespaceSelector", NAMESPACE_SELECTOR),
    (
        "Affinity with pods matching both NamespaceSelector and Namespaces fields",
        NAMESPACE_SELECTOR,
    ),
    (
        "Ignore preferred terms of existing pods",
        "InterPodAffinityArgs.ignorePreferredTermsOfExistingPods (a profile setting) is not "
        "modelled",
    ),
    (
        "Do not ignore preferred terms of existing pods",
        pod(S2_),
        {"node1": CHINA, "node2": INDIA},
        [(pod(S1_, **STAY_S1_AWAY_S2), "node1"), (pod(S2_, **STAY_S2_REGION), "node2")],
        [0, M],
    ),
    ("No nodes to score", pod(S2_), {}, [], "Skip"),
]

HARD_POD_AFFINITY = dict(
    aff=[term("region", In("service", "S1"), namespaces=("default", "subteam2.team2"))]
)
SYMMETRIC = {"node1": CHINA, "node2": INDIA, "node3": AZ1}
# (name, incoming pod, hardPodAffinityWeight, scores | "Skip") | (name, skip reason)
HARD_WEIGHT = [
    ("with default weight", pod({"service": "S1"}), 1, [M, M, 0]),
    ("with zero weight", pod({"service": "S1"}), 0, "Skip"),
    ("with no matching namespace", pod({"service": "S1"}, namespace="subteam1.team2"), 1, "Skip"),
    ("with matching NamespaceSelector", NAMESPACE_SELECTOR),
    ("with matching Namespaces", pod({"service": "S1"}, namespace="subteam2.team2"), 1, [M, M, 0]),
]


def _score(incoming, nodes, existing, weight=1):
    sched = _cluster(nodes, existing)
    infos = [sched.node_info(i) for i in range(len(nodes))]
    state = ipa_pre_score(incoming, infos, weight)
    if state is None:
        return "Skip"
    return ipa_normalize([ipa_score(state, n) for n in infos])


def _params(cases, width):
    out = []
    for case in cases:
        if isinstance(case[1], str):
            out.append(pytest.param(*[None] * width, id=case[0], marks=pytest.mark.skip(case[1])))
        else:
            out.append(pytest.param(*case[1:], id=case[0]))
    return out


@pytest.mark.parametrize(("incoming", "nodes", "existing", "want"), _params(PREFERRED, 4))
def test_preferred_affinity(incoming, nodes, existing, want):
    assert _score(incoming, nodes, existing) == want


@pytest.mark.parametrize(("incoming", "weight", "want"), _params(HARD_WEIGHT, 3))
def test_preferred_affinity_with_hard_pod_affinity_symmetric_weight(incoming, weight, want):
    existing = [(pod(**HARD_POD_AFFINITY), "node1"), (pod(**HARD_POD_AFFINITY), "node2")]
    assert _score(incoming, SYMMETRIC, existing, weight) == want
