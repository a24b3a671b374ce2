"""A kube-scheduler for the simulator: Filter, then Score, then pick the best node.

Shaped like the real scheduling framework (pkg/scheduler/schedule_one.go,
docs/k8s_formulas.md §3-§4):

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

`Scheduler` caches each pod shape's Filter and Score over all nodes (numpy arrays) and
redoes only the nodes a bind changed; `PlainScheduler` is the per-node reference built on the
plugin functions of plugins.py. Both consume the random generator identically,
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
    fraction_balance,
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
        self.want = num_feasible_nodes_to_find(
            len(names), self.profile.percentage_of_nodes_to_score
        )
        self.bound: dict[str, tuple[str, Pod]] = {}  # pod key -> (node name, pod)

    def _node_index(self, node_name: str) -> int:
        if node_name not in self.index:
            raise ValueError(f"no node named {node_name!r}; nodes are {list(self.index)}")
        return self.index[node_name]

    def _candidates(self, feasible: np.ndarray) -> np.ndarray:
        """Feasible node indices the search reaches, in search order; advances the start."""
        n, start, want = len(self.nodes), self.next_start, self.want
        found = np.flatnonzero(feasible)
        split = int(found.searchsorted(start))
        if want < n and len(found) - split >= want:
            ordered = found[split : split + want]  # the search stops before wrapping around
        else:
            ordered = np.concatenate((found[split:], found[:split]))
            if want < n and len(ordered) >= want:
                ordered = ordered[:want]
            else:
                self.next_start = start  # it went all the way round
                return ordered
        self.next_start = (start + (int(ordered[-1]) - start) % n + 1) % n
        return ordered

    def _top(self, totals: np.ndarray) -> int:
        """Position of the top score in `totals`; among ties a uniform draw (selectHost)."""
        top = (totals == totals[totals.argmax()]).nonzero()[0]
        if len(top) == 1:
            return int(top[0])
        return int(top[self.rng.integers(len(top))])

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
        self._conditions_changed(i)

    def _conditions_changed(self, i: int) -> None:
        """Hook for a scheduler that caches what node i's conditions decide."""


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
        return self._finish(pod, int(candidates[self._top(totals)]), "", len(candidates))


class _Shape:
    """One distinct pod request and, per node, whether it passes Filter and its Score.

    Both stay valid until the node changes; `stale` lists nodes changed since, redone the
    next time a pod of this shape is scheduled (a Deployment's replicas share one shape).
    `memo` maps a node state (Scheduler._state) to its result, -1 for filtered out: nodes
    of one pool pass through the same states, so most redone nodes are a lookup.
    """

    __slots__ = (
        "real",
        "scoring",
        "real_items",
        "scoring_items",
        "asked",
        "fit_cols",
        "balanced_cols",
        "balanced_skip",
        "feasible",
        "scores",
        "n_feasible",
        "stale",
        "memo",
        "pending",
    )


