"""A kube-scheduler for the simulator: Filter, then Score, then pick the best node.

Shaped like the real scheduling framework (pkg/scheduler/schedule_one.go,
../shared/reference/k8s_formulas.md §3-§4):

* Filter, in the default profile's order: NodeUnschedulable (cordoned nodes), TaintToleration
  (a NotReady node carries the `node.kubernetes.io/not-ready` NoSchedule taint, a node
  that stopped posting status `node.kubernetes.io/unreachable`), then
  NodeResourcesFit (pod count, then each requested resource).
* On clusters of 100 nodes or more, filtering stops after `numFeasibleNodesToFind` feasible
  nodes, starting where the previous pod's search stopped (default 50 - nodes/125 per cent).
* Score: NodeResourcesFit (strategy + resource weights) and NodeResourcesBalancedAllocation,
  each weight 1 in the default profile, summed. One feasible node is taken without scoring.
* Ties: a uniformly random choice among the top nodes, from a seeded generator.
* No node fits: the pod stays Pending with upstream's message, e.g.
  "0/3 nodes are available: 1 Too many pods, 2 Insufficient cpu." (reasons sorted as strings).

Not modelled: TaintToleration, NodeAffinity, PodTopologySpread, InterPodAffinity and
ImageLocality scoring (default weights 3, 2, 2, 2, 1) and preemption, so a real cluster can
place a Deployment's replicas more evenly than this does.

`Scheduler` is vectorised over nodes with numpy; `PlainScheduler` is the per-node reference
built on the plugin functions of plugins.py. Both consume the random generator identically,
so on the same input they make the same decisions (tested).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from msa_course.orchestration.objects import NOT_READY_TAINT, UNREACHABLE_TAINT, Node, Pod
from msa_course.orchestration.plugins import (
    BALANCED_VERSIONS,
    DEFAULT_RESOURCES,
    MAX_CUSTOM_PRIORITY_SCORE,
    MAX_NODE_SCORE,
    STRATEGIES,
    FilterResult,
    Insufficient,
    balanced_allocation,
    balanced_allocation_score,
    broken_linear,
    check_resources,
    check_shape,
    fits_request,
    go_div,
    go_round,
    is_scalar,
    least_allocated,
    most_allocated,
    node_resources_fit_score,
    requested_to_capacity_ratio,
)

__all__ = [
    "BALANCED_VERSIONS",
    "DEFAULT_RESOURCES",
    "MAX_CUSTOM_PRIORITY_SCORE",
    "MAX_NODE_SCORE",
    "STRATEGIES",
    "Decision",
    "FilterResult",
    "Insufficient",
    "PlainScheduler",
    "Profile",
    "Scheduler",
    "balanced_allocation",
    "balanced_allocation_score",
    "broken_linear",
    "fit_error_message",
    "fits_request",
    "go_div",
    "go_round",
    "least_allocated",
    "most_allocated",
    "node_resources_fit_score",
    "num_feasible_nodes_to_find",
    "requested_to_capacity_ratio",
]

UNSCHEDULABLE_REASON = "node(s) were unschedulable"  # nodeunschedulable.ErrReasonUnschedulable
# tainttoleration.go: "node(s) had untolerated taint {<key>: <value>}"; these taints have no value.
NOT_READY_REASON = f"node(s) had untolerated taint {{{NOT_READY_TAINT}: }}"
UNREACHABLE_REASON = f"node(s) had untolerated taint {{{UNREACHABLE_TAINT}: }}"
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
BASE_PERCENTAGE_OF_NODES_TO_SCORE = 50


@dataclass(frozen=True)
class Profile:
    """A scheduler profile: the knobs of KubeSchedulerConfiguration this simulator honours.

    Defaults are kube-scheduler's (k8s_formulas.md §1, §4): LeastAllocated on cpu and memory
    with weight 1, BalancedAllocation in its v1.36+ form, plugin weights 1 and 1, adaptive
    percentageOfNodesToScore (0). `shape` (RequestedToCapacityRatio only) lists
    (utilization %, score 0..10) points; `balanced_allocation=None` disables that plugin.
    """

    strategy: str = "LeastAllocated"
    resources: tuple[tuple[str, int], ...] = DEFAULT_RESOURCES
    shape: tuple[tuple[int, int], ...] | None = None
    balanced_allocation: str | None = "v1.36"
    balanced_resources: tuple[tuple[str, int], ...] = DEFAULT_RESOURCES
    fit_weight: int = 1
    balanced_weight: int = 1
    percentage_of_nodes_to_score: int = 0

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        check_resources(self.resources)
        check_resources(self.balanced_resources)
        if self.strategy == "RequestedToCapacityRatio":
            if self.shape is None:
                raise ValueError("strategy RequestedToCapacityRatio needs a shape")
            check_shape(self.shape)
        if self.balanced_allocation not in (*BALANCED_VERSIONS, None):
            raise ValueError(
                f"balanced_allocation must be one of {BALANCED_VERSIONS} or None, "
                f"got {self.balanced_allocation!r}"
            )
        if not 0 <= self.percentage_of_nodes_to_score <= 100:
            raise ValueError(
                "percentage_of_nodes_to_score must be between 0 and 100, "
                f"got {self.percentage_of_nodes_to_score}"
            )


@dataclass(frozen=True)
class Decision:
    """The outcome for one pod: `node` it was bound to, or None and the Pending `message`."""

    pod: str
    node: str | None
    message: str = ""
    feasible: int = 0


def num_feasible_nodes_to_find(num_nodes: int, percentage: int = 0) -> int:
    """How many feasible nodes the scheduler looks for before it stops filtering.

    All nodes below 100; otherwise `percentage` per cent (adaptive when 0: 50 - n/125, at least
    5), never fewer than 100 (schedule_one.go numFeasibleNodesToFind).
    """
    if num_nodes < MIN_FEASIBLE_NODES_TO_FIND or percentage >= 100:
        return num_nodes
    if percentage <= 0:
        percentage = max(
            BASE_PERCENTAGE_OF_NODES_TO_SCORE - num_nodes // 125,
            MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND,
        )
    return max(num_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


def fit_error_message(num_nodes: int, reasons: Iterable[str]) -> str:
    """FitError.Error(): "0/N nodes are available: <count reason>, ...." sorted as strings.

    `reasons` holds every failure reason of every node (a node can add several).
    """
    counts = Counter(reasons)
    parts = sorted(f"{n} {reason}" for reason, n in counts.items())
    message = f"0/{num_nodes} nodes are available:"
    return f"{message} {', '.join(parts)}." if parts else message


def _condition_reason(node: Node) -> str | None:
    if node.unschedulable:
        return UNSCHEDULABLE_REASON
    if not node.ready:
        return NOT_READY_REASON if node.reachable else UNREACHABLE_REASON
    return None


class _Base:
    """What both schedulers share: node order, the rotating start index, the seeded draw."""

    def __init__(self, nodes: Sequence[Node], profile: Profile | None, seed: int | None):
        names = [n.name for n in nodes]
        if len(set(names)) != len(names):
            raise ValueError(f"node names must be unique, got {names}")
        self.nodes = list(nodes)
        self.profile = profile or Profile()
        self.index = {name: i for i, name in enumerate(names)}
        self.rng = np.random.default_rng(seed)
        self.next_start = 0
        self.bound: dict[str, tuple[str, Pod]] = {}  # pod key -> (node name, pod)

    def _node_index(self, node_name: str) -> int:
        if node_name not in self.index:
            raise ValueError(f"no node named {node_name!r}; nodes are {list(self.index)}")
        return self.index[node_name]

    def _candidates(self, feasible: np.ndarray) -> np.ndarray:
        """Feasible node indices the search reaches, in search order; advances the start."""
        n = len(self.nodes)
        want = num_feasible_nodes_to_find(n, self.profile.percentage_of_nodes_to_score)
        found = np.flatnonzero(feasible)
        split = np.searchsorted(found, self.next_start)
        ordered = np.concatenate([found[split:], found[:split]])
        if len(ordered) >= want and want < n:
            ordered = ordered[:want]
            processed = (ordered[-1] - self.next_start) % n + 1
        else:
            processed = n
        self.next_start = int((self.next_start + processed) % n)
        return ordered

    def _pick(self, candidates: np.ndarray, totals: np.ndarray) -> int:
        """The top-scoring candidate; among ties a uniform draw (selectHost)."""
        top = np.flatnonzero(totals == totals.max())
        if len(top) == 1:
            return int(candidates[top[0]])
        return int(candidates[top[self.rng.integers(len(top))]])

    def schedule(self, pods: Iterable[Pod]) -> list[Decision]:
        """Schedule pods one at a time in order, as the scheduling queue would (FIFO at equal
        priority). Sets each pod's `node_name` (or leaves it None) and `message`."""
        return [self.schedule_one(pod) for pod in pods]

    def schedule_one(self, pod: Pod) -> Decision:
        """Filter, score and bind one pod; a pod that fits nowhere stays Pending."""
        raise NotImplementedError

    def _finish(self, pod: Pod, chosen: int | None, message: str, feasible: int) -> Decision:
        if chosen is None:
            pod.node_name, pod.message = None, message
            return Decision(pod.name, None, message, feasible)
        node = self.nodes[chosen].name
        self.bind(pod, node)
        pod.message = ""
        return Decision(pod.name, node, "", feasible)

    def bind(self, pod: Pod, node_name: str) -> None:
        """Account a pod as running on `node_name` (also for pods placed before the scheduler
        started, or by `spec.nodeName`). Sets `pod.node_name`."""
        key = f"{pod.namespace}/{pod.name}"
        if key in self.bound:
            raise ValueError(f"pod {key} is already bound to {self.bound[key][0]}")
        self._account(self._node_index(node_name), pod, +1)
        self.bound[key] = (node_name, pod)
        pod.node_name = node_name

    def unbind(self, pod: Pod) -> None:
        """Free what a deleted or evicted pod reserved on its node."""
        key = f"{pod.namespace}/{pod.name}"
        if key not in self.bound:
            raise ValueError(f"pod {key} is not bound to any node")
        node_name, bound_pod = self.bound.pop(key)
        self._account(self.index[node_name], bound_pod, -1)

    def pods_on(self, node_name: str) -> list[Pod]:
        """The pods bound to a node, in binding order."""
        return [pod for name, pod in self.bound.values() if name == node_name]

    def _account(self, i: int, pod: Pod, sign: int) -> None:
        raise NotImplementedError


