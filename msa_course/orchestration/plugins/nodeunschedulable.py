"""NodeUnschedulable: a cordoned node takes no new pods, unless they tolerate the cordon's taint.

pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go `Filter` (v1.35).
"""

from __future__ import annotations

from collections.abc import Iterable

from msa_course.orchestration.placement import Taint, Toleration

ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"
# The taint a pod must tolerate to pass a cordoned node (v1.Taint{Key: TaintNodeUnschedulable}).
CORDON_TAINT = Taint("node.kubernetes.io/unschedulable", "", "NoSchedule")


def node_unschedulable_filter(unschedulable: bool, tolerations: Iterable[Toleration]) -> str | None:
    """The Filter's failure reason for a node with `spec.unschedulable`, or None if it passes."""
    if unschedulable and not any(t.tolerates(CORDON_TAINT) for t in tolerations):
        return ERR_REASON_UNSCHEDULABLE
    return None
