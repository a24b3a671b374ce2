"""NodeResourcesFit and NodeResourcesBalancedAllocation, one node at a time, on plain integers.

Each function is one plugin's Filter or Score for one node, written the way upstream writes it
(Go int64 arithmetic: truncating division, `math.Round` half away from zero) so its output can
be checked against upstream unit-test vectors. Units: cpu in millicores, memory and
ephemeral-storage in bytes, pods and extended resources as counts. Source and formulas:
docs/k8s_formulas.md §1-§3 (pkg/scheduler/framework/plugins/noderesources).

The scheduler package runs these over a whole cluster; its `PlainScheduler` calls them
directly and is the reference the vectorised scheduler is tested against.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from msa_course.orchestration.plugins.helper import MAX_NODE_SCORE

MAX_CUSTOM_PRIORITY_SCORE = 10  # config.MaxCustomPriorityScore: RTCR shape scores are 0..10
STRATEGIES = ("LeastAllocated", "MostAllocated", "RequestedToCapacityRatio")
BALANCED_VERSIONS = ("v1.35", "v1.36")
# SetDefaults_NodeResourcesFitArgs / NodeResourcesBalancedAllocationArgs: cpu and memory, weight 1.
DEFAULT_RESOURCES: tuple[tuple[str, int], ...] = (("cpu", 1), ("memory", 1))
# Not "scalar" in upstream's sense (schedutil.IsScalarResourceName); every other name is.
NATIVE_RESOURCES = ("cpu", "memory", "ephemeral-storage", "pods")


def go_div(a: int, b: int) -> int:
    """Go's int64 `a / b`: truncates toward zero (Python's // floors: -7 // 2 == -4, Go gives -3)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def go_round(x: float) -> int:
    """Go's `math.Round`: half away from zero (Python's round() goes to even: 36.5 -> 36)."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def check_resources(resources: Sequence[tuple[str, int]]) -> None:
    """Reject what upstream's config validation rejects: no resources, weight <= 0 or > 100."""
    if not resources:
        raise ValueError("resources must name at least one resource, e.g. [('cpu', 1)]")
    for name, weight in resources:
        if not isinstance(weight, int) or not 0 < weight <= MAX_NODE_SCORE:
            raise ValueError(
                f"weight of resource {name!r} must be a whole number in 1..100, got {weight!r}"
            )


def check_shape(shape: Sequence[tuple[int, int]]) -> None:
    """A RequestedToCapacityRatio shape: utilization 0..100 strictly increasing, score 0..10."""
    if not shape:
        raise ValueError("shape needs at least one (utilization, score) point")
    previous = -1
    for utilization, score in shape:
        if not 0 <= utilization <= 100 or utilization <= previous:
            raise ValueError(
                f"shape utilizations must be strictly increasing within 0..100, got {utilization}"
            )
        if not 0 <= score <= MAX_CUSTOM_PRIORITY_SCORE:
            raise ValueError(f"shape scores must be within 0..10, got {score}")
        previous = utilization


def is_scalar(name: str) -> bool:
    """Extended resources, hugepages and the like: scored only when the pod requests them."""
    return name not in NATIVE_RESOURCES


def resource_vectors(
    pod_request: Mapping[str, int],
    node_requested: Mapping[str, int],
    allocatable: Mapping[str, int],
    resources: Sequence[tuple[str, int]],
) -> tuple[list[int], list[int], list[int]]:
    """(requested incl. the pod, allocatable, pod request) per resource, in `resources` order.

    `calculateResourceAllocatableRequest`: a scalar resource the pod does not request, or one
    the node does not have, comes out as (0, 0) and the strategies skip it.
    """
    requested, allocs, pods = [], [], []
    for name, _weight in resources:
        pod = pod_request.get(name, 0)
        alloc = allocatable.get(name, 0)
        if (pod == 0 and is_scalar(name)) or alloc == 0:
            requested.append(0)
            allocs.append(0)
        else:
            requested.append(node_requested.get(name, 0) + pod)
            allocs.append(alloc)
        pods.append(pod)
    return requested, allocs, pods


def least_allocated(
    requested: Sequence[int], allocatable: Sequence[int], weights: Sequence[int]
) -> int:
    """LeastAllocated: favour the emptiest node. Per resource (alloc-req)*100/alloc, 0 if over."""
    total = weight_sum = 0
    for req, alloc, weight in zip(requested, allocatable, weights, strict=True):
        if alloc == 0:
            continue
        score = 0 if req > alloc else (alloc - req) * MAX_NODE_SCORE // alloc
        total += score * weight
        weight_sum += weight
    return total // weight_sum if weight_sum else 0