class PlainScheduler(_Base):
    """The per-node reference: loops over nodes calling the plugin functions of plugins.py."""

    def __init__(self, nodes: Sequence[Node], profile: Profile | None = None, seed: int | None = 0):
        super().__init__(nodes, profile, seed)
        self.requested = [dict[str, int]() for _ in self.nodes]
        self.non_zero = [dict[str, int]() for _ in self.nodes]
        self.pod_count = [0] * len(self.nodes)

    def _account(self, i: int, pod: Pod, sign: int) -> None:
        for total, request in (
            (self.requested[i], pod.requests()),
            (self.non_zero[i], pod.scoring_requests()),
        ):
            for name, amount in request.items():
                total[name] = total.get(name, 0) + sign * amount
        self.pod_count[i] += sign

    def filter(self, pod: Pod, i: int) -> FilterResult:
        """The default profile's Filter plugins for node i, first failure wins."""
        reason = _condition_reason(self.nodes[i])
        if reason is not None:
            return FilterResult(False, (reason,))
        return fits_request(
            pod.requests(), self.requested[i], self.pod_count[i], self.nodes[i].allocatable
        )

    def score(self, pod: Pod, i: int) -> int:
        """Weighted sum of the Score plugins for node i."""
        p = self.profile
        allocatable = self.nodes[i].allocatable
        total = p.fit_weight * node_resources_fit_score(
            pod.scoring_requests(),
            self.non_zero[i],
            allocatable,
            strategy=p.strategy,
            resources=p.resources,
            shape=p.shape,
        )
        if p.balanced_allocation is not None:
            total += p.balanced_weight * balanced_allocation_score(
                pod.requests(),
                self.requested[i],
                allocatable,
                resources=p.balanced_resources,
                version=p.balanced_allocation,
            )
        return total

    def schedule_one(self, pod: Pod) -> Decision:
        results = [self.filter(pod, i) for i in range(len(self.nodes))]
        feasible = np.array([r.fits for r in results], dtype=bool)
        candidates = self._candidates(feasible)
        if len(candidates) == 0:
            reasons = [reason for r in results for reason in r.reasons]
            return self._finish(pod, None, fit_error_message(len(self.nodes), reasons), 0)
        if len(candidates) == 1:
            return self._finish(pod, int(candidates[0]), "", 1)
        totals = np.array([self.score(pod, int(i)) for i in candidates])
        return self._finish(pod, self._pick(candidates, totals), "", len(candidates))


