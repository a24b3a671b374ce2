"""The scheduler's configuration and its answers: Profile, Decision and the Pending message.

`Profile` holds the KubeSchedulerConfiguration knobs this simulator honours (defaults from
pkg/scheduler/apis/config/v1, docs/k8s_formulas.md §1, §4); `num_feasible_nodes_to_find` is
schedule_one.go's sampling rule and `fit_error_message` its FitError text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from msa_course.orchestration.objects import NOT_READY_TAINT, UNREACHABLE_TAINT, Node
from msa_course.orchestration.plugins import (
    BALANCED_VERSIONS,
    DEFAULT_RESOURCES,
    STRATEGIES,
    check_resources,
    check_shape,
)

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


def condition_reason(node: Node) -> str | None:
    if node.unschedulable:
        return UNSCHEDULABLE_REASON
    if not node.ready:
        return NOT_READY_REASON if node.reachable else UNREACHABLE_REASON
    return None
