"""One scheduling cycle, plugin by plugin and node by node, with every verdict recorded.

The reference for what kube-scheduler does with one pod (schedule_one.go with the default
profile's plugins): PreFilter, then Filter on every node in the default profile's order (the
first failing plugin decides a node), the sampled search for `numFeasibleNodesToFind`
feasible nodes, PreScore/Score/NormalizeScore on those, the weighted sum, selectHost's draw
among the top nodes, and, when nothing fits, FitError's message with DefaultPreemption's
verdict. `PlainScheduler` runs it to place pods; `explain` runs it to show why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from msa_course.orchestration.objects import Pod
from msa_course.orchestration.plugins import (
    ERR_REASON_AFFINITY,
    ERR_REASON_NODE_LABEL_NOT_MATCH,
    balanced_allocation_pre_score,
    balanced_allocation_score,
    fits_request,
    ipa_filter,
    ipa_normalize,
    ipa_pre_filter,
    ipa_pre_score,
    ipa_score,
    node_affinity_filter,
    node_affinity_normalize,
    node_affinity_pre_filter,
    node_affinity_pre_score,
    node_affinity_score,
    node_resources_fit_score,
    node_unschedulable_filter,
    pts_filter,
    pts_normalize,
    pts_pre_filter,
    pts_pre_score,
    pts_score,
    taint_toleration_filter,
    taint_toleration_normalize,
    taint_toleration_score,
)
from msa_course.orchestration.scheduler.profile import (
    FILTER_PLUGINS,
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    SCORE_PLUGINS,
    fit_error_message,
)

# Filter plugins whose every rejection is UnschedulableAndUnresolvable (preemption cannot
# help), and the reasons that are so from the others: PodTopologySpread's missing topology
# label, InterPodAffinity's unmatched pod affinity.
_UNRESOLVABLE_PLUGINS = ("NodeUnschedulable", "TaintToleration", "NodeAffinity")
_UNRESOLVABLE_REASONS = (ERR_REASON_NODE_LABEL_NOT_MATCH, ERR_REASON_AFFINITY)


def unresolvable(plugin: str, reason: str) -> bool:
    """Whether a placement Filter plugin's rejection is UnschedulableAndUnresolvable."""
    return plugin in _UNRESOLVABLE_PLUGINS or reason in _UNRESOLVABLE_REASONS


@dataclass
class NodeVerdict:
    """One node's Filter results: (plugin, reason or None for passed, or "Skip") up to the
    first failing plugin, which alone speaks for the node."""

    node: str
    filters: list[tuple[str, str | None]]
    reasons: tuple[str, ...] = ()
    unresolvable: bool = False

    @property
    def feasible(self) -> bool:
        return not self.reasons


@dataclass
class PluginScores:
    """One Score plugin over the scored nodes: "Skip" from PreScore, or its raw Score and
    normalised (0..100) values; the node's total gets `weight` x normalised."""

    plugin: str
    weight: int
    status: str = "Success"
    raw: list[int] = field(default_factory=list)
    normalized: list[int] = field(default_factory=list)


@dataclass
class Cycle:
    """Everything one scheduling cycle decided, for one pod."""

    pod: str
    verdicts: list[NodeVerdict]
    start: int
    want: int
    candidates: list[int] = field(default_factory=list)  # node indices, in search order
    scores: list[PluginScores] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)  # node indices sharing the top total
    chosen: int | None = None
    message: str = ""


def placement_filters(pod: Pod, infos, default_selector) -> dict:
    """PreFilter of the placement plugins over the cluster (`infos`, NodeInfo): per plugin,
    its Filter of one node (a reason, or None for passed), or None where PreFilter says Skip."""
    pts_state = pts_pre_filter(pod, infos, default_selector)
    ipa_state = ipa_pre_filter(pod, infos)
    return {
        "NodeUnschedulable": lambda n: node_unschedulable_filter(n.unschedulable, pod.tolerations),
        "TaintToleration": lambda n: taint_toleration_filter(n.taints, pod.tolerations),
        "NodeAffinity": None
        if node_affinity_pre_filter(pod) == "Skip"
        else lambda n: node_affinity_filter(pod, n.labels, n.name),
        "PodTopologySpread": None if pts_state is None else lambda n: pts_filter(pts_state, pod, n),
        "InterPodAffinity": None if ipa_state is None else lambda n: ipa_filter(ipa_state, n),
    }


def _filter(sched, pod: Pod, i: int, node, request, checks: dict) -> NodeVerdict:
    """The Filter plugins for one node, in order, stopping at the first failure."""
    verdict = NodeVerdict(node.name, [])
    for plugin in FILTER_PLUGINS:
        if plugin == "NodeResourcesFit":
            fit = fits_request(
                request, sched.requested[i], sched.pod_count[i], sched.nodes[i].allocatable
            )
            reasons = fit.reasons
            rejected_for_good = any(x.unresolvable for x in fit.insufficient)
        elif checks[plugin] is None:
            verdict.filters.append((plugin, "Skip"))
            continue
        else:
            reason = checks[plugin](node)
            reasons = () if reason is None else (reason,)
            rejected_for_good = unresolvable(plugin, reason)
        verdict.filters.append((plugin, ", ".join(reasons) or None))
        if reasons:
            verdict.reasons, verdict.unresolvable = reasons, rejected_for_good
            break
    return verdict