class Scheduler(_Base):
    """kube-scheduler over a node list, every plugin computed for all nodes at once (numpy).

    Per resource it keeps one array over nodes of allocatable, free room (allocatable minus
    real requests, for Filter), real requests (BalancedAllocation) and requests with the
    100m/200Mi defaults (NodeResourcesFit scoring). A node's score depends only on that
    node and the pod's requests, so scores are cached per distinct request (a Deployment's
    replicas share one) and only nodes changed since are recomputed.
    """

    CACHE_SIZE = 64  # distinct pod shapes whose scores are kept
    SCALAR_ROWS = 16  # below this many changed nodes, rescore them one by one

    def __init__(self, nodes: Sequence[Node], profile: Profile | None = None, seed: int | None = 0):
        super().__init__(nodes, profile, seed)
        p = self.profile
        names = {"cpu", "memory"}
        for node in self.nodes:
            names.update(k for k in node.allocatable if k != "pods")
        names.update(name for name, _ in (*p.resources, *p.balanced_resources))
        self.resources: list[str] = []
        self._columns: dict[str, int] = {}
        n = len(self.nodes)
        self.allocatable = np.zeros((0, n), dtype=np.int64)  # [resource, node]
        self.requested = np.zeros((0, n), dtype=np.int64)
        self.non_zero = np.zeros((0, n), dtype=np.int64)
        for name in sorted(names):
            self._add_column(name)
        for i, node in enumerate(self.nodes):
            for name, amount in node.allocatable.items():
                if name != "pods":
                    self.allocatable[self._columns[name], i] = amount
        self.free = self.allocatable.copy()
        self.pods_left = np.array([n.allocatable["pods"] for n in self.nodes], dtype=np.int64)
        self.pod_count = np.zeros(n, dtype=np.int64)
        self.blocked = np.array([_condition_reason(node) is not None for node in self.nodes])
        self._vectors: dict[tuple[int, int], tuple] = {}
        self._scores: dict[bytes, tuple[np.ndarray, set[int]]] = {}

    def _add_column(self, name: str) -> None:
        """A resource first seen in a pod's request starts at 0 on every node."""
        self.resources.append(name)
        self._columns[name] = len(self.resources) - 1
        pad = np.zeros((1, len(self.nodes)), dtype=np.int64)
        for attr in ("allocatable", "requested", "non_zero", "free"):
            if hasattr(self, attr):
                setattr(self, attr, np.vstack([getattr(self, attr), pad]))
        self._scores = {}

    def _pod_vectors(self, pod: Pod) -> tuple[np.ndarray, np.ndarray]:
        """(real, scoring) request vectors; pods made from one template share the result."""
        key = (id(pod.containers), id(pod.init_containers))
        hit = self._vectors.get(key)
        if hit is not None and hit[0] is pod.containers and hit[1] is pod.init_containers:
            if len(hit[2]) == len(self.resources):
                return hit[2], hit[3]
        real_map, scoring_map = pod.requests(), pod.scoring_requests()
        for name in (*real_map, *scoring_map):
            if name not in self._columns:
                self._add_column(name)
        real = np.zeros(len(self.resources), dtype=np.int64)
        scoring = np.zeros(len(self.resources), dtype=np.int64)
        for name, amount in real_map.items():
            real[self._columns[name]] = amount
        for name, amount in scoring_map.items():
            scoring[self._columns[name]] = amount
        self._vectors[key] = (pod.containers, pod.init_containers, real, scoring)
        return real, scoring

    def _account(self, i: int, pod: Pod, sign: int) -> None:
        real, scoring = self._pod_vectors(pod)
        self.requested[:, i] += sign * real
        self.free[:, i] -= sign * real
        self.non_zero[:, i] += sign * scoring
        self.pod_count[i] += sign
        self.pods_left[i] -= sign
        for _scores, stale in self._scores.values():
            stale.add(i)

    def set_node(
        self,
        node_name: str,
        *,
        ready: bool | None = None,
        unschedulable: bool | None = None,
        reachable: bool | None = None,
    ) -> None:
        """Change a node's Ready condition (`reachable=False`: Unknown) or cordon it (kubectl
        cordon/uncordon)."""
        i = self._node_index(node_name)
        node = self.nodes[i]
        if ready is not None:
            node.ready = ready
        if reachable is not None:
            node.reachable = reachable
        if unschedulable is not None:
            node.unschedulable = unschedulable
        self.blocked[i] = _condition_reason(node) is not None

    def schedule_one(self, pod: Pod) -> Decision:
        real, scoring = self._pod_vectors(pod)
        asked = np.flatnonzero(real > 0)
        feasible = ~self.blocked & (self.pods_left > 0)
        for j in asked:
            feasible &= real[j] <= self.free[j]
        candidates = self._candidates(feasible)
        if len(candidates) == 0:
            return self._finish(pod, None, self._failure_message(real, asked), 0)
        if len(candidates) == 1:
            return self._finish(pod, int(candidates[0]), "", 1)
        totals = self._cached_scores(real, scoring)[candidates]
        return self._finish(pod, self._pick(candidates, totals), "", len(candidates))

    def _failure_message(self, real: np.ndarray, asked: np.ndarray) -> str:
        reasons = [_condition_reason(n) for n, b in zip(self.nodes, self.blocked, strict=True) if b]
        open_ = ~self.blocked
        reasons += ["Too many pods"] * int((open_ & (self.pods_left <= 0)).sum())
        for j in asked:
            short = open_ & (real[j] > self.free[j])
            reasons += [f"Insufficient {self.resources[j]}"] * int(short.sum())
        return fit_error_message(len(self.nodes), reasons)

    def _cached_scores(self, real: np.ndarray, scoring: np.ndarray) -> np.ndarray:
        key = real.tobytes() + scoring.tobytes()
        entry = self._scores.get(key)
        if entry is None:
            if len(self._scores) >= self.CACHE_SIZE:
                self._scores.pop(next(iter(self._scores)))
            entry = (self._score_rows(slice(None), real, scoring), set())
            self._scores[key] = entry
        elif len(entry[1]) <= self.SCALAR_ROWS:
            for i in entry[1]:
                entry[0][i] = self._score_node(i, real, scoring)
            entry[1].clear()
        else:
            rows = np.fromiter(entry[1], dtype=np.int64, count=len(entry[1]))
            entry[0][rows] = self._score_rows(rows, real, scoring)
            entry[1].clear()
        return entry[0]

    def _score_node(self, i: int, real: np.ndarray, scoring: np.ndarray) -> int:
        """One node's total with the plain plugin functions: cheaper than numpy for a few rows."""
        p = self.profile
        non_zero = self.non_zero[:, i].tolist()
        requested = self.requested[:, i].tolist()
        allocatable = self.allocatable[:, i].tolist()
        req, alloc, weights = [], [], []
        for name, weight in p.resources:
            j = self._columns[name]
            pod = int(scoring[j])
            if pod == 0 and is_scalar(name):
                continue
            req.append(non_zero[j] + pod)
            alloc.append(allocatable[j])
            weights.append(weight)
        if p.strategy == "LeastAllocated":
            total = least_allocated(req, alloc, weights)
        elif p.strategy == "MostAllocated":
            total = most_allocated(req, alloc, weights)
        else:
            total = requested_to_capacity_ratio(req, alloc, weights, p.shape)
        total *= p.fit_weight
        if p.balanced_allocation is None:
            return total
        before, pods, alloc = [], [], []
        for name, _weight in p.balanced_resources:
            j = self._columns[name]
            pod = int(real[j])
            if pod == 0 and is_scalar(name):
                continue
            before.append(requested[j])
            pods.append(pod)
            alloc.append(allocatable[j])
        ba = balanced_allocation(before, pods, alloc, p.balanced_allocation)
        return total + p.balanced_weight * ba

    def _score_rows(self, rows, real: np.ndarray, scoring: np.ndarray) -> np.ndarray:
        """Weighted total of the Score plugins for the given nodes (a slice or indices)."""
        p = self.profile
        total = p.fit_weight * self._fit_scores(rows, scoring)
        if p.balanced_allocation is not None:
            total = total + p.balanced_weight * self._balanced_scores(rows, real)
        return total

    def _columns_for(self, rows, pod: np.ndarray, node_requested: np.ndarray, resources):
        """Per resource scored for this pod: (requested incl. the pod, allocatable, pod, weight).

        A scalar resource the pod does not request is left out for every node; a resource a
        node lacks has allocatable 0 there and the caller skips it (resource_vectors).
        """
        out = []
        for name, weight in resources:
            j = self._columns[name]
            if pod[j] == 0 and is_scalar(name):
                continue
            out.append(
                (node_requested[j, rows] + pod[j], self.allocatable[j, rows], pod[j], weight)
            )
        return out

    def _fit_scores(self, rows, pod: np.ndarray) -> np.ndarray:
        p = self.profile
        num = den = 0
        for req, alloc, _pod, weight in self._columns_for(rows, pod, self.non_zero, p.resources):
            has = alloc > 0
            safe = np.where(has, alloc, 1)
            if p.strategy == "LeastAllocated":
                score = np.where(req > alloc, 0, (alloc - req) * MAX_NODE_SCORE // safe)
            elif p.strategy == "MostAllocated":
                score = np.minimum(req, alloc) * MAX_NODE_SCORE // safe
            else:
                utilization = np.where(req > alloc, MAX_NODE_SCORE, req * MAX_NODE_SCORE // safe)
                score = self._shape(utilization)
                has = has & (score > 0)
            num = num + np.where(has, score * weight, 0)
            den = den + np.where(has, weight, 0)
        size = len(self.nodes) if isinstance(rows, slice) else len(rows)
        num = np.broadcast_to(np.asarray(num, dtype=np.int64), (size,))
        den = np.broadcast_to(np.asarray(den, dtype=np.int64), (size,))
        safe_den = np.maximum(den, 1)
        if p.strategy == "RequestedToCapacityRatio":
            result = (2 * num + den) // (2 * safe_den)  # math.Round, half away from zero
        else:
            result = num // safe_den
        return np.where(den > 0, result, 0)

    def _shape(self, utilization: np.ndarray) -> np.ndarray:
        """broken_linear over an array, shape scores scaled 0..10 -> 0..100."""
        scale = MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE
        u = np.array([pt[0] for pt in self.profile.shape], dtype=np.int64)
        s = np.array([pt[1] * scale for pt in self.profile.shape], dtype=np.int64)
        i = np.searchsorted(u, utilization, side="left")
        inner = np.clip(i, 1, len(u) - 1) if len(u) > 1 else np.zeros_like(i)
        u0, s0, u1, s1 = u[inner - 1], s[inner - 1], u[inner], s[inner]
        top = (s1 - s0) * (utilization - u0)
        interpolated = s0 + np.sign(top) * (np.abs(top) // np.maximum(u1 - u0, 1))  # Go's /
        return np.where(i == 0, s[0], np.where(i >= len(u), s[-1], interpolated))

    def _balanced_scores(self, rows, pod: np.ndarray) -> np.ndarray:
        p = self.profile
        size = len(self.nodes) if isinstance(rows, slice) else len(rows)
        cols = self._columns_for(rows, pod, self.requested, p.balanced_resources)
        if not any(pod_amount for _r, _a, pod_amount, _w in cols):
            return np.zeros(size, dtype=np.int64)  # best-effort pod: PreScore returns Skip
        after = _balance([(r, a) for r, a, _p, _w in cols], size)
        if p.balanced_allocation == "v1.35":
            return after
        before = _balance([(r - pod_amount, a) for r, a, pod_amount, _w in cols], size)
        half = MAX_NODE_SCORE // 2
        return half + (half + after - before) // 2


def _balance(columns: list[tuple[np.ndarray, np.ndarray]], size: int) -> np.ndarray:
    """int64((1 - std) * 100) per node over (requested, allocatable) columns, in float64 and in
    upstream's order of operations, skipping a resource where a node has none of it."""
    fractions, present = [], []
    for req, alloc in columns:
        has = alloc > 0
        fractions.append(np.minimum(req / np.where(has, alloc, 1), 1.0))
        present.append(has)
    count = np.zeros(size, dtype=np.int64)
    first = np.zeros(size)
    last = np.zeros(size)
    total = np.zeros(size)
    for f, has in zip(fractions, present, strict=True):
        first = np.where(has & (count == 0), f, first)
        last = np.where(has, f, last)
        total = total + np.where(has, f, 0.0)
        count = count + has
    mean = total / np.maximum(count, 1)
    squares = np.zeros(size)
    for f, has in zip(fractions, present, strict=True):
        squares = squares + np.where(has, (f - mean) * (f - mean), 0.0)
    std = np.where(
        count == 2,
        np.abs((first - last) / 2),
        np.where(count > 2, np.sqrt(squares / np.maximum(count, 1)), 0.0),
    )
    return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