def most_allocated(
    requested: Sequence[int], allocatable: Sequence[int], weights: Sequence[int]
) -> int:
    """MostAllocated: favour the fullest node (bin packing). Per resource min(req,alloc)*100/alloc."""
    total = weight_sum = 0
    for req, alloc, weight in zip(requested, allocatable, weights, strict=True):
        if alloc == 0:
            continue
        total += min(req, alloc) * MAX_NODE_SCORE // alloc * weight
        weight_sum += weight
    return total // weight_sum if weight_sum else 0


def broken_linear(shape: Sequence[tuple[int, int]], p: int) -> int:
    """helper.BuildBrokenLinearFunction: piecewise-linear through `shape`, flat outside it.

    Integer interpolation with Go's truncating division; `shape` is used as given (the
    RequestedToCapacityRatio caller scales its 0..10 scores to 0..100 first).
    """
    for i, (utilization, score) in enumerate(shape):
        if p <= utilization:
            if i == 0:
                return shape[0][1]
            u0, s0 = shape[i - 1]
            return s0 + go_div((score - s0) * (p - u0), utilization - u0)
    return shape[-1][1]


def requested_to_capacity_ratio(
    requested: Sequence[int],
    allocatable: Sequence[int],
    weights: Sequence[int],
    shape: Sequence[tuple[int, int]],
) -> int:
    """RequestedToCapacityRatio: score each resource's utilization % through `shape` (0..10).

    Upstream quirk kept on purpose: a resource whose score is 0 drops out of both the weighted
    sum and the weight total; the average is rounded half away from zero.
    """
    scaled = [(u, s * (MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE)) for u, s in shape]
    total = weight_sum = 0
    for req, alloc, weight in zip(requested, allocatable, weights, strict=True):
        if alloc == 0:
            continue
        utilization = MAX_NODE_SCORE if req > alloc else req * MAX_NODE_SCORE // alloc
        score = broken_linear(scaled, utilization)
        if score > 0:
            total += score * weight
            weight_sum += weight
    return go_round(total / weight_sum) if weight_sum else 0


def _balance(requested: Sequence[int], allocatable: Sequence[int]) -> int:
    """int64((1 - std) * 100) over the usage fractions (capped at 1) of resources a node has."""
    return fraction_balance(
        [
            min(req / alloc, 1.0)
            for req, alloc in zip(requested, allocatable, strict=True)
            if alloc != 0
        ]
    )


def fraction_balance(fractions: Sequence[float]) -> int:
    """int64((1 - std) * 100) over usage fractions, in upstream's float order of operations.

    Split out of `_balance` so the scheduler's one-node rescoring runs this exact code.
    """
    std = 0.0
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        total = 0.0
        for f in fractions:
            total = total + f
        mean = total / len(fractions)
        squares = 0.0
        for f in fractions:
            squares = squares + (f - mean) * (f - mean)
        std = math.sqrt(squares / len(fractions))
    return int((1 - std) * MAX_NODE_SCORE)


def balanced_allocation(
    node_requested: Sequence[int],
    pod_request: Sequence[int],
    allocatable: Sequence[int],
    version: str = "v1.36",
) -> int:
    """NodeResourcesBalancedAllocation: favour nodes whose resources fill evenly.

    Inputs per resource: the node's *actual* requests (no 100m/200Mi defaults) without the
    pod, the pod's request, and allocatable (0 = skip the resource). "v1.35" scores the
    balance after placing the pod (50..100 for two resources); "v1.36" (PR #135573) scores the
    change it makes: 75 unchanged, 100 imbalanced->balanced, 50 balanced->imbalanced. This is
    Score as upstream computes it when called; for a pod requesting nothing the scheduler
    never calls it (`balanced_allocation_pre_score` returns "Skip").
    """
    if version not in BALANCED_VERSIONS:
        raise ValueError(f"version must be one of {BALANCED_VERSIONS}, got {version!r}")
    with_pod = [n + p for n, p in zip(node_requested, pod_request, strict=True)]
    after = _balance(with_pod, allocatable)
    if version == "v1.35":
        return after
    half = MAX_NODE_SCORE // 2
    return half + (half + after - _balance(node_requested, allocatable)) // 2


