"""Upstream's noderesources test tables, case by case, through msa_course.orchestration.plugins.

Transcribed from kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/:
requested_to_capacity_ratio_test.go and fit_test.go (TestFitScore, TestEnoughRequests,
TestNotEnoughRequests, TestStorageRequests) at 8519d339 / 24fbb13e, and
balanced_allocation_test.go in its v1.35 form (00fdb4ff) and its v1.36 form (after
kubernetes/kubernetes#135573). Test ids are upstream's `TestName/case name`.

Units as upstream writes them: `st.MakeNode().Capacity({"cpu": "4000"})` is 4000 cores, so
quantities go through `resource_amount`; `makeNode(name, 4000, 10000)` takes millicores and
bytes. Each dict in a pod is one container's requests (`st.MakePod().Req(...)` adds one).
"""

from __future__ import annotations

import pytest

from msa_course.orchestration.objects import NON_ZERO_DEFAULTS, Container, pod_requests
from msa_course.orchestration.plugins import (
    balanced_allocation_pre_score,
    balanced_allocation_score,
    broken_linear,
    fits_request,
    node_resources_fit_score,
)
from msa_course.orchestration.quantity import resource_amount

DEFAULT = (("cpu", 1), ("memory", 1))
GPU, FOO, BAR = "nvidia.com/gpu", "intel.com/foo", "intel.com/bar"


def q(requests: dict) -> dict[str, int]:
    """A `map[v1.ResourceName]string` as integers (millicores, bytes, counts)."""
    return {name: resource_amount(name, value) for name, value in requests.items()}


def request(containers, defaults: bool) -> dict[str, int]:
    return pod_requests(
        tuple(Container(f"c{i}", requests=c) for i, c in enumerate(containers)),
        (),
        NON_ZERO_DEFAULTS if defaults else None,
    )


def on_node(existing, node: str, defaults: bool) -> dict[str, int]:
    """NodeInfo.NonZeroRequested (defaults) or .Requested of the pods bound to `node`."""
    total: dict[str, int] = {}
    for name, containers in existing:
        if name == node:
            for resource, amount in request(containers, defaults).items():
                total[resource] = total.get(resource, 0) + amount
    return total


# --- helper.BuildBrokenLinearFunction ------------------------------------------------------------

BROKEN_LINEAR = [
    ([(10, 1), (90, 9)],
     {-10: 1, 0: 1, 9: 1, 10: 1, 15: 1, 19: 1, 20: 2, 89: 8, 90: 9, 99: 9, 100: 9, 110: 9}),
    ([(0, 2), (40, 10), (100, 0)],
     {-10: 2, 0: 2, 20: 6, 30: 8, 40: 10, 70: 5, 100: 0, 110: 0}),
    ([(0, 2), (40, 2), (100, 2)], {-10: 2, 0: 2, 20: 2, 30: 2, 40: 2, 70: 2, 100: 2, 110: 2}),
]  # fmt: skip


@pytest.mark.parametrize(
    "case", BROKEN_LINEAR, ids=[f"TestBrokenLinearFunction/case_{i}" for i in range(3)]
)
def test_broken_linear_function(case):
    points, assertions = case
    assert {p: broken_linear(points, p) for p in assertions} == assertions


# --- NodeResourcesFit scoring --------------------------------------------------------------------
# (name, strategy, resources, shape, nodes {name: allocatable}, existing [(node, containers)],
#  incoming containers, expected scores)

CAP = {"cpu": "4000", "memory": "10000"}
CAP6 = {"cpu": "6000", "memory": "10000"}
UP, DOWN = [(0, 10), (100, 0)], [(0, 0), (100, 10)]
FIT_PODS = [("node1", [q({"cpu": "2000", "memory": "4000"})]),
            ("node2", [q({"cpu": "1000", "memory": "2000"})])]  # fmt: skip


def make_node(milli_cpu, memory, extended=None) -> dict[str, int]:
    """noderesources' makeNode: allocatable cpu in millicores, memory in bytes."""
    return {"cpu": milli_cpu, "memory": memory, **(extended or {})}


