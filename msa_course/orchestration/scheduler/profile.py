"""The scheduler's configuration and its answers: Profile, Decision and the Pending message.

`Profile` holds the KubeSchedulerConfiguration knobs this simulator honours (defaults from
pkg/scheduler/apis/config/v1 default_plugins.go and defaults.go, docs/k8s_formulas.md §1, §4);
`num_feasible_nodes_to_find` is schedule_one.go's sampling rule and `fit_error_message` the
FitError text, with DefaultPreemption's verdict after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from msa_course.orchestration.plugins import (
    BALANCED_VERSIONS,
    DEFAULT_RESOURCES,
    STRATEGIES,
    check_resources,
    check_shape,
)

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
BASE_PERCENTAGE_OF_NODES_TO_SCORE = 50
# The default profile's Filter and Score plugins this simulator runs, in upstream's order.
FILTER_PLUGINS = (
    "NodeUnschedulable",
    "TaintToleration",
    "NodeAffinity",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
)
SCORE_PLUGINS = (
    "TaintToleration",
    "NodeAffinity",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
    "NodeResourcesBalancedAllocation",
)
# DefaultPreemption's per-node verdicts when it finds nothing to evict (preemption.go).
PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod"


@dataclass(frozen=True)
class Profile:
    """A scheduler profile: the knobs of KubeSchedulerConfiguration this simulator honours.

    Defaults are kube-scheduler's (k8s_formulas.md §1, §4): LeastAllocated on cpu and memory,
    BalancedAllocation in its v1.36+ form, the default plugin weights (TaintToleration 3,
    NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2, NodeResourcesFit 1,
    BalancedAllocation 1), the system default topology spreading, and an adaptive
    percentageOfNodesToScore (0). `shape` (RequestedToCapacityRatio only) lists
    (utilization %, score 0..10) points; `balanced_allocation=None` disables that plugin.
    A weight of 0 here stands for a Score plugin listed under `plugins.score.disabled`:
    upstream takes a configured weight of 0 as 1 (framework/runtime/framework.go, "a weight
    of zero is not permitted, plugins can be disabled explicitly").
    """

    strategy: str = "LeastAllocated"
    resources: tuple[tuple[str, int], ...] = DEFAULT_RESOURCES
    shape: tuple[tuple[int, int], ...] | None = None
    balanced_allocation: str | None = "v1.36"
    balanced_resources: tuple[tuple[str, int], ...] = DEFAULT_RESOURCES
    fit_weight: int = 1
    balanced_weight: int = 1
    taint_toleration_weight: int = 3
    node_affinity_weight: int = 2
    pod_topology_spread_weight: int = 2
    inter_pod_affinity_weight: int = 2
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
        for name, weight in self.weights().items():
            if not isinstance(weight, int) or weight < 0:
                raise ValueError(
                    f"the weight of {name} must be a whole number >= 0, got {weight!r}"
                )

    def weights(self) -> dict[str, int]:
        """Score plugin -> weight, in SCORE_PLUGINS order (0: the plugin is disabled)."""
        return {
            "TaintToleration": self.taint_toleration_weight,
            "NodeAffinity": self.node_affinity_weight,
            "NodeResourcesFit": self.fit_weight,
            "PodTopologySpread": self.pod_topology_spread_weight,
            "InterPodAffinity": self.inter_pod_affinity_weight,
            "NodeResourcesBalancedAllocation": (
                self.balanced_weight if self.balanced_allocation else 0
            ),
        }


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


def _histogram(reasons: Iterable[str]) -> str:
    counts = Counter(reasons)
    return ", ".join(sorted(f"{n} {reason}" for reason, n in counts.items()))


def fit_error_message(
    num_nodes: int, reasons: Iterable[str], preemption: Iterable[str] | None = None
) -> str:
    """FitError.Error(): "0/N nodes are available: <count reason>, ...." (sorted as strings),
    then DefaultPreemption's message when `preemption` holds its verdict per node.

    `reasons` holds every failure reason of every node (a node can add several). Every pod
    here has the same priority, so preemption never finds victims: a node whose failure it
    could not fix says PREEMPTION_NOT_HELPFUL, any other NO_PREEMPTION_VICTIMS, e.g.
    "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No
    preemption victims found for incoming pod."
    """
    filters = _histogram(reasons)
    message = f"0/{num_nodes} nodes are available:" + (f" {filters}." if filters else "")
    if preemption is not None:
        message += f" preemption: 0/{num_nodes} nodes are available: {_histogram(preemption)}."
    return message