def node_resources_fit_score(
    pod_request: Mapping[str, int],
    node_requested: Mapping[str, int],
    allocatable: Mapping[str, int],
    *,
    strategy: str = "LeastAllocated",
    resources: Sequence[tuple[str, int]] = DEFAULT_RESOURCES,
    shape: Sequence[tuple[int, int]] | None = None,
) -> int:
    """NodeResourcesFit's Score for one node, 0..100.

    `pod_request` and `node_requested` must already count a missing cpu/memory request as
    100m / 200Mi (objects.NON_ZERO_DEFAULTS; `Pod.scoring_requests()`): scoring spreads
    request-less pods as if they asked for that much. `shape` is required for
    RequestedToCapacityRatio: (utilization %, score 0..10) points.
    """
    check_resources(resources)
    requested, allocs, _pod = resource_vectors(pod_request, node_requested, allocatable, resources)
    weights = [w for _name, w in resources]
    if strategy == "LeastAllocated":
        return least_allocated(requested, allocs, weights)
    if strategy == "MostAllocated":
        return most_allocated(requested, allocs, weights)
    if strategy == "RequestedToCapacityRatio":
        if shape is None:
            raise ValueError("strategy RequestedToCapacityRatio needs a shape")
        check_shape(shape)
        return requested_to_capacity_ratio(requested, allocs, weights, shape)
    raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")


def balanced_allocation_pre_score(
    pod_request: Mapping[str, int], resources: Sequence[tuple[str, int]] = DEFAULT_RESOURCES
) -> str:
    """NodeResourcesBalancedAllocation's PreScore: "Skip" for a best-effort pod, else "Success".

    A pod requesting none of `resources` (real requests, no defaults) is not scored by this
    plugin at all: it adds nothing to any node's total, so best-effort pods do not pile onto
    one node (PR #130260, since v1.33; kubernetes/kubernetes#129138). The test looks at the
    pod alone: a resource no node has still counts.
    """
    check_resources(resources)
    return "Success" if any(pod_request.get(name, 0) for name, _ in resources) else "Skip"


def balanced_allocation_score(
    pod_request: Mapping[str, int],
    node_requested: Mapping[str, int],
    allocatable: Mapping[str, int],
    *,
    resources: Sequence[tuple[str, int]] = DEFAULT_RESOURCES,
    version: str = "v1.36",
) -> int:
    """NodeResourcesBalancedAllocation's Score for one node from real (not defaulted) requests.

    Call it only when `balanced_allocation_pre_score` says "Success"; upstream's Score run
    without PreScore (its tests do) gives the same numbers, and so does this.
    """
    check_resources(resources)
    requested, allocs, pod = resource_vectors(pod_request, node_requested, allocatable, resources)
    before = [r - p if a else 0 for r, p, a in zip(requested, pod, allocs, strict=True)]
    return balanced_allocation(before, pod, allocs, version)


@dataclass(frozen=True)
class Insufficient:
    """One failed check of NodeResourcesFit's Filter (upstream `InsufficientResource`).

    `unresolvable`: the pod asks for more than the node's whole allocatable, which no
    preemption could free (the Filter's status is then UnschedulableAndUnresolvable).
    """

    resource: str
    reason: str
    requested: int
    used: int
    capacity: int
    unresolvable: bool = False


@dataclass(frozen=True)
class FilterResult:
    """Whether a pod fits a node, and every reason it does not ("Insufficient cpu", ...)."""

    fits: bool
    reasons: tuple[str, ...] = ()
    insufficient: tuple[Insufficient, ...] = ()


def fits_request(
    pod_request: Mapping[str, int],
    node_requested: Mapping[str, int],
    node_pod_count: int,
    allocatable: Mapping[str, int],
) -> FilterResult:
    """NodeResourcesFit's Filter (`fitsRequest`) for one node, on *real* requests.

    Checks the pod count against allocatable "pods", then every resource the pod requests
    more than 0 of against allocatable minus what bound pods already request. An exact fit
    passes (the test is a strict >). Every failing check is reported, in upstream's order:
    pods, cpu, memory, ephemeral-storage, then extended resources by name.
    """
    found: list[Insufficient] = []
    allowed = allocatable.get("pods", 0)
    if node_pod_count + 1 > allowed:
        found.append(Insufficient("pods", "Too many pods", 1, node_pod_count, allowed))
    names = [n for n in ("cpu", "memory", "ephemeral-storage") if n in pod_request]
    names += sorted(n for n in pod_request if is_scalar(n))
    for name in names:
        want = pod_request[name]
        used = node_requested.get(name, 0)
        capacity = allocatable.get(name, 0)
        if want > 0 and want > capacity - used:
            found.append(
                Insufficient(name, f"Insufficient {name}", want, used, capacity, want > capacity)
            )
    return FilterResult(
        fits=not found,
        reasons=tuple(i.reason for i in found),
        insufficient=tuple(found),
    )
