"""What both schedulers share: node order, the rotating search, selectHost and binding.

schedule_one.go's loop around the plugins: filtering starts where the previous pod's search
stopped and stops after `num_feasible_nodes_to_find` feasible nodes; ties at the top score are
broken by a uniform draw from a seeded generator; `bind`/`unbind` account a pod on a node.
Subclasses supply Filter and Score (`schedule_one`) and the per-node bookkeeping (`_account`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from msa_course.orchestration.objects import Node, Pod
from msa_course.orchestration.placement import LabelSelector, Taint
from msa_course.orchestration.plugins import NodeInfo, node_labels
from msa_course.orchestration.scheduler.profile import (
    Decision,
    Profile,
    num_feasible_nodes_to_find,
)

# A pod -> the selector of the Service, ReplicaSet, StatefulSet or ReplicationController it
# belongs to (helper.DefaultSelector), for the system default topology spreading; None: none.
DefaultSelector = Callable[[Pod], LabelSelector | None]


class SchedulerBase:
    """What both schedulers share: node order, the rotating start index, the seeded draw.

    `default_selector` tells the scheduler which pods belong to a controller (and with what
    selector); pods it maps to None, as bare pods, get no default spreading.
    """

    def __init__(
        self,
        nodes: Sequence[Node],
        profile: Profile | None = None,
        seed: int | None = 0,
        default_selector: DefaultSelector | None = None,
    ):
        names = [n.name for n in nodes]
        if len(set(names)) != len(names):
            raise ValueError(f"node names must be unique, got {names}")
        self.nodes = list(nodes)
        self.profile = profile or Profile()
        self.index = {name: i for i, name in enumerate(names)}
        self.rng = np.random.default_rng(seed)
        self.next_start = 0
        self.want = num_feasible_nodes_to_find(
            len(names), self.profile.percentage_of_nodes_to_score
        )
        self.default_selector = default_selector
        self.bound: dict[str, tuple[str, Pod]] = {}  # pod key -> (node name, pod)
        self._pods: list[list[Pod]] = [[] for _ in self.nodes]
        self._start()

    def _start(self) -> None:
        """Set up the scheduler's own per-node bookkeeping (what `_account` updates)."""
        raise NotImplementedError

    def _node_index(self, node_name: str) -> int:
        if node_name not in self.index:
            raise ValueError(f"no node named {node_name!r}; nodes are {list(self.index)}")
        return self.index[node_name]

    def selector_of(self, pod: Pod) -> LabelSelector | None:
        """The owner's selector for the system default spreading (None: a bare pod)."""
        return self.default_selector(pod) if self.default_selector else None

    def node_info(self, i: int) -> NodeInfo:
        """Node i as the plugins see it: labels (with the hostname), taints, bound pods."""
        node = self.nodes[i]
        return NodeInfo(
            node.name,
            node_labels(node.labels, node.name),
            node.effective_taints(),
            self._pods[i],
            node.unschedulable,
        )

    def _candidates(self, feasible: np.ndarray) -> np.ndarray:
        """Feasible node indices the search reaches, in search order; advances the start."""
        n, start, want = len(self.nodes), self.next_start, self.want
        found = np.flatnonzero(feasible)
        split = int(found.searchsorted(start))
        if want < n and len(found) - split >= want:
            ordered = found[split : split + want]  # the search stops before wrapping around
        else:
            ordered = np.concatenate((found[split:], found[:split]))
            if want < n and len(ordered) >= want:
                ordered = ordered[:want]
            else:
                self.next_start = start  # it went all the way round
                return ordered
        self.next_start = (start + (int(ordered[-1]) - start) % n + 1) % n
        return ordered

    def _top(self, totals: np.ndarray) -> int:
        """Position of the top score in `totals`; among ties a uniform draw (selectHost)."""
        top = (totals == totals[totals.argmax()]).nonzero()[0]
        if len(top) == 1:
            return int(top[0])
        return int(top[self.rng.integers(len(top))])

    def schedule(self, pods: Iterable[Pod]) -> list[Decision]:
        """Schedule pods one at a time in order, as the scheduling queue would (FIFO at equal
        priority). Sets each pod's `node_name` (or leaves it None) and `message`."""
        return [self.schedule_one(pod) for pod in pods]

    def schedule_one(self, pod: Pod) -> Decision:
        """Filter, score and bind one pod; a pod that fits nowhere stays Pending."""
        raise NotImplementedError

    def _finish(self, pod: Pod, chosen: int | None, message: str, feasible: int) -> Decision:
        if chosen is None:
            pod.node_name, pod.message = None, message
            return Decision(pod.name, None, message, feasible)
        node = self.nodes[chosen].name
        self.bind(pod, node)
        pod.message = ""
        return Decision(pod.name, node, "", feasible)

    def bind(self, pod: Pod, node_name: str) -> None:
        """Account a pod as running on `node_name` (also for pods placed before the scheduler
        started, or by `spec.nodeName`). Sets `pod.node_name`."""
        key = f"{pod.namespace}/{pod.name}"
        if key in self.bound:
            raise ValueError(f"pod {key} is already bound to {self.bound[key][0]}")
        i = self._node_index(node_name)
        self._account(i, pod, +1)
        self.bound[key] = (node_name, pod)
        self._pods[i].append(pod)
        pod.node_name = node_name

    def unbind(self, pod: Pod) -> None:
        """Free what a deleted or evicted pod reserved on its node."""
        key = f"{pod.namespace}/{pod.name}"
        if key not in self.bound:
            raise ValueError(f"pod {key} is not bound to any node")
        node_name, bound_pod = self.bound.pop(key)
        i = self.index[node_name]
        self._pods[i].remove(bound_pod)
        self._account(i, bound_pod, -1)

    def mark_terminating(self, pod: Pod) -> None:
        """The pod's deletion began (metadata.deletionTimestamp is set): it stays bound and
        keeps its requests until `unbind`, but no longer counts for topology spreading."""
        key = f"{pod.namespace}/{pod.name}"
        if key not in self.bound:
            raise ValueError(f"pod {key} is not bound to any node")
        node_name, bound_pod = self.bound[key]
        if not bound_pod.terminating:
            self._terminating(self.index[node_name], bound_pod)
            bound_pod.terminating = True

    def _terminating(self, i: int, pod: Pod) -> None:
        """Hook for a scheduler that counts pods for spreading: `pod` on node i is leaving."""

    def pods_on(self, node_name: str) -> list[Pod]:
        """The pods bound to a node, in binding order."""
        return list(self._pods[self._node_index(node_name)])

    def _account(self, i: int, pod: Pod, sign: int) -> None:
        raise NotImplementedError

    def set_node(
        self,
        node_name: str,
        *,
        ready: bool | None = None,
        unschedulable: bool | None = None,
        reachable: bool | None = None,
        taints: Iterable[Taint] | None = None,
    ) -> None:
        """Change a node's Ready condition (`reachable=False`: Unknown), cordon it (kubectl
        cordon/uncordon) or replace the taints you set on it (kubectl taint)."""
        i = self._node_index(node_name)
        node = self.nodes[i]
        if ready is not None:
            node.ready = ready
        if reachable is not None:
            node.reachable = reachable
        if unschedulable is not None:
            node.unschedulable = unschedulable
        if taints is not None:
            node.spec_taints = tuple(taints)
        self._conditions_changed(i)

    def _conditions_changed(self, i: int) -> None:
        """Hook for a scheduler that caches what node i's conditions and taints decide."""
