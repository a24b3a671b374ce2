"""NodeAffinity: `nodeSelector` and `affinity.nodeAffinity`, required and preferred.

pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go (v1.35), with the matching of
k8s.io/component-helpers/scheduling/corev1/nodeaffinity: Filter needs the node to match every
`nodeSelector` label and at least one required term (terms are ORed, expressions in a term
ANDed; an empty or unparseable term matches nothing). Score is the sum of the weights of the
preferred terms the node matches; NormalizeScore scales it so the best node has 100. Default
weight 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from msa_course.orchestration.plugins.helper import default_normalize_score

ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"


def _node_affinity(pod):
    return pod.affinity.node_affinity if pod.affinity is not None else None


def required_node_affinity_matches(pod, labels: Mapping[str, str], node_name: str) -> bool:
    """RequiredNodeAffinity.Match: the pod's nodeSelector and required terms (no parse errors
    are raised: a term upstream cannot parse simply matches no node)."""
    if any(labels.get(k) != v for k, v in pod.node_selector.items()):
        return False
    affinity = _node_affinity(pod)
    if affinity is None or affinity.required is None:
        return True
    return any(term.matches(labels, node_name) for term in affinity.required)


def node_affinity_pre_filter(pod) -> str:
    """PreFilter: "Skip" when the pod has no nodeSelector and no required node affinity."""
    affinity = _node_affinity(pod)
    if not pod.node_selector and (affinity is None or affinity.required is None):
        return "Skip"
    return "Success"


def node_affinity_filter(pod, labels: Mapping[str, str], node_name: str) -> str | None:
    """The Filter's failure reason, or None when the node matches."""
    return None if required_node_affinity_matches(pod, labels, node_name) else ERR_REASON_POD


def node_affinity_pre_score(pod) -> str:
    """PreScore: "Skip" without preferred terms; a term upstream cannot parse is an error
    (ValueError naming it), as it is upstream's PreScore status."""
    affinity = _node_affinity(pod)
    if affinity is None or not affinity.preferred:
        return "Skip"
    for i, term in enumerate(affinity.preferred):
        problem = term.preference.problem
        if problem and not term.preference.empty:
            raise ValueError(f"[{i}].{problem}")
    return "Success"


def node_affinity_score(pod, labels: Mapping[str, str], node_name: str) -> int:
    """Score before normalisation: the weights of the preferred terms the node matches."""
    affinity = _node_affinity(pod)
    if affinity is None:
        return 0
    return sum(t.weight for t in affinity.preferred if t.preference.matches(labels, node_name))


def node_affinity_normalize(scores: Sequence[int]) -> list[int]:
    """NormalizeScore: DefaultNormalizeScore (the best-matching node gets 100)."""
    return default_normalize_score(scores, reverse=False)