# fmt: off
FIT_SCORE = [
    ("TestRequestedToCapacityRatioScoringStrategy/nothing scheduled, nothing requested "
     "(default - least requested nodes have priority)", "RequestedToCapacityRatio", DEFAULT, UP,
     {"node1": q(CAP), "node2": q(CAP)}, [("node1", []), ("node1", [])], [],
     {"node1": 100, "node2": 100}),
    ("TestRequestedToCapacityRatioScoringStrategy/nothing scheduled, resources requested, "
     "differently sized nodes (default - least requested nodes have priority)",
     "RequestedToCapacityRatio", DEFAULT, UP, {"node1": q(CAP), "node2": q(CAP6)},
     [("node1", []), ("node1", [])],
     [q({"cpu": "1000", "memory": "2000"}), q({"cpu": "2000", "memory": "3000"})],
     {"node1": 38, "node2": 50}),
    ("TestRequestedToCapacityRatioScoringStrategy/no resources requested, pods scheduled with "
     "resources (default - least requested nodes have priority)", "RequestedToCapacityRatio",
     DEFAULT, UP, {"node1": q(CAP), "node2": q(CAP6)},
     [("node1", [q({"cpu": "3000", "memory": "5000"})]),
      ("node2", [q({"cpu": "3000", "memory": "5000"})])], [], {"node1": 38, "node2": 50}),
    ("TestResourceBinPackingSingleExtended/nothing scheduled, nothing requested",
     "RequestedToCapacityRatio", ((FOO, 1),), [(0, 0), (100, 1)],
     {"node1": make_node(4000, 10000 * 2**20, {FOO: 8}),
      "node2": make_node(4000, 10000 * 2**20, {FOO: 4})}, [], [], {"node1": 0, "node2": 0}),
    ("TestResourceBinPackingSingleExtended/resources requested, pods scheduled with less "
     "resources", "RequestedToCapacityRatio", ((FOO, 1),), [(0, 0), (100, 1)],
     {"node1": make_node(4000, 10000 * 2**20, {FOO: 8}),
      "node2": make_node(4000, 10000 * 2**20, {FOO: 4})}, [(None, [])], [{FOO: 2}],
     {"node1": 2, "node2": 5}),
    ("TestResourceBinPackingSingleExtended/resources requested, pods scheduled with resources, "
     "on node with existing pod running ", "RequestedToCapacityRatio", ((FOO, 1),),
     [(0, 0), (100, 1)],
     {"node1": make_node(4000, 10000 * 2**20, {FOO: 8}),
      "node2": make_node(4000, 10000 * 2**20, {FOO: 4})}, [("node2", [{FOO: 2}])], [{FOO: 2}],
     {"node1": 2, "node2": 10}),
    ("TestResourceBinPackingSingleExtended/resources requested, pods scheduled with more "
     "resources", "RequestedToCapacityRatio", ((FOO, 1),), [(0, 0), (100, 1)],
     {"node1": make_node(4000, 10000 * 2**20, {FOO: 8}),
      "node2": make_node(4000, 10000 * 2**20, {FOO: 4})}, [(None, [])], [{FOO: 4}],
     {"node1": 5, "node2": 10}),
    ("TestResourceBinPackingMultipleExtended/nothing scheduled, nothing requested",
     "RequestedToCapacityRatio", ((FOO, 3), (BAR, 5)), [(0, 0), (100, 1)],
     {"node1": make_node(4000, 10000 * 2**20, {FOO: 8, BAR: 4}),
      "node2": make_node(4000, 10000 * 2**20, {FOO: 4, BAR: 8})}, [], [],
     {"node1": 0, "node2": 0}),
    ("TestResourceBinPackingMultipleExtended/resources requested, pods scheduled with less "
     "resources", "RequestedToCapacityRatio", ((FOO, 3), (BAR, 5)), [(0, 0), (100, 1)],
     {"node1": make_node(4000, 10000 * 2**20, {FOO: 8, BAR: 4}),
      "node2": make_node(4000, 10000 * 2**20, {FOO: 4, BAR: 8})}, [(None, [])],
     [{FOO: 2, BAR: 2}], {"node1": 4, "node2": 3}),
    ("TestResourceBinPackingMultipleExtended/resources requested, pods scheduled with "
     "resources, on node with existing pod running ", "RequestedToCapacityRatio",
     ((FOO, 3), (BAR, 5)), [(0, 0), (100, 1)],
     {"node1": make_node(4000, 10000 * 2**20, {FOO: 8, BAR: 4}),
      "node2": make_node(4000, 10000 * 2**20, {FOO: 4, BAR: 8})},
     [("node2", [{FOO: 4, BAR: 2}])], [{FOO: 2, BAR: 2}], {"node1": 4, "node2": 7}),
    ("TestResourceBinPackingMultipleExtended/resources requested, pods scheduled with more "
     "resources", "RequestedToCapacityRatio", ((FOO, 3), (BAR, 5)), [(0, 0), (100, 1)],
     {"node1": make_node(4000, 10000 * 2**20, {FOO: 8, BAR: 4}),
      "node2": make_node(4000, 10000 * 2**20, {FOO: 4, BAR: 8})}, [(None, [])],
     [{FOO: 4, BAR: 2}], {"node1": 5, "node2": 5}),
]
for _prescore in ("", " if PreScore is not called"):  # Score is the same either way
    FIT_SCORE += [
        (f"TestFitScore/test case for ScoringStrategy RequestedToCapacityRatio case1{_prescore}",
         "RequestedToCapacityRatio", DEFAULT, UP, {"node1": q(CAP), "node2": q(CAP6)}, FIT_PODS,
         [q({"cpu": "3000", "memory": "5000"})], {"node1": 10, "node2": 32}),
        (f"TestFitScore/test case for ScoringStrategy MostAllocated{_prescore}", "MostAllocated",
         DEFAULT, None, {"node1": q(CAP), "node2": q(CAP6)}, FIT_PODS,
         [q({"cpu": "1000", "memory": "2000"})], {"node1": 67, "node2": 36}),
        (f"TestFitScore/test case for ScoringStrategy LeastAllocated{_prescore}",
         "LeastAllocated", DEFAULT, None, {"node1": q(CAP), "node2": q(CAP6)}, FIT_PODS,
         [q({"cpu": "1000", "memory": "2000"})], {"node1": 32, "node2": 63}),
    ]
