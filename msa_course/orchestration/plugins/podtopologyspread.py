"""PodTopologySpread: spread matching pods evenly over topology domains (zones, nodes, ...).

pkg/scheduler/framework/plugins/podtopologyspread/{common,filtering,scoring}.go (v1.35):

* Constraints: the pod's own `topologySpreadConstraints`, else the system defaults
  (hostname maxSkew 3, zone maxSkew 5, both ScheduleAnyway) with the selector of the pod's
  owner (a ReplicaSet, Service, ...); a pod without owner gets none.
* PreFilter counts, per DoNotSchedule constraint, the matching pods in each domain over every
  node that carries all the constraints' topology keys and passes the node inclusion
  policies (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore by default). Filter rejects a
  node where `count(domain) + (1 if the pod matches) - min over domains > maxSkew`; the
  minimum is 0 while there are fewer domains than minDomains.
* PreScore counts the same for ScheduleAnyway constraints; Score sums
  `count * ln(domains + 2) + (maxSkew - 1)` per constraint, rounded; NormalizeScore maps
  it to `100 * (max + min - score) / max`, so the emptiest domain scores 100. Default
  weight 2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from msa_course.orchestration.placement import (
    LABEL_HOSTNAME,
    SYSTEM_DEFAULT_CONSTRAINTS,
    LabelSelector,
    selector_matches,
    untolerated_taint,
)
from msa_course.orchestration.plugins.helper import MAX_NODE_SCORE, NodeInfo
from msa_course.orchestration.plugins.nodeaffinity import required_node_affinity_matches

ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"


@dataclass(frozen=True)
class SpreadConstraint:
    """topologySpreadConstraint: a constraint with its selector resolved for this pod."""

    max_skew: int
    topology_key: str
    selector: LabelSelector | None
    min_domains: int = 1
    node_affinity_policy: str = "Honor"
    node_taints_policy: str = "Ignore"

    def includes(self, pod, node: NodeInfo) -> bool:
        """matchNodeInclusionPolicies: does this node count for the constraint?"""
        if self.node_affinity_policy == "Honor" and not required_node_affinity_matches(
            pod, node.labels, node.name
        ):
            return False
        return not (
            self.node_taints_policy == "Honor"
            and untolerated_taint(node.taints, pod.tolerations) is not None
        )


def pod_constraints(
    pod, action: str, default_selector: LabelSelector | None = None
) -> list[SpreadConstraint]:
    """The pod's constraints with whenUnsatisfiable `action` (filterTopologySpreadConstraints),
    or the system defaults with `default_selector` when the pod has none of its own."""
    own = bool(pod.topology_spread_constraints)
    source = pod.topology_spread_constraints if own else SYSTEM_DEFAULT_CONSTRAINTS
    if not own and (default_selector is None or default_selector == LabelSelector()):
        return []
    out = []
    for c in source:
        if c.when_unsatisfiable != action:
            continue
        selector = c.selector_for(pod.labels) if own else default_selector
        out.append(
            SpreadConstraint(
                c.max_skew,
                c.topology_key,
                selector,
                c.min_domains or 1,
                c.node_affinity_policy,
                c.node_taints_policy,
            )
        )
    return out


def counts_toward(pod, selector: LabelSelector | None, namespace: str) -> bool:
    """Does a bound pod count for a spread selector (countPodsMatchSelector)? Not when it is
    terminating (#87621), in another namespace, or the selector is empty: an empty selector
    counts no pod at all, although the incoming pod matches it (upstream's quirk)."""
    if selector is None or (not selector.match_labels and not selector.match_expressions):
        return False
    return not pod.terminating and pod.namespace == namespace and selector.matches(pod.labels)


def count_matching(pods, selector: LabelSelector | None, namespace: str) -> int:
    """countPodsMatchSelector: the bound pods that count for `selector` in `namespace`."""
    return sum(1 for p in pods if counts_toward(p, selector, namespace))


def _has_keys(node: NodeInfo, constraints: Sequence[SpreadConstraint]) -> bool:
    return all(c.topology_key in node.labels for c in constraints)


@dataclass
class PreFilterState:
    """Per DoNotSchedule constraint, matching pods per domain value (TpValueToMatchNum)."""

    constraints: list[SpreadConstraint]
    counts: list[dict[str, int]] = field(default_factory=list)

    def min_match(self, i: int) -> int:
        """The global minimum, 0 while there are fewer domains than minDomains."""
        counts = self.counts[i]
        if len(counts) < self.constraints[i].min_domains:
            return 0
        return min(counts.values(), default=0)


def pts_pre_filter(
    pod, nodes: Sequence[NodeInfo], default_selector: LabelSelector | None = None
) -> PreFilterState | None:
    """PreFilter (calPreFilterState); None means Skip (no DoNotSchedule constraint)."""
    constraints = pod_constraints(pod, "DoNotSchedule", default_selector)
    if not constraints:
        return None
    state = PreFilterState(constraints, [{} for _ in constraints])
    for node in nodes:
        if not _has_keys(node, constraints):
            continue
        for i, c in enumerate(constraints):
            if c.includes(pod, node):
                value = node.labels[c.topology_key]
                found = count_matching(node.pods, c.selector, pod.namespace)
                state.counts[i][value] = state.counts[i].get(value, 0) + found
    return state


def pts_filter(state: PreFilterState | None, pod, node: NodeInfo) -> str | None:
    """Filter: the failure reason, or None when every constraint's skew stays within maxSkew."""
    if state is None:
        return None
    for i, c in enumerate(state.constraints):
        if c.topology_key not in node.labels:
            return ERR_REASON_NODE_LABEL_NOT_MATCH
        self_match = 1 if selector_matches(c.selector, pod.labels) else 0
        match = state.counts[i].get(node.labels[c.topology_key], 0)
        if match + self_match - state.min_match(i) > c.max_skew:
            return ERR_REASON_CONSTRAINTS_NOT_MATCH
    return None


@dataclass
class PreScoreState:
    """Per ScheduleAnyway constraint: pods per domain (not hostname: counted in Score), the
    normalising weight ln(domains + 2), and the candidate nodes left unscored."""

    constraints: list[SpreadConstraint]
    ignored: set[str]
    counts: list[dict[str, int]]
    weights: list[float]


def pts_pre_score(
    pod,
    filtered: Sequence[NodeInfo],
    all_nodes: Sequence[NodeInfo],
    default_selector: LabelSelector | None = None,
) -> PreScoreState | None:
    """PreScore over the feasible `filtered` nodes, counting pods on `all_nodes`; None is
    Skip (no ScheduleAnyway constraint). With the system defaults a node may lack the zone
    label and still be scored by hostname (requireAllTopologies is false)."""
    if not all_nodes:
        return None
    constraints = pod_constraints(pod, "ScheduleAnyway", default_selector)
    if not constraints:
        return None
    require_all = bool(pod.topology_spread_constraints)
    state = PreScoreState(constraints, set(), [{} for _ in constraints], [])
    sizes = [0] * len(constraints)
    for node in filtered:
        if require_all and not _has_keys(node, constraints):
            state.ignored.add(node.name)
            continue
        for i, c in enumerate(constraints):
            if c.topology_key == LABEL_HOSTNAME:
                continue
            value = node.labels.get(c.topology_key, "")
            if value not in state.counts[i]:
                state.counts[i][value] = 0
                sizes[i] += 1
    for i, c in enumerate(constraints):
        size = sizes[i]
        if c.topology_key == LABEL_HOSTNAME:
            size = len(filtered) - len(state.ignored)
        state.weights.append(math.log(size + 2))
    for node in all_nodes:
        if require_all and not _has_keys(node, constraints):
            continue
        for i, c in enumerate(constraints):
            if not c.includes(pod, node):
                continue
            value = node.labels.get(c.topology_key, "")
            if value in state.counts[i]:
                state.counts[i][value] += count_matching(node.pods, c.selector, pod.namespace)
    return state


def pts_score(state: PreScoreState, pod, node: NodeInfo) -> int:
    """Score before normalisation (more matching pods nearby: higher)."""
    if node.name in state.ignored:
        return 0
    score = 0.0
    for i, c in enumerate(state.constraints):
        if c.topology_key not in node.labels:
            continue
        if c.topology_key == LABEL_HOSTNAME:
            count = count_matching(node.pods, c.selector, pod.namespace)
        else:
            count = state.counts[i][node.labels[c.topology_key]]
        score += count * state.weights[i] + (c.max_skew - 1)
    return int(math.floor(score + 0.5))  # math.Round; scores are never negative


def pts_normalize(state: PreScoreState, names: Sequence[str], scores: Sequence[int]) -> list[int]:
    """NormalizeScore: 100 * (max + min - score) / max over the scored nodes; ignored: 0."""
    kept = [s for name, s in zip(names, scores, strict=True) if name not in state.ignored]
    low, high = min(kept, default=0), max(kept, default=0)
    out = []
    for name, s in zip(names, scores, strict=True):
        if name in state.ignored:
            out.append(0)
        elif high == 0:
            out.append(MAX_NODE_SCORE)
        else:
            out.append(MAX_NODE_SCORE * (high + low - s) // high)
    return out
