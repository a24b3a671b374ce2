"""The cluster scheduler: upstream's filter/score rules, messages, and vectorised == plain."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_course.orchestration.objects import Container, Node, Pod, PodTemplate
from msa_course.orchestration.plugins import broken_linear, go_div, go_round
from msa_course.orchestration.scheduler import (
    PlainScheduler,
    Profile,
    Scheduler,
    fit_error_message,
    num_feasible_nodes_to_find,
)

GI = 2**30


def _pod(name, cpu=None, memory=None, gpu=0):
    requests = {}
    if cpu is not None:
        requests["cpu"] = cpu
    if memory is not None:
        requests["memory"] = memory
    if gpu:
        requests["nvidia.com/gpu"] = gpu
    return Pod(name, (Container("c", requests=requests),))


@pytest.mark.parametrize(
    ("points", "cases"),
    [
        (
            [(10, 1), (90, 9)],
            {-10: 1, 0: 1, 9: 1, 10: 1, 15: 1, 19: 1, 20: 2, 89: 8, 90: 9, 110: 9},
        ),
        ([(0, 2), (40, 10), (100, 0)], {-10: 2, 0: 2, 20: 6, 30: 8, 40: 10, 70: 5, 100: 0, 110: 0}),
    ],
)
def test_broken_linear_function_upstream_cases(points, cases):
    # TestBrokenLinearFunction (k8s_formulas.md §1.4)
    assert {p: broken_linear(points, p) for p in cases} == cases


def test_go_integer_semantics():
    assert go_div(-1000, 30) == -33  # Python's // gives -34
    assert go_round(36.5) == 37 and go_round(2.5) == 3  # Python's round gives 36 and 2


def test_pending_message_has_kubernetes_form():
    nodes = [Node(f"n{i}", {"cpu": 1000, "memory": 4 * GI, "pods": 110}) for i in range(2)]
    nodes.append(Node("small", {"cpu": 4000, "memory": 4 * GI, "pods": 1}))
    sched = Scheduler(nodes)
    sched.bind(_pod("existing", 10, 10), "small")
    decision = sched.schedule_one(_pod("big", cpu=2000, memory=GI))
    assert decision.node is None
    # sort.Strings over "<count> <reason>", exactly as FitError.Error(); then preemption's
    # verdict: a pod asking for more cpu than a node has can never fit there
    assert decision.message == (
        "0/3 nodes are available: 1 Too many pods, 2 Insufficient cpu. preemption: 0/3 nodes "
        "are available: 1 No preemption victims found for incoming pod, 2 Preemption is not "
        "helpful for scheduling."
    )


def test_condition_filters_and_several_reasons_per_node():
    nodes = [
        Node("cordoned", {"cpu": 8000, "memory": 8 * GI}, unschedulable=True),
        Node("down", {"cpu": 8000, "memory": 8 * GI}, ready=False),
        Node("tiny", {"cpu": 100, "memory": GI}),
    ]
    for cls in (Scheduler, PlainScheduler):
        d = cls(nodes).schedule_one(_pod("p", cpu=500, memory=2 * GI))
        assert d.message == (
            "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, "
            "1 node(s) had untolerated taint(s), 1 node(s) were unschedulable. preemption: "
            "0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        )


def test_exact_fit_passes_and_filter_ignores_scoring_defaults():
    node = Node("n", {"cpu": 1000, "memory": GI, "pods": 3})
    sched = Scheduler([node])
    assert sched.schedule_one(_pod("a", cpu=1000, memory=GI)).node == "n"
    # no requests: fits even on a full node (the 100m/200Mi defaults are for scoring only)
    assert sched.schedule_one(_pod("b")).node == "n"
    assert sched.schedule_one(_pod("c")).node == "n"
    assert sched.schedule_one(_pod("d")).message == (
        "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod."
    )


def test_extended_resource_no_node_has():
    sched = Scheduler([Node("n", {"cpu": 4000, "memory": GI})])
    d = sched.schedule_one(_pod("gpu", cpu=100, gpu=1))
    assert d.message == (
        "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are "
        "available: 1 Preemption is not helpful for scheduling."
    )


def test_least_allocated_spreads_most_allocated_packs():
    nodes = [Node(f"n{i}", {"cpu": 4000, "memory": 8 * GI}) for i in range(4)]
    template = PodTemplate({"app": "w"}, (Container("c", requests={"cpu": 500, "memory": GI}),))
    used = {}
    for strategy in ("LeastAllocated", "MostAllocated"):
        sched = Scheduler(nodes, Profile(strategy=strategy), seed=1)
        decisions = sched.schedule(template.instantiate(f"w{i}") for i in range(4))
        used[strategy] = len({d.node for d in decisions})
    assert used == {"LeastAllocated": 4, "MostAllocated": 1}


def test_ties_are_seeded_and_uniform():
    nodes = [Node(f"n{i}", {"cpu": 4000, "memory": 8 * GI}) for i in range(4)]
    first = [Scheduler(nodes, seed=s).schedule_one(_pod("p", 100, GI)).node for s in range(200)]
    again = [Scheduler(nodes, seed=s).schedule_one(_pod("p", 100, GI)).node for s in range(200)]
    assert first == again
    counts = {n: first.count(n) for n in set(first)}
    assert len(counts) == 4 and min(counts.values()) > 25  # each of 4 expected ~50 times


def test_num_feasible_nodes_to_find():
    assert num_feasible_nodes_to_find(50) == 50
    assert num_feasible_nodes_to_find(1000) == 420  # 50 - 1000/125 = 42 %
    assert num_feasible_nodes_to_find(5000) == 500  # 50 - 40 = 10 %
    assert num_feasible_nodes_to_find(200) == 100  # 49 % = 98, at least 100
    assert num_feasible_nodes_to_find(1000, 100) == 1000


def test_fit_error_message_sorts_as_strings():
    reasons = ["Insufficient cpu"] * 12 + ["Too many pods"] * 3
    assert fit_error_message(15, reasons) == (
        "0/15 nodes are available: 12 Insufficient cpu, 3 Too many pods."
    )
    preemption = ["Preemption is not helpful for scheduling"] + [
        "No preemption victims found for incoming pod"
    ] * 14
    assert fit_error_message(15, reasons, preemption).endswith(
        " preemption: 0/15 nodes are available: 1 Preemption is not helpful for scheduling, "
        "14 No preemption victims found for incoming pod."
    )


def test_bad_profile_and_node_input():
    with pytest.raises(ValueError, match="strategy must be one of"):
        Profile(strategy="Spread")
    with pytest.raises(ValueError, match="weight of resource 'cpu'"):
        Profile(resources=(("cpu", 0),))
    with pytest.raises(ValueError, match="needs a shape"):
        Profile(strategy="RequestedToCapacityRatio")
    with pytest.raises(ValueError, match="strictly increasing"):
        Profile(strategy="RequestedToCapacityRatio", shape=((50, 1), (40, 2)))
    with pytest.raises(ValueError, match="allocatable needs 'memory'"):
        Node("n", {"cpu": 1})
    with pytest.raises(ValueError, match="node names must be unique"):
        Scheduler([Node("n", {"cpu": 1, "memory": 1})] * 2)


def test_unbind_frees_room():
    sched = Scheduler([Node("n", {"cpu": 1000, "memory": GI})])
    first = _pod("a", 1000, GI)
    assert sched.schedule_one(first).node == "n"
    assert sched.schedule_one(_pod("b", 1000, GI)).node is None
    sched.unbind(first)
    assert sched.schedule_one(_pod("c", 1000, GI)).node == "n"
    assert [p.name for p in sched.pods_on("n")] == ["c"]


PROFILES = [
    Profile(),
    Profile(strategy="MostAllocated", balanced_allocation="v1.35"),
    Profile(strategy="LeastAllocated", resources=(("memory", 3), ("cpu", 1))),
    Profile(strategy="MostAllocated", resources=(("cpu", 1), ("memory", 1), ("nvidia.com/gpu", 5))),
    Profile(
        strategy="RequestedToCapacityRatio",
        shape=((0, 10), (30, 0)),
        balanced_resources=(("cpu", 1), ("memory", 1), ("nvidia.com/gpu", 1)),
    ),
    Profile(strategy="RequestedToCapacityRatio", shape=((0, 0), (50, 7), (100, 10))),
    Profile(balanced_allocation=None, fit_weight=3),
]

pod_shape = st.tuples(
    st.one_of(st.none(), st.integers(0, 3000)),
    st.one_of(st.none(), st.integers(0, 6 * GI)),
    st.sampled_from([0, 0, 0, 1, 2]),
)
node_shape = st.tuples(
    st.integers(500, 8000),
    st.integers(GI, 16 * GI),
    st.integers(1, 12),
    st.sampled_from([0, 0, 4]),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    nodes=st.lists(node_shape, min_size=1, max_size=8),
    pods=st.lists(pod_shape, min_size=1, max_size=40),
    profile=st.sampled_from(PROFILES),
    seed=st.integers(0, 2**16),
    repeat=st.integers(1, 4),
)
def test_vectorised_equals_plain_and_invariants(nodes, pods, profile, seed, repeat):
    def cluster():
        out = []
        for i, (cpu, mem, max_pods, gpu, ready) in enumerate(nodes):
            alloc = {"cpu": cpu, "memory": mem, "pods": max_pods}
            if gpu:
                alloc["nvidia.com/gpu"] = gpu
            out.append(Node(f"n{i}", alloc, ready=ready or i == 0))
        return out

    def workload():
        # `repeat` identical pods in a row exercise the score cache
        return [_pod(f"p{i}-{k}", *shape) for i, shape in enumerate(pods) for k in range(repeat)]

    fast = Scheduler(cluster(), profile, seed=seed)
    plain = PlainScheduler(cluster(), profile, seed=seed)
    a, b = fast.schedule(workload()), plain.schedule(workload())
    assert [(d.node, d.message) for d in a] == [(d.node, d.message) for d in b]
    for node in fast.nodes:
        bound = fast.pods_on(node.name)
        assert len(bound) <= node.allocatable["pods"]
        for resource in ("cpu", "memory", "nvidia.com/gpu"):
            used = sum(p.requests().get(resource, 0) for p in bound)
            assert used <= node.allocatable.get(resource, 0)
    # every score the vectorised scheduler can compute agrees with the plugin functions
    probe = _pod("probe", *pods[0])
    totals = fast.resource_scores(probe)
    plain_totals = []
    for i in range(len(nodes)):
        one = plain.cycle_scores(probe, [i])
        plain_totals.append(
            sum(
                s.weight * s.normalized[0]
                for s in one
                if s.plugin in ("NodeResourcesFit", "NodeResourcesBalancedAllocation")
                and s.status != "Skip"
            )
        )
    assert list(totals) == plain_totals
    top = 100 * (
        profile.fit_weight + (profile.balanced_weight if profile.balanced_allocation else 0)
    )
    assert all(0 <= t <= top for t in totals)


def test_large_cluster_uses_the_rotating_partial_search():
    nodes = [Node(f"n{i:03}", {"cpu": 4000, "memory": 8 * GI}) for i in range(300)]
    template = PodTemplate({"a": "b"}, (Container("c", requests={"cpu": 100, "memory": GI}),))
    fast = Scheduler(nodes, seed=7)
    plain = PlainScheduler(nodes, seed=7)
    a = fast.schedule(template.instantiate(f"p{i}") for i in range(60))
    b = plain.schedule(template.instantiate(f"p{i}") for i in range(60))
    assert [d.node for d in a] == [d.node for d in b]
    assert all(d.feasible == 144 for d in a)  # 48 % of 300: it stops after 144 feasible nodes


def test_unreachable_node_reports_its_own_taint():
    nodes = [
        Node("silent", {"cpu": 8000, "memory": 8 * GI}, ready=False, reachable=False),
        Node("down", {"cpu": 8000, "memory": 8 * GI}, ready=False),
    ]
    # since v1.35 (kubernetes/kubernetes#134740) the reason no longer names the taint
    for cls in (Scheduler, PlainScheduler):
        d = cls(nodes).schedule_one(_pod("p", cpu=500))
        assert d.message == (
            "0/2 nodes are available: 2 node(s) had untolerated taint(s). preemption: 0/2 "
            "nodes are available: 2 Preemption is not helpful for scheduling."
        )
    sched = Scheduler([Node("n", {"cpu": 1000, "memory": GI})])
    sched.set_node("n", ready=False, reachable=False)
    assert sched.nodes[0].taints == (
        "node.kubernetes.io/unreachable:NoSchedule",
        "node.kubernetes.io/unreachable:NoExecute",
    )
    assert "untolerated taint(s)" in sched.schedule_one(_pod("q")).message
    sched.set_node("n", ready=True, reachable=True)
    assert sched.schedule_one(_pod("r")).node == "n"


def _mixed_pods(prefix, count, seed):
    """Interleaved pods of a few shapes (fresh containers each, as binpacking.workload makes)."""
    shapes = [(250, GI // 4), (1000, GI // 2), (None, None), (2000, GI), (100, 3 * GI), (500, 0)]
    rng = random.Random(seed)
    return [_pod(f"{prefix}{i}", *rng.choice(shapes)) for i in range(count)]


@pytest.mark.parametrize("profile", PROFILES[:3] + PROFILES[5:])
@pytest.mark.parametrize(("scalar_rows", "memo_size"), [(48, 1 << 16), (0, 1 << 16), (10**9, 0)])
def test_cached_paths_equal_plain_on_a_large_cluster(monkeypatch, profile, scalar_rows, memo_size):
    # numpy recompute of every changed node (0), one-node rescoring without the node-state
    # memo (memo cleared every time), and the defaults: all must decide as PlainScheduler does,
    # through the partial search (>= 100 nodes), full nodes, a cordon and an unbind.
    monkeypatch.setattr(Scheduler, "SCALAR_ROWS", scalar_rows)
    monkeypatch.setattr(Scheduler, "MEMO_SIZE", memo_size)

    def cluster():
        return [
            Node(f"n{i:03}", {"cpu": 2000 + 1000 * (i % 3), "memory": 4 * GI, "pods": 5})
            for i in range(120)
        ]

    fast, plain = Scheduler(cluster(), profile, seed=3), PlainScheduler(cluster(), profile, seed=3)
    runs = []
    for sched in (fast, plain):
        first = sched.schedule(_mixed_pods("a", 300, seed=1))
        sched.set_node("n007", unschedulable=True)
        victims = [p for p in sched.pods_on("n010")[:2]]
        for pod in victims:
            sched.unbind(pod)
        second = sched.schedule(_mixed_pods("b", 250, seed=2))
        runs.append([(d.node, d.message, d.feasible) for d in first + second])
    assert runs[0] == runs[1]
    assert any(node is None for node, _m, _f in runs[0])  # some pods were left Pending
    assert any(0 < feasible < 120 for _n, _m, feasible in runs[0])  # and some nodes were full


def test_resource_first_requested_mid_run_equals_plain():
    # a pod asking for an extended resource no node lists adds a column and resets the caches
    def cluster():
        return [Node(f"n{i}", {"cpu": 4000, "memory": 8 * GI}) for i in range(5)]

    def pods():
        return [
            *(_pod(f"a{i}", 500, GI) for i in range(6)),
            _pod("gpu", 100, GI, gpu=1),
            *(_pod(f"b{i}", 700, GI) for i in range(6)),
        ]

    fast, plain = Scheduler(cluster(), seed=2), PlainScheduler(cluster(), seed=2)
    a, b = fast.schedule(pods()), plain.schedule(pods())
    assert [(d.node, d.message) for d in a] == [(d.node, d.message) for d in b]
    assert a[6].message.startswith("0/5 nodes are available: 5 Insufficient nvidia.com/gpu.")
    assert "nvidia.com/gpu" in fast.resources


def test_pending_message_follows_node_changes():
    sched = Scheduler([Node("n", {"cpu": 1000, "memory": GI})])
    first = _pod("a", 800, GI // 2)
    sched.schedule_one(first)
    assert sched.schedule_one(_pod("b", 800)).message == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod."
    )
    sched.set_node("n", unschedulable=True)
    assert sched.schedule_one(_pod("c", 800)).message == (
        "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are "
        "available: 1 Preemption is not helpful for scheduling."
    )
    sched.set_node("n", unschedulable=False)
    sched.unbind(first)
    assert sched.schedule_one(_pod("d", 800)).node == "n"


def test_state_arrays_follow_binds():
    sched = Scheduler([Node(f"n{i}", {"cpu": 1000, "memory": GI, "pods": 5}) for i in range(2)])
    pod = _pod("a", 300)
    sched.bind(pod, "n1")
    cpu = sched.resources.index("cpu")
    assert sched.requested[cpu].tolist() == [0, 300]
    assert sched.non_zero[sched.resources.index("memory")].tolist() == [0, 200 * 2**20]
    assert sched.pod_count.tolist() == [0, 1] and sched.pods_left.tolist() == [5, 4]
    sched.unbind(pod)
    assert sched.requested[cpu].tolist() == [0, 0] and sched.pod_count.tolist() == [0, 0]