def placement_score(
    plugin: str, pod: Pod, nodes, infos, default_selector, hard_pod_affinity_weight: int = 1
) -> tuple[list[int], list[int]] | None:
    """PreScore, Score and NormalizeScore of one placement plugin over `nodes` (the scored
    NodeInfo; `infos`: the whole cluster): (raw, normalised), or None where PreScore says Skip."""
    if plugin == "TaintToleration":
        raw = [taint_toleration_score(n.taints, pod.tolerations) for n in nodes]
        return raw, taint_toleration_normalize(raw)
    if plugin == "NodeAffinity":
        if node_affinity_pre_score(pod) == "Skip":
            return None
        raw = [node_affinity_score(pod, n.labels, n.name) for n in nodes]
        return raw, node_affinity_normalize(raw)
    if plugin == "PodTopologySpread":
        pts = pts_pre_score(pod, nodes, infos, default_selector)
        if pts is None:
            return None
        raw = [pts_score(pts, pod, n) for n in nodes]
        return raw, pts_normalize(pts, [n.name for n in nodes], raw)
    if plugin == "InterPodAffinity":
        ipa = ipa_pre_score(pod, infos, hard_pod_affinity_weight)
        if ipa is None:
            return None
        raw = [ipa_score(ipa, n) for n in nodes]
        return raw, ipa_normalize(raw)
    raise ValueError(f"no placement Score plugin named {plugin!r}")


def plugin_scores(sched, pod: Pod, infos, candidates: list[int]) -> list[PluginScores]:
    """PreScore, Score and NormalizeScore of every Score plugin over the candidates."""
    p = sched.profile
    weights = p.weights()
    nodes = [infos[i] for i in candidates]
    out = []
    for plugin in SCORE_PLUGINS:
        scored = None
        if plugin == "NodeResourcesFit":
            raw = [
                node_resources_fit_score(
                    pod.scoring_requests(),
                    sched.non_zero[i],
                    sched.nodes[i].allocatable,
                    strategy=p.strategy,
                    resources=p.resources,
                    shape=p.shape,
                )
                for i in candidates
            ]
            scored = raw, list(raw)
        elif plugin == "NodeResourcesBalancedAllocation":
            if (
                p.balanced_allocation
                and balanced_allocation_pre_score(pod.requests(), p.balanced_resources) != "Skip"
            ):
                raw = [
                    balanced_allocation_score(
                        pod.requests(),
                        sched.requested[i],
                        sched.nodes[i].allocatable,
                        resources=p.balanced_resources,
                        version=p.balanced_allocation,
                    )
                    for i in candidates
                ]
                scored = raw, list(raw)
        else:
            scored = placement_score(plugin, pod, nodes, infos, sched.selector_of(pod))
        if scored is None or weights[plugin] == 0:
            out.append(PluginScores(plugin, weights[plugin], "Skip"))
        else:
            out.append(PluginScores(plugin, weights[plugin], "Success", *scored))
    return out


def node_verdicts(sched, pod: Pod, nodes: list[int] | None = None, infos=None) -> list[NodeVerdict]:
    """PreFilter over the cluster, then Filter on `nodes` (indices; default all). `infos`:
    every node's NodeInfo, when the caller has built them already."""
    if infos is None:
        infos = [sched.node_info(i) for i in range(len(sched.nodes))]
    request = pod.requests()
    checks = placement_filters(pod, infos, sched.selector_of(pod))
    return [
        _filter(sched, pod, i, infos[i], request, checks)
        for i in (range(len(infos)) if nodes is None else nodes)
    ]


def run_cycle(sched, pod: Pod) -> Cycle:
    """One cycle on a PlainScheduler's state: advances its search start and consumes its
    random generator exactly as placing the pod would, but binds nothing."""
    infos = [sched.node_info(i) for i in range(len(sched.nodes))]
    verdicts = node_verdicts(sched, pod, infos=infos)
    cycle = Cycle(pod.name, verdicts, sched.next_start, sched.want)
    feasible = np.array([v.feasible for v in verdicts], dtype=bool)
    cycle.candidates = [int(i) for i in sched._candidates(feasible)]
    if not cycle.candidates:
        cycle.message = fit_error_message(
            len(infos),
            [r for v in verdicts for r in v.reasons],
            [PREEMPTION_NOT_HELPFUL if v.unresolvable else NO_PREEMPTION_VICTIMS for v in verdicts],
        )
        return cycle
    if len(cycle.candidates) == 1:
        cycle.chosen = cycle.candidates[0]
        cycle.tied = [cycle.chosen]
        return cycle
    cycle.scores = plugin_scores(sched, pod, infos, cycle.candidates)
    totals = np.zeros(len(cycle.candidates), dtype=np.int64)
    for s in cycle.scores:
        if s.status != "Skip":
            totals += s.weight * np.array(s.normalized, dtype=np.int64)
    cycle.totals = [int(t) for t in totals]
    top = int(totals.max())
    cycle.tied = [c for c, t in zip(cycle.candidates, cycle.totals, strict=True) if t == top]
    cycle.chosen = cycle.candidates[sched._top(totals)]
    return cycle
