"""The node-lifecycle controller and taint-based eviction (pkg/controller/nodelifecycle/,
pkg/controller/tainteviction/; docs/k8s_formulas.md §7).

The kubelet renews its node's Lease every 10 s. The controller checks every 5 s; 50 s after
the last renewal (`--node-monitor-grace-period`, v1.32+) it sets the node's Ready condition to
Unknown, marks its pods not Ready and taints it `node.kubernetes.io/unreachable:NoExecute`.
Each pod tolerates that taint for 300 s (the DefaultTolerationSeconds admission plugin), then
it is deleted. The node-eviction rate limit is not modelled.
"""

from __future__ import annotations

import math

from msa_course.orchestration.kubelet import NODE_LEASE_RENEW_SECONDS
from msa_course.orchestration.store import Store

NODE_MONITOR_PERIOD_SECONDS = 5
NODE_MONITOR_GRACE_PERIOD_SECONDS = 50
DEFAULT_TOLERATION_SECONDS = 300


class NodeLifecycleController:
    """`at(time, kind, *args)` sets a timer; the cluster calls `on_<kind>` when it fires."""

    def __init__(self, store: Store, at):
        self.store, self.at = store, at

    def watch_stopped(self, name: str) -> None:
        """The node's kubelet fell silent: find the monitor pass that notices it."""
        now = self.store.now
        detect = replacement_time(now, self.store.nodes[name].heartbeat_offset, toleration=0)
        self.at(detect, "node-lost", name, now)

    def watch_started(self, name: str) -> None:
        """The kubelet renews the Lease again: Ready at the next monitor pass."""
        tick = NODE_MONITOR_PERIOD_SECONDS
        now = self.store.now
        self.at((math.floor(now / tick) + 1) * tick, "node-back", name, now)

    def on_node_lost(self, name: str, down_at: float) -> bool:
        store = self.store
        node = store.nodes[name]
        if node.up or node.down_since != down_at:
            return False
        store.set_node_ready(name, False)  # Ready=Unknown
        store.record(
            "Normal", "NodeNotReady", f"node/{name}", f"Node {name} status is now: NodeNotReady"
        )
        node.tainted_at = store.now
        for record in store.pods_on(name):  # MarkPodsNotReady
            if record.deleting is None:
                store.record("Warning", "NodeNotReady", record.name, "Node is not ready")
                self.at(store.now + DEFAULT_TOLERATION_SECONDS, "evict", record.name, down_at)
            store.set_ready(record, False)
        return True

    def on_evict(self, name: str, down_at: float) -> bool:
        """The taint-eviction controller: the pod's toleration ran out."""
        store = self.store
        record = store.pods.get(name)
        if record is None or record.deleting is not None:
            return False
        node = store.nodes[record.pod.node_name]
        if node.up or node.down_since != down_at:
            return False
        store.record(
            "Normal",
            "TaintManagerEviction",
            name,
            f"Marking for deletion Pod {record.pod.namespace}/{name}",
        )
        store.delete_pod(record)
        return True

    def on_node_back(self, name: str, up_at: float) -> bool:
        store = self.store
        node = store.nodes[name]
        if not node.up or node.node.ready:
            return False
        node.tainted_at = None
        store.set_node_ready(name, True)
        store.record("Normal", "NodeReady", f"node/{name}", f"Node {name} status is now: NodeReady")
        return True


def replacement_time(
    down_at: float,
    heartbeat_offset: float = 0.0,
    *,
    grace: float = NODE_MONITOR_GRACE_PERIOD_SECONDS,
    toleration: float = DEFAULT_TOLERATION_SECONDS,
    monitor_period: float = NODE_MONITOR_PERIOD_SECONDS,
) -> float:
    """When a pod on a node that stops at `down_at` is evicted and replaced.

    Last heartbeat (status posted every 10 s) + grace, to the first node-monitor pass strictly
    after that (the node is marked NotReady then), then the 300 s toleration.
    """
    period = NODE_LEASE_RENEW_SECONDS
    last = down_at - ((down_at - heartbeat_offset) % period)
    detect = (math.floor((last + grace) / monitor_period) + 1) * monitor_period
    return detect + toleration