FIT_SCORE.insert(12, (
    "TestFitScore/test case for ScoringStrategy RequestedToCapacityRatio case2",
    "RequestedToCapacityRatio", DEFAULT, DOWN, {"node1": q(CAP), "node2": q(CAP6)}, FIT_PODS,
    [q({"cpu": "3000", "memory": "5000"})], {"node1": 95, "node2": 68}))
# fmt: on


@pytest.mark.parametrize("case", FIT_SCORE, ids=[c[0] for c in FIT_SCORE])
def test_node_resources_fit_score(case):
    _, strategy, resources, shape, nodes, existing, incoming, expected = case
    got = {
        name: node_resources_fit_score(
            request(incoming, defaults=True),
            on_node(existing, name, defaults=True),
            allocatable,
            strategy=strategy,
            resources=resources,
            shape=shape,
        )
        for name, allocatable in nodes.items()
    }
    assert got == expected


# --- NodeResourcesBalancedAllocation --------------------------------------------------------------


def cpu_only(cpu):
    return {"cpu": resource_amount("cpu", cpu), "memory": 0}


def cpu_and_memory(cpu, memory):
    return q({"cpu": cpu, "memory": memory})


def cpu_and_memory_and_gpu(cpu, memory, gpu):
    return q({"cpu": cpu, "memory": memory, GPU: gpu})


CPU_ONLY = [cpu_only("1000m"), cpu_only("2000m")]
CPU_AND_MEMORY = [cpu_and_memory("1000m", "2000"), cpu_and_memory("2000m", "3000")]
CPU_MEMORY_GPU = [cpu_and_memory("1000m", "2000"), cpu_and_memory_and_gpu("2000m", "3000", "3")]
WITH_GPU = (("cpu", 1), ("memory", 1), (GPU, 1))

