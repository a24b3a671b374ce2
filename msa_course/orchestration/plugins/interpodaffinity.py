"""InterPodAffinity: place pods near (affinity) or away from (anti-affinity) other pods.

pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring}.go (v1.35). A term
matches pods by label selector and namespace and counts them per value of a node label (its
topologyKey: `kubernetes.io/hostname` means "the same node", a zone key "the same zone").

* Filter, in upstream's order: every required affinity term must find a matching pod in the
  node's domain (a pod that matches its own terms may start a group alone); no required
  anti-affinity term may find one; and no pod already running may have a required
  anti-affinity term matching this pod within its own domain (the symmetric check).
* Score adds the weights of preferred terms, minus those of preferred anti-affinity terms,
  both the pod's and (symmetrically) the running pods', plus HardPodAffinityWeight (1) for
  running pods whose required affinity matches this pod; NormalizeScore maps min..max to
  0..100. Default weight 2. Namespace selectors are not modelled: terms name namespaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from msa_course.orchestration.plugins.helper import MAX_NODE_SCORE, NodeInfo

ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
HARD_POD_AFFINITY_WEIGHT = 1  # InterPodAffinityArgs default


def _terms(pod, anti: bool, preferred: bool) -> tuple:
    affinity = pod.affinity
    group = None
    if affinity is not None:
        group = affinity.pod_anti_affinity if anti else affinity.pod_affinity
    if group is None:
        return ()
    return group.preferred if preferred else group.required


@dataclass
class PreFilterState:
    """Matching pod counts per (topology key, value): existing pods' anti-affinity against the
    incoming pod, and the incoming pod's affinity and anti-affinity against existing pods."""

    pod: object
    existing_anti: dict[tuple[str, str], int] = field(default_factory=dict)
    affinity: dict[tuple[str, str], int] = field(default_factory=dict)
    anti: dict[tuple[str, str], int] = field(default_factory=dict)


def _add(counts: dict, node: NodeInfo, key: str) -> None:
    if key in node.labels:
        pair = (key, node.labels[key])
        counts[pair] = counts.get(pair, 0) + 1


def _matches_all(terms, pod, owner_namespace: str) -> bool:
    return bool(terms) and all(t.matches(pod, owner_namespace) for t in terms)


def ipa_pre_filter(pod, nodes: Sequence[NodeInfo]) -> PreFilterState | None:
    """PreFilter; None means Skip (no required terms on either side)."""
    state = PreFilterState(pod)
    affinity_terms = _terms(pod, anti=False, preferred=False)
    anti_terms = _terms(pod, anti=True, preferred=False)
    incoming = bool(affinity_terms or anti_terms)
    for node in nodes:
        for existing in node.pods:
            if existing.affinity is None and not incoming:
                continue  # upstream lists only pods with required anti-affinity here
            for term in _terms(existing, anti=True, preferred=False):
                if term.matches(pod, existing.namespace):
                    _add(state.existing_anti, node, term.topology_key)
            if _matches_all(affinity_terms, existing, pod.namespace):
                for term in affinity_terms:
                    _add(state.affinity, node, term.topology_key)
            for term in anti_terms:
                if term.matches(existing, pod.namespace):
                    _add(state.anti, node, term.topology_key)
    if not state.existing_anti and not affinity_terms and not anti_terms:
        return None
    return state


def ipa_filter(state: PreFilterState | None, node: NodeInfo) -> str | None:
    """Filter: the first failing check's reason, or None."""
    if state is None:
        return None
    pod = state.pod
    affinity_terms = _terms(pod, anti=False, preferred=False)
    exist = True
    for term in affinity_terms:
        if term.topology_key not in node.labels:
            return ERR_REASON_AFFINITY  # all topology labels must exist on the node
        if state.affinity.get((term.topology_key, node.labels[term.topology_key]), 0) <= 0:
            exist = False
    if not exist and not (
        state.affinity == {} and _matches_all(affinity_terms, pod, pod.namespace)
    ):
        return ERR_REASON_AFFINITY
    if state.anti:
        for term in _terms(pod, anti=True, preferred=False):
            value = node.labels.get(term.topology_key)
            if value is not None and state.anti.get((term.topology_key, value), 0) > 0:
                return ERR_REASON_ANTI_AFFINITY
    if any(state.existing_anti.get(pair, 0) > 0 for pair in node.labels.items()):
        return ERR_REASON_EXISTING_ANTI_AFFINITY
    return None


def _process_term(scores: dict, term, weight: int, pod, owner_ns: str, node: NodeInfo) -> None:
    if term.matches(pod, owner_ns) and term.topology_key in node.labels:
        key = term.topology_key
        per_key = scores.setdefault(key, {})
        per_key[node.labels[key]] = per_key.get(node.labels[key], 0) + weight


def ipa_pre_score(
    pod, all_nodes: Sequence[NodeInfo], hard_pod_affinity_weight: int = HARD_POD_AFFINITY_WEIGHT
) -> dict[str, dict[str, int]] | None:
    """PreScore: summed weights per topology key and value; None means Skip (nothing to add)."""
    scores: dict[str, dict[str, int]] = {}
    preferred = bool(_terms(pod, False, True) or _terms(pod, True, True))
    for node in all_nodes:
        if not node.labels:
            continue
        for existing in node.pods:
            if existing.affinity is None and not preferred:
                continue  # without preferred terms upstream visits only pods with affinity
            for w in _terms(pod, anti=False, preferred=True):
                _process_term(scores, w.term, w.weight, existing, pod.namespace, node)
            for w in _terms(pod, anti=True, preferred=True):
                _process_term(scores, w.term, -w.weight, existing, pod.namespace, node)
            if hard_pod_affinity_weight > 0:
                for term in _terms(existing, anti=False, preferred=False):
                    _process_term(
                        scores, term, hard_pod_affinity_weight, pod, existing.namespace, node
                    )
            for w in _terms(existing, anti=False, preferred=True):
                _process_term(scores, w.term, w.weight, pod, existing.namespace, node)
            for w in _terms(existing, anti=True, preferred=True):
                _process_term(scores, w.term, -w.weight, pod, existing.namespace, node)
    return scores or None


def ipa_score(state: dict[str, dict[str, int]], node: NodeInfo) -> int:
    """Score before normalisation: positive for affinity, negative for anti-affinity."""
    return sum(
        values.get(node.labels[key], 0) for key, values in state.items() if key in node.labels
    )


def ipa_normalize(scores: Sequence[int]) -> list[int]:
    """NormalizeScore: int64(100 * (score - min) / (max - min)) in float64; all equal: 0."""
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high - low <= 0:
        return [0] * len(scores)
    return [int(MAX_NODE_SCORE * ((s - low) / (high - low))) for s in scores]
