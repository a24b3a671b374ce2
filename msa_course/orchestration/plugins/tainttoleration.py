"""TaintToleration: keep pods off nodes whose taints they do not tolerate, prefer fewer taints.

pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go (v1.35): Filter looks at
NoSchedule and NoExecute taints; Score counts the PreferNoSchedule taints the pod does not
tolerate (with its tolerations whose effect is empty or PreferNoSchedule), and NormalizeScore
reverses it so the node with the fewest scores 100. Default weight 3.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from msa_course.orchestration.placement import Taint, Toleration, untolerated_taint
from msa_course.orchestration.plugins.helper import default_normalize_score

# Since v1.35 (kubernetes/kubernetes#134740) the reason no longer names the taint: taint keys
# and values may be sensitive. Before: "node(s) had untolerated taint {key: value}".
ERR_REASON_UNTOLERATED = "node(s) had untolerated taint(s)"


def taint_toleration_filter(
    taints: Iterable[Taint], tolerations: Iterable[Toleration]
) -> str | None:
    """The Filter's failure reason, or None when every NoSchedule/NoExecute taint is tolerated."""
    if untolerated_taint(tuple(taints), tuple(tolerations)) is not None:
        return ERR_REASON_UNTOLERATED
    return None


def taint_toleration_score(taints: Iterable[Taint], tolerations: Iterable[Toleration]) -> int:
    """Score before normalisation: the PreferNoSchedule taints the pod does not tolerate."""
    prefer = [t for t in tolerations if t.effect in ("", "PreferNoSchedule")]
    return sum(
        1
        for taint in taints
        if taint.effect == "PreferNoSchedule" and not any(t.tolerates(taint) for t in prefer)
    )


def taint_toleration_normalize(scores: Sequence[int]) -> list[int]:
    """NormalizeScore: DefaultNormalizeScore reversed (fewest intolerable taints: 100)."""
    return default_normalize_score(scores, reverse=True)