# (name, nodes, existing [(node, containers)], incoming containers, resources, expected scores);
# expected None: PreScore returns Skip and the test stops there.
# fmt: off
BALANCED_V135 = [
    ("nothing scheduled, nothing requested, skip in PreScore",
     {"node1": make_node(4000, 10000), "node2": make_node(4000, 10000)}, [], [], DEFAULT, None),
    ("nothing scheduled, resources requested, differently sized nodes",
     {"node1": make_node(4000, 10000), "node2": make_node(6000, 10000)}, [], CPU_AND_MEMORY,
     DEFAULT, {"node1": 87, "node2": 100}),
    ("resources requested, pods scheduled with resources",
     {"node1": make_node(10000, 20000), "node2": make_node(10000, 20000)},
     [("node1", CPU_ONLY), ("node2", CPU_AND_MEMORY)], CPU_AND_MEMORY, DEFAULT,
     {"node1": 82, "node2": 95}),
    ("resources requested, pods scheduled with resources, differently sized nodes",
     {"node1": make_node(10000, 20000), "node2": make_node(10000, 50000)},
     [("node1", CPU_ONLY), ("node2", CPU_AND_MEMORY)], CPU_AND_MEMORY, DEFAULT,
     {"node1": 82, "node2": 80}),
    ("requested resources at node capacity",
     {"node1": make_node(6000, 10000), "node2": make_node(6000, 10000)},
     [("node1", CPU_ONLY), ("node2", CPU_AND_MEMORY)], CPU_ONLY, DEFAULT,
     {"node1": 50, "node2": 75}),
    ("include scalar resource on a node for balanced resource allocation",
     {"node1": make_node(3500, 40000, {GPU: 8}), "node2": make_node(3500, 40000, {GPU: 8})},
     [("node2", CPU_AND_MEMORY), ("node1", CPU_MEMORY_GPU)], [q({"memory": "0", GPU: "1"})],
     WITH_GPU, {"node1": 70, "node2": 65}),
    ("node without the scalar resource should skip the scalar resource",
     {"node1": make_node(3500, 40000, {GPU: 8}), "node2": make_node(3500, 40000)}, [],
     CPU_AND_MEMORY, WITH_GPU, {"node1": 63, "node2": 63}),
    ("resources requested, pods scheduled with resources if PreScore not called",
     {"node1": make_node(10000, 20000), "node2": make_node(10000, 20000)},
     [("node1", CPU_ONLY), ("node2", CPU_AND_MEMORY)], CPU_AND_MEMORY, DEFAULT,
     {"node1": 82, "node2": 95}),
]
BALANCED_V136 = [
    ("nothing scheduled, nothing requested, skip in PreScore",
     {"node1": make_node(4000, 10000), "node2": make_node(4000, 10000)}, [], [], DEFAULT, None),
    ("nothing scheduled, resources requested, differently sized nodes",
     {"node1": make_node(4000, 10000), "node2": make_node(6000, 10000)}, [], CPU_AND_MEMORY,
     DEFAULT, {"node1": 68, "node2": 75}),
    ("resources requested, pods scheduled with resources",
     {"node1": make_node(10000, 20000), "node2": make_node(10000, 20000)},
     [("node1", CPU_ONLY), ("node2", CPU_AND_MEMORY)], CPU_AND_MEMORY, DEFAULT,
     {"node1": 73, "node2": 74}),
    ("resources requested, pods scheduled with resources, differently sized nodes",
     {"node1": make_node(10000, 20000), "node2": make_node(10000, 50000)},
     [("node1", CPU_ONLY), ("node2", CPU_AND_MEMORY)], CPU_AND_MEMORY, DEFAULT,
     {"node1": 73, "node2": 70}),
    ("resources requested, pods scheduled with resources, nodes to reach min/max score",
     {"node1": make_node(3000, 5000), "node2": make_node(3000, 5000)}, [("node1", CPU_ONLY)],
     [q({"memory": "2000"}), q({"memory": "3000"})], DEFAULT, {"node1": 100, "node2": 50}),
    ("requested resources at node capacity",
     {"node1": make_node(6000, 10000), "node2": make_node(6000, 10000)},
     [("node1", CPU_ONLY), ("node2", CPU_AND_MEMORY)], CPU_ONLY, DEFAULT,
     {"node1": 62, "node2": 62}),
    ("scalar resource is included in the score computation if pod requests the scalar "
     "resource",
     {"node1": make_node(3500, 40000, {GPU: 8}), "node2": make_node(3500, 40000, {GPU: 8})},
     [("node1", CPU_MEMORY_GPU), ("node2", CPU_AND_MEMORY)],
     [cpu_and_memory_and_gpu("0", "0", "1")], WITH_GPU, {"node1": 75, "node2": 76}),
    ("scalar resource is not included in the score computation if pod doesn't request the "
     "scalar resource",
     {"node1": make_node(3500, 40000, {GPU: 8}), "node2": make_node(3500, 40000)}, [],
     CPU_AND_MEMORY, WITH_GPU, {"node1": 56, "node2": 56}),
    ("resources requested, pods scheduled with resources if PreScore not called",
     {"node1": make_node(10000, 20000), "node2": make_node(10000, 20000)},
     [("node1", CPU_ONLY), ("node2", CPU_AND_MEMORY)], CPU_AND_MEMORY, DEFAULT,
     {"node1": 73, "node2": 74}),
]
# fmt: on
BALANCED = [("v1.35", c) for c in BALANCED_V135] + [("v1.36", c) for c in BALANCED_V136]


