"""The non-resource plugins over all nodes at once, for the fast Scheduler.

NodeUnschedulable, TaintToleration, NodeAffinity and PodTopologySpread give the same verdicts
and scores as their plugin functions (plugins/), computed as numpy arrays over nodes: masks
per distinct toleration list and node-affinity rule are cached until a node changes, and
each label selector a spread constraint uses keeps a count of matching pods per node,
updated on every bind. InterPodAffinity, rarely used and costly to vectorise, runs its plugin
functions on node snapshots, and only when a pod or a bound pod has pod-affinity terms.
"""

from __future__ import annotations

import math

import numpy as np

from msa_course.orchestration.objects import Pod
from msa_course.orchestration.placement import (
    LABEL_HOSTNAME,
    selector_matches,
    untolerated_taint,
)
from msa_course.orchestration.plugins import (
    CORDON_TAINT,
    ERR_REASON_AFFINITY,
    ERR_REASON_CONSTRAINTS_NOT_MATCH,
    ERR_REASON_NODE_LABEL_NOT_MATCH,
    ERR_REASON_POD,
    ERR_REASON_UNSCHEDULABLE,
    ERR_REASON_UNTOLERATED,
    MAX_NODE_SCORE,
    count_matching,
    counts_toward,
    ipa_filter,
    ipa_normalize,
    ipa_pre_filter,
    ipa_pre_score,
    ipa_score,
    node_affinity_pre_score,
    node_affinity_score,
    pod_constraints,
    required_node_affinity_matches,
    taint_toleration_score,
)


def _has_pod_affinity(pod: Pod) -> bool:
    a = pod.affinity
    return a is not None and (a.pod_affinity is not None or a.pod_anti_affinity is not None)


def _required_pod_terms(pod: Pod) -> bool:
    a = pod.affinity
    return a is not None and any(
        g is not None and g.required for g in (a.pod_affinity, a.pod_anti_affinity)
    )


def _preferred_pod_terms(pod: Pod) -> bool:
    a = pod.affinity
    return a is not None and any(
        g is not None and g.preferred for g in (a.pod_affinity, a.pod_anti_affinity)
    )