class Scheduler(_Base):
    """kube-scheduler over a node list, with Filter and Score results cached over nodes.

    Per resource it keeps, over nodes, allocatable, real requests (Filter and
    BalancedAllocation) and requests with the 100m/200Mi defaults (NodeResourcesFit scoring),
    as Python lists: binding a pod changes one node, which plain ints update fastest. A
    node's Filter result and Score depend only on that node and the pod's requests, so they
    are cached per distinct request as arrays over nodes; after a bind only that node is
    recomputed (in plain ints), and only when a pod of that shape comes next. A new shape,
    or one with many changed nodes, is computed for all nodes with numpy.
    """

    CACHE_SIZE = 64  # distinct pod shapes whose results are kept
    # Above this many changed nodes, recompute the shape with numpy: at 1,000 nodes that costs
    # about as much as 200 one-node rescores (~430 us against ~2 us each, measured).
    SCALAR_ROWS = 200
    MEMO_SIZE = 1 << 16  # node states remembered per shape

    def __init__(self, nodes: Sequence[Node], profile: Profile | None = None, seed: int | None = 0):
        super().__init__(nodes, profile, seed)
        p = self.profile
        names = {"cpu", "memory"}
        for node in self.nodes:
            names.update(k for k in node.allocatable if k != "pods")
        names.update(name for name, _ in (*p.resources, *p.balanced_resources))
        n = len(self.nodes)
        self.resources: list[str] = []
        self._columns: dict[str, int] = {}
        self._alloc: list[list[int]] = []  # [resource][node]
        self._req: list[list[int]] = []
        self._nz: list[list[int]] = []
        for name in sorted(names):
            self._add_column(name)
        for i, node in enumerate(self.nodes):
            for name, amount in node.allocatable.items():
                if name != "pods":
                    self._alloc[self._columns[name]][i] = amount
        self._max_pods = [node.allocatable["pods"] for node in self.nodes]
        self._count = [0] * n
        self._blocked = [_condition_reason(node) is not None for node in self.nodes]
        self._state = [self._node_state(i) for i in range(n)]
        self._version = 0  # bumped on every change of node state
        self._snapshot: tuple[int, dict[str, np.ndarray]] | None = None
        self._shapes: dict[tuple, _Shape] = {}
        self._current: tuple[Pod | None, _Shape | None] = (None, None)

    def _add_column(self, name: str) -> None:
        """A resource first seen in a pod's request starts at 0 on every node."""
        n = len(self.nodes)
        self._columns[name] = len(self.resources)
        self.resources.append(name)
        for table in (self._alloc, self._req, self._nz):
            table.append([0] * n)
        self._shapes = {}
        self._current = (None, None)
        if hasattr(self, "_state"):
            self._state = [self._node_state(i) for i in range(n)]
            self._version += 1

    def _node_state(self, i: int) -> tuple:
        """Everything Filter and Score read of node i: equal states give equal results."""
        return (
            self._blocked[i],
            self._max_pods[i] - self._count[i],
            *(column[i] for column in self._alloc),
            *(column[i] for column in self._req),
            *(column[i] for column in self._nz),
        )

    # --- numpy views of the state, for vectorised scoring and for charts --------------------

    def _arrays(self) -> dict[str, np.ndarray]:
        """The state as numpy arrays [resource, node] / [node], rebuilt when it changed."""
        if self._snapshot is None or self._snapshot[0] != self._version:
            alloc = np.array(self._alloc, dtype=np.int64).reshape(len(self.resources), -1)
            req = np.array(self._req, dtype=np.int64).reshape(alloc.shape)
            count = np.array(self._count, dtype=np.int64)
            arrays = {
                "allocatable": alloc,
                "requested": req,
                "non_zero": np.array(self._nz, dtype=np.int64).reshape(alloc.shape),
                "free": alloc - req,
                "pod_count": count,
                "pods_left": np.array(self._max_pods, dtype=np.int64) - count,
                "blocked": np.array(self._blocked, dtype=bool),
            }
            self._snapshot = (self._version, arrays)
        return self._snapshot[1]

    @property
    def allocatable(self) -> np.ndarray:
        """Allocatable per [resource, node] (rows in `resources` order)."""
        return self._arrays()["allocatable"]

    @property
    def requested(self) -> np.ndarray:
        """What bound pods request per [resource, node]: what Filter and BalancedAllocation see."""
        return self._arrays()["requested"]

    @property
    def non_zero(self) -> np.ndarray:
        """Requests per [resource, node] with the 100m/200Mi scoring defaults."""
        return self._arrays()["non_zero"]

    @property
    def free(self) -> np.ndarray:
        """Allocatable minus requested per [resource, node]."""
        return self._arrays()["free"]

    @property
    def pod_count(self) -> np.ndarray:
        """Pods bound per node."""
        return self._arrays()["pod_count"]

    @property
    def pods_left(self) -> np.ndarray:
        """Allocatable pods minus pods bound, per node."""
        return self._arrays()["pods_left"]

    @property
    def blocked(self) -> np.ndarray:
        """Per node: cordoned, NotReady or unreachable (filtered out whatever the pod)."""
        return self._arrays()["blocked"]

    # --- pod shapes --------------------------------------------------------------------------

    def _shape_of(self, pod: Pod) -> _Shape:
        """The cached shape of a pod's requests (the pod being scheduled is remembered)."""
        if self._current[0] is pod:
            return self._current[1]
        key = (
            tuple(tuple(c.requests.items()) for c in pod.containers),
            tuple((c.restart_policy, tuple(c.requests.items())) for c in pod.init_containers),
        )
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._new_shape(pod)
            if len(self._shapes) >= self.CACHE_SIZE:
                self._shapes.pop(next(iter(self._shapes)))
            self._shapes[key] = shape
        self._current = (pod, shape)
        return shape

    def _new_shape(self, pod: Pod) -> _Shape:
        real_map, scoring_map = pod.requests(), pod.scoring_requests()
        for name in (*real_map, *scoring_map):
            if name not in self._columns:
                self._add_column(name)
        s = _Shape()
        s.real = np.zeros(len(self.resources), dtype=np.int64)
        s.scoring = np.zeros(len(self.resources), dtype=np.int64)
        for name, amount in real_map.items():
            s.real[self._columns[name]] = amount
        for name, amount in scoring_map.items():
            s.scoring[self._columns[name]] = amount
        real, scoring = s.real.tolist(), s.scoring.tolist()
        s.real_items = [(self._req[j], a) for j, a in enumerate(real) if a]
        s.scoring_items = [(self._nz[j], a) for j, a in enumerate(scoring) if a]
        s.asked = [(self._alloc[j], self._req[j], a) for j, a in enumerate(real) if a > 0]
        p = self.profile
        s.fit_cols = [
            (self._alloc[j], self._nz[j], scoring[j], weight)
            for j, weight in ((self._columns[name], w) for name, w in p.resources)
            if not (scoring[j] == 0 and is_scalar(self.resources[j]))
        ]
        s.balanced_cols = [
            (self._alloc[j], self._req[j], real[j])
            for j in (self._columns[name] for name, _w in p.balanced_resources)
            if not (real[j] == 0 and is_scalar(self.resources[j]))
        ]
        # PreScore: a pod requesting none of the balanced resources is skipped (score 0)
        s.balanced_skip = p.balanced_allocation is None or not any(a for _, _, a in s.balanced_cols)
        s.stale = set()
        s.memo = {}
        s.pending = (-1, "")
        self._recompute(s)
        return s

    def _pod_vectors(self, pod: Pod) -> tuple[np.ndarray, np.ndarray]:
        """(real, scoring) request vectors over `resources`."""
        shape = self._shape_of(pod)
        return shape.real, shape.scoring

    def _recompute(self, s: _Shape) -> None:
        """Filter and Score for every node, with numpy."""
        a = self._arrays()
        feasible = ~a["blocked"] & (a["pods_left"] > 0)
        for j in np.flatnonzero(s.real > 0):
            feasible &= s.real[j] <= a["free"][j]
        s.feasible = feasible
        s.n_feasible = int(feasible.sum())
        s.scores = self._score_rows(slice(None), s.real, s.scoring)
        s.stale.clear()

    def _refresh(self, s: _Shape) -> None:
        """Bring a shape's cached Filter and Score up to date on the nodes changed since."""
        if len(s.stale) > self.SCALAR_ROWS:
            self._recompute(s)
            return
        feasible, scores, memo = s.feasible, s.scores, s.memo
        if len(memo) > self.MEMO_SIZE:
            memo.clear()
        for i in s.stale:
            state = self._state[i]
            score = memo.get(state)
            if score is None:
                score = self._score_node(s, i) if self._fits(s, i) else -1
                memo[state] = score
            fits = score >= 0
            if fits != feasible[i]:
                feasible[i] = fits
                s.n_feasible += 1 if fits else -1
            if fits:
                scores[i] = score
        s.stale.clear()

    def _fits(self, s: _Shape, i: int) -> bool:
        """The Filter plugins for one node, in plain ints."""
        if self._blocked[i] or self._count[i] >= self._max_pods[i]:
            return False
        for alloc, req, amount in s.asked:
            if amount > alloc[i] - req[i]:
                return False
        return True

    def _score_node(self, s: _Shape, i: int) -> int:
        """One node's weighted Score total in plain ints: cheaper than numpy for a few nodes."""
        p = self.profile
        num = den = 0
        if p.strategy == "LeastAllocated":
            for alloc, nz, amount, weight in s.fit_cols:
                a = alloc[i]
                if a:
                    r = nz[i] + amount
                    num += 0 if r > a else (a - r) * MAX_NODE_SCORE // a * weight
                    den += weight
            total = num // den if den else 0
        elif p.strategy == "MostAllocated":
            for alloc, nz, amount, weight in s.fit_cols:
                a = alloc[i]
                if a:
                    num += min(nz[i] + amount, a) * MAX_NODE_SCORE // a * weight
                    den += weight
            total = num // den if den else 0
        else:
            req, allocs, weights = [], [], []
            for alloc, nz, amount, weight in s.fit_cols:
                req.append(nz[i] + amount)
                allocs.append(alloc[i])
                weights.append(weight)
            total = requested_to_capacity_ratio(req, allocs, weights, p.shape)
        total *= p.fit_weight
        if s.balanced_skip:
            return total
        before, after = [], []
        for alloc, req, amount in s.balanced_cols:
            a = alloc[i]
            if a:
                r = req[i]
                before.append(min(r / a, 1.0))
                after.append(min((r + amount) / a, 1.0))
        score = fraction_balance(after)
        if p.balanced_allocation == "v1.36":
            half = MAX_NODE_SCORE // 2
            score = half + (half + score - fraction_balance(before)) // 2
        return total + p.balanced_weight * score

    # --- binding and node state --------------------------------------------------------------

    def _account(self, i: int, pod: Pod, sign: int) -> None:
        s = self._shape_of(pod)
        for column, amount in s.real_items:
            column[i] += sign * amount
        for column, amount in s.scoring_items:
            column[i] += sign * amount
        self._count[i] += sign
        self._changed(i)

    def _changed(self, i: int) -> None:
        self._state[i] = self._node_state(i)
        self._version += 1
        for shape in self._shapes.values():
            shape.stale.add(i)

    def _conditions_changed(self, i: int) -> None:
        self._blocked[i] = _condition_reason(self.nodes[i]) is not None
        self._changed(i)

    # --- scheduling --------------------------------------------------------------------------

    def schedule_one(self, pod: Pod) -> Decision:
        s = self._shape_of(pod)
        if s.stale:
            self._refresh(s)
        n = len(self.nodes)
        start = self.next_start
        if s.n_feasible == 0:
            return self._finish(pod, None, self._failure_message(s), 0)
        if s.n_feasible < n:
            candidates = self._candidates(s.feasible)
            if len(candidates) == 1:
                return self._finish(pod, int(candidates[0]), "", 1)
            chosen = int(candidates[self._top(s.scores[candidates])])
            return self._finish(pod, chosen, "", len(candidates))
        # Every node passes Filter: the search takes `want` nodes from where the last stopped.
        count = min(self.want, n)
        end = start + count
        self.next_start = end % n
        if count == 1:
            return self._finish(pod, start, "", 1)
        if end <= n:
            totals = s.scores[start:end]
        else:
            totals = np.concatenate((s.scores[start:], s.scores[: end - n]))
        return self._finish(pod, (start + self._top(totals)) % n, "", count)

    def _failure_message(self, s: _Shape) -> str:
        """The Pending message; the same until some node changes."""
        if s.pending[0] == self._version:
            return s.pending[1]
        a = self._arrays()
        blocked = a["blocked"]
        reasons = [_condition_reason(n) for n, b in zip(self.nodes, blocked, strict=True) if b]
        open_ = ~blocked
        reasons += ["Too many pods"] * int((open_ & (a["pods_left"] <= 0)).sum())
        for j in np.flatnonzero(s.real > 0):
            short = open_ & (s.real[j] > a["free"][j])
            reasons += [f"Insufficient {self.resources[j]}"] * int(short.sum())
        message = fit_error_message(len(self.nodes), reasons)
        s.pending = (self._version, message)
        return message

    # --- vectorised scoring ------------------------------------------------------------------

    def _score_rows(self, rows, real: np.ndarray, scoring: np.ndarray) -> np.ndarray:
        """Weighted total of the Score plugins for the given nodes (a slice or indices)."""
        p = self.profile
        a = self._arrays()
        total = p.fit_weight * self._fit_scores(a, rows, scoring)
        if p.balanced_allocation is not None:
            total = total + p.balanced_weight * self._balanced_scores(a, rows, real)
        return total

    def _columns_for(self, a, rows, pod: np.ndarray, node_requested: np.ndarray, resources):
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
                (node_requested[j, rows] + pod[j], a["allocatable"][j, rows], pod[j], weight)
            )
        return out

    def _fit_scores(self, a, rows, pod: np.ndarray) -> np.ndarray:
        p = self.profile
        num = den = 0
        for req, alloc, _pod, weight in self._columns_for(a, rows, pod, a["non_zero"], p.resources):
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

    def _balanced_scores(self, a, rows, pod: np.ndarray) -> np.ndarray:
        p = self.profile
        size = len(self.nodes) if isinstance(rows, slice) else len(rows)
        cols = self._columns_for(a, rows, pod, a["requested"], p.balanced_resources)
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