@pytest.mark.parametrize(
    "version, case",
    BALANCED,
    ids=[f"TestNodeResourcesBalancedAllocation[{v}]/{c[0]}" for v, c in BALANCED],
)
def test_balanced_allocation(version, case):
    _, nodes, existing, incoming, resources, expected = case
    pod = request(incoming, defaults=False)
    if expected is None:
        assert balanced_allocation_pre_score(pod, resources) == "Skip"
        return
    assert balanced_allocation_pre_score(pod, resources) == "Success"
    got = {
        name: balanced_allocation_score(
            pod,
            on_node(existing, name, defaults=False),
            allocatable,
            resources=resources,
            version=version,
        )
        for name, allocatable in nodes.items()
    }
    assert got == expected


# --- NodeResourcesFit Filter (fitsRequest) ------------------------------------------------------
AAA, BBB = "example.com/aaa", "example.com/bbb"
KIO_A, KIO_B = "kubernetes.io/something", "subdomain.kubernetes.io/something"
HUGE = "hugepages-2Mi"


def res(cpu=0, memory=0, storage=0, **scalars) -> dict[str, int]:
    """newResourcePod's container: cpu, memory and ephemeral-storage always set (0 or not)."""
    names = {"aaa": AAA, "bbb": BBB, "kio_a": KIO_A, "kio_b": KIO_B, "huge": HUGE}
    return {
        "cpu": cpu,
        "memory": memory,
        "ephemeral-storage": storage,
        **{names[k]: v for k, v in scalars.items()},
    }


def alloc(cpu, memory, pods, aaa, storage, huge) -> dict[str, int]:
    """makeAllocatableResources(milliCPU, memory, pods, extendedA, storage, hugePageA)."""
    return {
        "cpu": cpu,
        "memory": memory,
        "pods": pods,
        AAA: aaa,
        "ephemeral-storage": storage,
        HUGE: huge,
    }


def ins(resource, requested, used, capacity):
    return (resource, f"Insufficient {resource}", requested, used, capacity)