class ConstraintIndex:
    """Per-node state and caches for the non-resource plugins of one Scheduler."""

    def __init__(self, sched):
        self.sched = sched
        self.n = len(sched.nodes)
        self.labels = [sched.node_info(i).labels for i in range(self.n)]
        self._domains: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
        self._selector_counts: dict[tuple, np.ndarray] = {}
        self._tolerations: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._affinity: dict[tuple, np.ndarray] = {}
        self._preferred: dict[tuple, np.ndarray] = {}
        self._constraints: dict[tuple, tuple[list, list]] = {}
        self.affinity_pods = 0  # bound pods with pod (anti-)affinity terms

    # --- node state ------------------------------------------------------------------------

    def node_changed(self) -> None:
        """A node's conditions or taints changed: drop what they decided."""
        self._tolerations.clear()

    def domains(self, key: str) -> tuple[np.ndarray, np.ndarray, int]:
        """(has the label, value index (0 where absent), number of values) for a topology key."""
        if key not in self._domains:
            values: dict[str, int] = {}
            index = np.zeros(self.n, dtype=np.int64)
            has = np.zeros(self.n, dtype=bool)
            for i, labels in enumerate(self.labels):
                if key in labels:
                    has[i] = True
                    index[i] = values.setdefault(labels[key], len(values))
            self._domains[key] = (has, index, len(values))
        return self._domains[key]

    def account(self, i: int, pod: Pod, sign: int, spreading_only: bool = False) -> None:
        """A pod was bound to (+1) or removed from (-1) node i; `spreading_only`: it began
        terminating, which takes it out of the spread counts only."""
        for (namespace, selector), counts in self._selector_counts.items():
            if counts_toward(pod, selector, namespace):
                counts[i] += sign
        if _has_pod_affinity(pod) and not spreading_only:
            self.affinity_pods += sign

    def _counts(self, namespace: str, selector) -> np.ndarray:
        """Matching bound pods per node for a spread selector, tracked from now on."""
        key = (namespace, selector)
        if key not in self._selector_counts:
            counts = np.zeros(self.n, dtype=np.int64)
            for i, pods in enumerate(self.sched._pods):
                counts[i] = count_matching(pods, selector, namespace)
            self._selector_counts[key] = counts
        return self._selector_counts[key]

    # --- per pod ---------------------------------------------------------------------------

    def _toleration_masks(self, pod: Pod):
        """(passes NodeUnschedulable, passes TaintToleration, intolerable PreferNoSchedule
        count) per node for the pod's tolerations."""
        key = pod.tolerations
        if key not in self._tolerations:
            nodes = self.sched.nodes
            cordon_ok = any(t.tolerates(CORDON_TAINT) for t in key)
            unsched = np.array([cordon_ok or not n.unschedulable for n in nodes], dtype=bool)
            taints = [n.effective_taints() for n in nodes]
            taint_ok = np.array([untolerated_taint(t, key) is None for t in taints], dtype=bool)
            prefer = np.array([taint_toleration_score(t, key) for t in taints], dtype=np.int64)
            self._tolerations[key] = (unsched, taint_ok, prefer)
        return self._tolerations[key]

    def _affinity_mask(self, pod: Pod) -> np.ndarray | None:
        """Nodes matching the pod's nodeSelector and required node affinity (None: no rule)."""
        a = pod.affinity.node_affinity if pod.affinity else None
        required = a.required if a else None
        if not pod.node_selector and required is None:
            return None
        key = (tuple(sorted(pod.node_selector.items())), required)
        if key not in self._affinity:
            names = [n.name for n in self.sched.nodes]
            self._affinity[key] = np.array(
                [
                    required_node_affinity_matches(pod, lab, nm)
                    for lab, nm in zip(self.labels, names, strict=True)
                ],
                dtype=bool,
            )
        return self._affinity[key]

    def _spread(self, pod: Pod) -> tuple[list, list]:
        """The pod's (DoNotSchedule, ScheduleAnyway) spread constraints, resolved."""
        default = self.sched.selector_of(pod) if not pod.topology_spread_constraints else None
        key = (
            pod.namespace,
            tuple(sorted(pod.labels.items())),
            pod.topology_spread_constraints,
            default,
        )
        if key not in self._constraints:
            self._constraints[key] = (
                pod_constraints(pod, "DoNotSchedule", default),
                pod_constraints(pod, "ScheduleAnyway", default),
            )
        return self._constraints[key]

    def _included(self, c, has_all, affinity, taint_ok) -> np.ndarray:
        """Nodes that count for constraint c: all topology keys, then the inclusion policies."""
        mask = has_all
        if c.node_affinity_policy == "Honor" and affinity is not None:
            mask = mask & affinity
        if c.node_taints_policy == "Honor":
            mask = mask & taint_ok
        return mask

    def signature(self, pod: Pod) -> tuple:
        """What the non-resource plugins read of a pod: pods alike get the same verdicts."""
        return (
            pod.namespace,
            tuple(sorted(pod.labels.items())),
            pod.tolerations,
            tuple(sorted(pod.node_selector.items())),
            pod.affinity,
            pod.topology_spread_constraints,
            self.sched.selector_of(pod),
        )

    def filter(self, pod: Pod, resources_ok: np.ndarray) -> np.ndarray:
        """The nodes that pass every Filter plugin."""
        unsched, taint_ok, _ = self._toleration_masks(pod)
        feasible = resources_ok & unsched & taint_ok
        affinity = self._affinity_mask(pod)
        if affinity is not None:
            feasible &= affinity
        hard, _soft = self._spread(pod)
        if hard and feasible.any():
            feasible &= self._spread_filter(pod, hard, affinity, taint_ok)[0]
        if (_required_pod_terms(pod) or self.affinity_pods) and feasible.any():
            feasible &= self._ipa_filter(pod)[0]
        return feasible

    def rejections(self, pod: Pod, resources_ok: np.ndarray) -> list[tuple]:
        """Per Filter plugin in order: (plugin, nodes it rejected that passed every earlier
        plugin, the reason (one string, or an array of them per node), unresolvable (bool, or
        the set of reasons that are)); for NodeResourcesFit the caller finds the reasons."""
        unsched, taint_ok, _ = self._toleration_masks(pod)
        affinity = self._affinity_mask(pod)
        steps = [
            ("NodeUnschedulable", unsched, ERR_REASON_UNSCHEDULABLE, True),
            ("TaintToleration", taint_ok, ERR_REASON_UNTOLERATED, True),
        ]
        if affinity is not None:
            steps.append(("NodeAffinity", affinity, ERR_REASON_POD, True))
        steps.append(("NodeResourcesFit", resources_ok, None, None))
        hard, _soft = self._spread(pod)
        if hard:
            ok, why = self._spread_filter(pod, hard, affinity, taint_ok)
            steps.append(("PodTopologySpread", ok, why, {ERR_REASON_NODE_LABEL_NOT_MATCH}))
        if _required_pod_terms(pod) or self.affinity_pods:
            ok, why = self._ipa_filter(pod)
            steps.append(("InterPodAffinity", ok, why, {ERR_REASON_AFFINITY}))
        alive = np.ones(self.n, dtype=bool)
        out = []
        for plugin, ok, why, unresolvable in steps:
            out.append((plugin, alive & ~ok, why, unresolvable))
            alive &= ok
        return out

    def spread_verdicts(self, pod: Pod) -> np.ndarray:
        """PodTopologySpread's Filter alone on every node: its reason, None where it passes."""
        hard, _soft = self._spread(pod)
        if not hard:
            return np.full(self.n, None, dtype=object)
        _, taint_ok, _ = self._toleration_masks(pod)
        return self._spread_filter(pod, hard, self._affinity_mask(pod), taint_ok)[1]

    def spread_scores(self, pod: Pod, candidates: np.ndarray) -> np.ndarray | None:
        """PodTopologySpread's normalised scores on the candidates (None: PreScore skips)."""
        _hard, soft = self._spread(pod)
        return self._spread_scores(pod, soft, candidates) if soft else None

    def _spread_filter(self, pod, constraints, affinity, taint_ok):
        has_all = np.ones(self.n, dtype=bool)
        for c in constraints:
            has_all &= self.domains(c.topology_key)[0]
        ok = np.ones(self.n, dtype=bool)
        reasons = np.full(self.n, None, dtype=object)
        for c in constraints:
            has, index, size = self.domains(c.topology_key)
            include = self._included(c, has_all, affinity, taint_ok)
            counts = self._counts(pod.namespace, c.selector)
            per_domain = np.bincount(
                index[include], weights=counts[include], minlength=max(size, 1)
            )
            present = np.bincount(index[include], minlength=max(size, 1)) > 0
            if present.sum() < c.min_domains or not present.any():
                low = 0
            else:
                low = int(per_domain[present].min())
            self_match = 1 if selector_matches(c.selector, pod.labels) else 0
            skew_ok = per_domain[index] + self_match - low <= c.max_skew
            reasons[ok & ~has] = ERR_REASON_NODE_LABEL_NOT_MATCH
            reasons[ok & has & ~skew_ok] = ERR_REASON_CONSTRAINTS_NOT_MATCH
            ok &= has & skew_ok
        return ok, reasons

    def _ipa_filter(self, pod):
        infos = [self.sched.node_info(i) for i in range(self.n)]
        state = ipa_pre_filter(pod, infos)
        reasons = np.array([ipa_filter(state, info) for info in infos], dtype=object)
        return reasons == None, reasons  # noqa: E711 (elementwise)

    def scores(self, pod: Pod, candidates: np.ndarray) -> np.ndarray:
        """The weighted scores of the non-resource plugins on the candidates, leaving out
        what is the same on every candidate (it cannot change the choice)."""
        weights = self.sched.profile.weights()
        total = np.zeros(len(candidates), dtype=np.int64)
        _, _, prefer = self._toleration_masks(pod)
        raw = prefer[candidates]
        top = int(raw.max())
        if top > 0 and weights["TaintToleration"]:
            total += weights["TaintToleration"] * (MAX_NODE_SCORE - MAX_NODE_SCORE * raw // top)
        a = pod.affinity.node_affinity if pod.affinity else None
        if a is not None and a.preferred and weights["NodeAffinity"]:
            node_affinity_pre_score(pod)  # raises for a term upstream cannot parse
            raw = self._preferred_scores(pod, a)[candidates]
            top = int(raw.max())
            if top > 0:
                total += weights["NodeAffinity"] * (MAX_NODE_SCORE * raw // top)
        _hard, soft = self._spread(pod)
        if soft and weights["PodTopologySpread"]:
            total += weights["PodTopologySpread"] * self._spread_scores(pod, soft, candidates)
        if (_preferred_pod_terms(pod) or self.affinity_pods) and weights["InterPodAffinity"]:
            infos = [self.sched.node_info(i) for i in range(self.n)]
            state = ipa_pre_score(pod, infos)
            if state is not None:
                raw = [ipa_score(state, infos[int(i)]) for i in candidates]
                total += weights["InterPodAffinity"] * np.array(ipa_normalize(raw), dtype=np.int64)
        return total

    def _preferred_scores(self, pod, a) -> np.ndarray:
        if a.preferred not in self._preferred:
            names = [n.name for n in self.sched.nodes]
            self._preferred[a.preferred] = np.array(
                [
                    node_affinity_score(pod, lab, nm)
                    for lab, nm in zip(self.labels, names, strict=True)
                ],
                dtype=np.int64,
            )
        return self._preferred[a.preferred]

    def _spread_scores(self, pod, constraints, candidates: np.ndarray) -> np.ndarray:
        """PodTopologySpread's PreScore, Score and NormalizeScore over the candidates."""
        require_all = bool(pod.topology_spread_constraints)
        has_all = np.ones(self.n, dtype=bool)
        for c in constraints:
            has_all &= self.domains(c.topology_key)[0]
        ignored = ~has_all[candidates] if require_all else np.zeros(len(candidates), dtype=bool)
        kept = candidates[~ignored]
        _, taint_ok, _ = self._toleration_masks(pod)
        affinity = self._affinity_mask(pod)
        score = np.zeros(len(candidates))
        for c in constraints:
            has, index, size = self.domains(c.topology_key)
            counts = self._counts(pod.namespace, c.selector)
            if c.topology_key == LABEL_HOSTNAME:
                weight = math.log(len(kept) + 2)
                count = counts[candidates]
            else:
                domain = np.where(has, index, size)  # a missing label is the "" domain
                in_play = np.zeros(size + 1, dtype=bool)
                in_play[domain[kept]] = True
                weight = math.log(int(in_play.sum()) + 2)
                include = self._included(
                    c, has_all if require_all else np.ones(self.n, bool), affinity, taint_ok
                )
                per_domain = np.bincount(
                    domain[include], weights=counts[include], minlength=size + 1
                )
                count = per_domain[domain[candidates]]
            score = score + np.where(has[candidates], count * weight + (c.max_skew - 1), 0.0)
        raw = np.floor(score + 0.5).astype(np.int64)  # math.Round
        raw[ignored] = 0
        if not len(kept):
            return np.zeros(len(candidates), dtype=np.int64)
        low, high = int(raw[~ignored].min()), int(raw[~ignored].max())
        if high == 0:
            out = np.full(len(candidates), MAX_NODE_SCORE, dtype=np.int64)
        else:
            out = MAX_NODE_SCORE * (high + low - raw) // high
        out[ignored] = 0
        return out
