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
    fit_error_message,
)

# Filter reasons whose status is UnschedulableAndUnresolvable (preemption cannot help).
_UNRESOLVABLE = {
    "NodeUnschedulable": True,
    "TaintToleration": True,
    "NodeAffinity": True,
    "PodTopologySpread": False,  # except a missing topology label, below
    "InterPodAffinity": False,  # except pod affinity, below
}
_UNRESOLVABLE_REASONS = (ERR_REASON_NODE_LABEL_NOT_MATCH, ERR_REASON_AFFINITY)


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


def _filter(sched, pod: Pod, i: int, node, request, pts_state, ipa_state) -> NodeVerdict:
    """The Filter plugins for one node, in order, stopping at the first failure."""
    verdict = NodeVerdict(node.name, [])
    checks = {
        "NodeUnschedulable": lambda: node_unschedulable_filter(node.unschedulable, pod.tolerations),
        "TaintToleration": lambda: taint_toleration_filter(node.taints, pod.tolerations),
        "NodeAffinity": lambda: node_affinity_filter(pod, node.labels, node.name),
        "PodTopologySpread": lambda: pts_filter(pts_state, pod, node),
        "InterPodAffinity": lambda: ipa_filter(ipa_state, node),
    }
    skipped = {
        "NodeAffinity": node_affinity_pre_filter(pod) == "Skip",
        "PodTopologySpread": pts_state is None,
        "InterPodAffinity": ipa_state is None,
    }
    for plugin in FILTER_PLUGINS:
        if skipped.get(plugin):
            verdict.filters.append((plugin, "Skip"))
            continue
        if plugin == "NodeResourcesFit":
            fit = fits_request(
                request, sched.requested[i], sched.pod_count[i], sched.nodes[i].allocatable
            )
            reasons = fit.reasons
            unresolvable = any(x.unresolvable for x in fit.insufficient)
        else:
            reason = checks[plugin]()
            reasons = () if reason is None else (reason,)
            unresolvable = _UNRESOLVABLE[plugin] or reason in _UNRESOLVABLE_REASONS
        verdict.filters.append((plugin, ", ".join(reasons) or None))
        if reasons:
            verdict.reasons, verdict.unresolvable = reasons, unresolvable
            break
    return verdict


def plugin_scores(sched, pod: Pod, infos, candidates: list[int]) -> list[PluginScores]:
    """PreScore, Score and NormalizeScore of every Score plugin over the candidates."""
    p = sched.profile
    weights = p.weights()
    nodes = [infos[i] for i in candidates]
    names = [n.name for n in nodes]
    out = []

    def add(plugin, raw, normalize=None, status="Success"):
        if status == "Skip" or weights[plugin] == 0:
            out.append(PluginScores(plugin, weights[plugin], "Skip"))
            return
        normalized = normalize(raw) if normalize else list(raw)
        out.append(PluginScores(plugin, weights[plugin], status, list(raw), normalized))

    add(
        "TaintToleration",
        [taint_toleration_score(n.taints, pod.tolerations) for n in nodes],
        taint_toleration_normalize,
    )
    status = node_affinity_pre_score(pod)
    add(
        "NodeAffinity",
        [node_affinity_score(pod, n.labels, n.name) for n in nodes] if status != "Skip" else [],
        node_affinity_normalize,
        status,
    )
    add(
        "NodeResourcesFit",
        [
            node_resources_fit_score(
                pod.scoring_requests(),
                sched.non_zero[i],
                sched.nodes[i].allocatable,
                strategy=p.strategy,
                resources=p.resources,
                shape=p.shape,
            )
            for i in candidates
        ],
    )
    pts = pts_pre_score(pod, nodes, infos, sched.selector_of(pod))
    add(
        "PodTopologySpread",
        [pts_score(pts, pod, n) for n in nodes] if pts else [],
        lambda raw: pts_normalize(pts, names, raw),
        "Skip" if pts is None else "Success",
    )
    ipa = ipa_pre_score(pod, infos)
    add(
        "InterPodAffinity",
        [ipa_score(ipa, n) for n in nodes] if ipa else [],
        ipa_normalize,
        "Skip" if ipa is None else "Success",
    )
    balanced = "Skip"
    if p.balanced_allocation:
        balanced = balanced_allocation_pre_score(pod.requests(), p.balanced_resources)
    add(
        "NodeResourcesBalancedAllocation",
        [
            balanced_allocation_score(
                pod.requests(),
                sched.requested[i],
                sched.nodes[i].allocatable,
                resources=p.balanced_resources,
                version=p.balanced_allocation,
            )
            for i in candidates
        ]
        if balanced != "Skip"
        else [],
        status=balanced,
    )
    return out


def node_verdicts(sched, pod: Pod, nodes: list[int] | None = None) -> list[NodeVerdict]:
    """PreFilter over the cluster, then Filter on `nodes` (indices; default all)."""
    infos = [sched.node_info(i) for i in range(len(sched.nodes))]
    request = pod.requests()
    pts_state = pts_pre_filter(pod, infos, sched.selector_of(pod))
    ipa_state = ipa_pre_filter(pod, infos)
    return [
        _filter(sched, pod, i, infos[i], request, pts_state, ipa_state)
        for i in (range(len(infos)) if nodes is None else nodes)
    ]


def run_cycle(sched, pod: Pod) -> Cycle:
    """One cycle on a PlainScheduler's state: advances its search start and consumes its
    random generator exactly as placing the pod would, but binds nothing."""
    infos = [sched.node_info(i) for i in range(len(sched.nodes))]
    verdicts = node_verdicts(sched, pod)
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