# (name, containers, init containers, the node's one existing pod, expected insufficient)
# fmt: off
ENOUGH = [
    ("no resources requested always fits", None, [], res(10, 20), []),
    ("too many resources fails", [res(1, 1)], [], res(10, 20),
     [ins("cpu", 1, 10, 10), ins("memory", 1, 20, 20)]),
    ("too many resources fails due to init container cpu", [res(1, 1)], [res(3, 1)], res(8, 19),
     [ins("cpu", 3, 8, 10)]),
    ("too many resources fails due to highest init container cpu", [res(1, 1)],
     [res(3, 1), res(2, 1)], res(8, 19), [ins("cpu", 3, 8, 10)]),
    ("too many resources fails due to init container memory", [res(1, 1)], [res(1, 3)],
     res(9, 19), [ins("memory", 3, 19, 20)]),
    ("too many resources fails due to highest init container memory", [res(1, 1)],
     [res(1, 3), res(1, 2)], res(9, 19), [ins("memory", 3, 19, 20)]),
    ("init container fits because it's the max, not sum, of containers and init containers",
     [res(1, 1)], [res(1, 1)], res(9, 19), []),
    ("multiple init containers fit because it's the max, not sum, of containers and init "
     "containers", [res(1, 1)], [res(1, 1), res(1, 1)], res(9, 19), []),
    ("both resources fit", [res(1, 1)], [], res(5, 5), []),
    ("one resource memory fits", [res(2, 1)], [], res(9, 5), [ins("cpu", 2, 9, 10)]),
    ("one resource cpu fits", [res(1, 2)], [], res(5, 19), [ins("memory", 2, 19, 20)]),
    ("equal edge case", [res(5, 1)], [], res(5, 19), []),
    ("equal edge case for init container", [res(4, 1)], [res(5, 1)], res(5, 19), []),
    ("extended resource fits", [res(aaa=1)], [], res(), []),
    ("extended resource fits for init container", [res()], [res(aaa=1)], res(), []),
    ("extended resource capacity enforced", [res(1, 1, aaa=10)], [], res(0, 0, aaa=0),
     [ins(AAA, 10, 0, 5)]),
    ("extended resource capacity enforced for init container", [res()], [res(1, 1, aaa=10)],
     res(0, 0, aaa=0), [ins(AAA, 10, 0, 5)]),
    ("extended resource allocatable enforced", [res(1, 1, aaa=1)], [], res(0, 0, aaa=5),
     [ins(AAA, 1, 5, 5)]),
    ("extended resource allocatable enforced for init container", [res()], [res(1, 1, aaa=1)],
     res(0, 0, aaa=5), [ins(AAA, 1, 5, 5)]),
    ("extended resource allocatable enforced for multiple containers",
     [res(1, 1, aaa=3), res(1, 1, aaa=3)], [], res(0, 0, aaa=2), [ins(AAA, 6, 2, 5)]),
    ("extended resource allocatable admits multiple init containers", [res()],
     [res(1, 1, aaa=3), res(1, 1, aaa=3)], res(0, 0, aaa=2), []),
    ("extended resource allocatable enforced for multiple init containers", [res()],
     [res(1, 1, aaa=6), res(1, 1, aaa=3)], res(0, 0, aaa=2), [ins(AAA, 6, 2, 5)]),
    ("extended resource allocatable enforced for unknown resource", [res(1, 1, bbb=1)], [],
     res(0, 0), [ins(BBB, 1, 0, 0)]),
    ("extended resource allocatable enforced for unknown resource for init container", [res()],
     [res(1, 1, bbb=1)], res(0, 0), [ins(BBB, 1, 0, 0)]),
    ("kubernetes.io resource capacity enforced", [res(1, 1, kio_a=10)], [], res(0, 0),
     [ins(KIO_A, 10, 0, 0)]),
    ("kubernetes.io resource capacity enforced for init container", [res()],
     [res(1, 1, kio_b=10)], res(0, 0), [ins(KIO_B, 10, 0, 0)]),
    ("hugepages resource capacity enforced", [res(1, 1, huge=10)], [], res(0, 0, huge=0),
     [ins(HUGE, 10, 0, 5)]),
    ("hugepages resource capacity enforced for init container", [res()], [res(1, 1, huge=10)],
     res(0, 0, huge=0), [ins(HUGE, 10, 0, 5)]),
    ("hugepages resource allocatable enforced for multiple containers",
     [res(1, 1, huge=3), res(1, 1, huge=3)], [], res(0, 0, huge=2), [ins(HUGE, 6, 2, 5)]),
    ("skip checking extended resource request with quantity zero via resource groups",
     [res(1, 1, aaa=0)], [], res(0, 0, aaa=6), []),
    ("skip checking resource request with quantity zero", [res(aaa=1)], [],
     res(20, 30, aaa=1), []),
]
# fmt: on


