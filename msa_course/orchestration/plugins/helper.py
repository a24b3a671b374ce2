"""What several plugins share: the node as plugins see it, and DefaultNormalizeScore."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from msa_course.orchestration.placement import LABEL_HOSTNAME, Taint

MAX_NODE_SCORE = 100  # fwk.MaxNodeScore


@dataclass
class NodeInfo:
    """A node with the pods bound to it: framework.NodeInfo, reduced to what the plugins read.

    `pods` are objects.Pod (labels, namespace, affinity); `taints` are all of spec.taints,
    the controllers' included (objects.Node.effective_taints).
    """

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    pods: Sequence = ()
    unschedulable: bool = False


def default_normalize_score(scores: Sequence[int], reverse: bool) -> list[int]:
    """helper.DefaultNormalizeScore: scale to 0..100 by the largest score (Go's integer
    division); `reverse` turns it round (100 - that). All zero: 0, or 100 when reversed."""
    top = max(scores, default=0)
    if top <= 0:
        return [MAX_NODE_SCORE if reverse else s for s in scores]
    out = []
    for s in scores:
        scaled = MAX_NODE_SCORE * s // top
        out.append(MAX_NODE_SCORE - scaled if reverse else scaled)
    return out


def node_labels(labels: Mapping[str, str], name: str) -> dict[str, str]:
    """A node's labels with `kubernetes.io/hostname`, which the kubelet sets to the node name
    when it registers the node."""
    return {LABEL_HOSTNAME: name, **labels}