def _filter(containers, init_containers, existing, allocatable):
    pod = pod_requests(
        tuple(Container(f"c{i}", requests=c) for i, c in enumerate(containers or [])),
        tuple(Container(f"i{i}", requests=c) for i, c in enumerate(init_containers)),
    )
    used = pod_requests((Container("e", requests=existing),))
    return fits_request(pod, used, 1, allocatable)


@pytest.mark.parametrize("case", ENOUGH, ids=[f"TestEnoughRequests/{c[0]}" for c in ENOUGH])
def test_enough_requests(case):
    _, containers, init_containers, existing, insufficient = case
    got = _filter(containers, init_containers, existing, alloc(10, 20, 32, 5, 20, 5))
    assert got.fits == (not insufficient)
    assert list(got.reasons) == [i[1] for i in insufficient]
    assert [(i.resource, i.reason, i.requested, i.used, i.capacity) for i in got.insufficient] == (
        insufficient
    )


# fmt: off
NOT_ENOUGH = [
    ("even without specified resources, predicate fails when there's no space for additional "
     "pod", None, [], res(10, 20)),
    ("even if both resources fit, predicate fails when there's no space for additional pod",
     [res(1, 1)], [], res(5, 5)),
    ("even for equal edge case, predicate fails when there's no space for additional pod",
     [res(5, 1)], [], res(5, 19)),
    ("even for equal edge case, predicate fails when there's no space for additional pod due "
     "to init container", [res(5, 1)], [res(5, 1)], res(5, 19)),
]
STORAGE = [
    ("empty storage requested, and pod fits", [res(1, 1)], res(2, 10), []),
    ("storage ephemeral local storage request exceeds allocatable", [res(storage=25)],
     res(2, 2), ["Insufficient ephemeral-storage"]),
    ("ephemeral local storage is sufficient", [res(storage=5)], res(2, 2, storage=10), []),
    ("pod fits", [res(storage=10)], res(2, 2), []),
]
# fmt: on


@pytest.mark.parametrize(
    "case", NOT_ENOUGH, ids=[f"TestNotEnoughRequests/{c[0]}" for c in NOT_ENOUGH]
)
def test_not_enough_requests(case):
    _, containers, init_containers, existing = case
    got = _filter(containers, init_containers, existing, alloc(10, 20, 1, 0, 0, 0))
    assert got.reasons == ("Too many pods",)


@pytest.mark.parametrize("case", STORAGE, ids=[f"TestStorageRequests/{c[0]}" for c in STORAGE])
def test_storage_requests(case):
    _, containers, existing, reasons = case
    got = _filter(containers, [], existing, alloc(10, 20, 32, 5, 20, 5))
    assert list(got.reasons) == reasons


# --- Not modelled ---------------------------------------------------------------------------------

SKIPPED = {
    "TestNodeResourcesBalancedAllocation[v1.35]/include DRA resource on a node for balanced "
    "resource allocation": "DRA (dynamic resource allocation) is not modelled",
    "TestNodeResourcesBalancedAllocation[v1.35]/include DRA resource on a node for balanced "
    "resource allocation if PreScore not called": "DRA is not modelled",
    "TestNodeResourcesBalancedAllocation[v1.36]/include DRA resource on a node for balanced "
    "resource allocation": "DRA is not modelled",
    "TestNodeResourcesBalancedAllocation[v1.36]/include DRA resource on a node for balanced "
    "resource allocation if PreScore not called": "DRA is not modelled",
    "TestEnoughRequests/skip checking ignored extended resource": "NodeResourcesFitArgs."
    "ignoredResources is not a Profile setting here",
    "TestEnoughRequests/skip checking ignored extended resource via resource groups": "NodeResourcesFitArgs.ignoredResourceGroups is not a Profile setting here",
    "TestEnoughRequests/resources + pod overhead fits": "pod overhead (RuntimeClass) is not "
    "modelled",
    "TestEnoughRequests/requests + overhead does not fit for memory": "pod overhead "
    "(RuntimeClass) is not modelled",
}


@pytest.mark.parametrize("name", SKIPPED)
def test_not_modelled(name):
    pytest.skip(SKIPPED[name])
