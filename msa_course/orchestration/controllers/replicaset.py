"""The ReplicaSet controller: keep `replicas` pods (pkg/controller/replicaset/replica_set.go,
syncReplicaSet and manageReplicas; docs/k8s_formulas.md §7).

It creates or deletes the difference between `spec.replicas` and the active pods (pods being
deleted do not count). Which pods go first follows `ActivePodsWithRanks` without its
logarithmic time buckets.
"""

from __future__ import annotations

from msa_course.orchestration.store import PodRecord, ReplicaSetRecord, Store

_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


class ReplicaSetController:
    def __init__(self, store: Store):
        self.store = store

    def sync_all(self) -> None:
        for name in list(self.store.replicasets):
            self.sync(self.store.replicasets[name])

    def sync(self, owner: ReplicaSetRecord) -> None:
        """manageReplicas: create or delete the difference with the active pods."""
        store, rs = self.store, owner.rs
        active = store.active_pods(rs.name)
        diff = len(active) - rs.replicas
        if diff < 0:
            for _ in range(-diff):
                created = store.create_pod(owner)
                store.record(
                    "Normal",
                    "SuccessfulCreate",
                    f"replicaset/{rs.name}",
                    f"Created pod: {created.name}",
                )
        elif diff > 0:
            for record in sorted(active, key=self.deletion_rank)[:diff]:
                store.record(
                    "Normal",
                    "SuccessfulDelete",
                    f"replicaset/{rs.name}",
                    f"Deleted pod: {record.name}",
                )
                store.delete_pod(record)
                store.record(
                    "Normal", "Killing", record.name, f"Stopping container {record.container_name}"
                )

    def deletion_rank(self, record: PodRecord):
        """ActivePodsWithRanks order: deleted first = unscheduled, pending, not ready, more
        pods of the set on the same node, ready for less time, more restarts, newer."""
        node = record.pod.node_name
        colocated = sum(
            1
            for r in self.store.pods.values()
            if r.owner == record.owner and r.pod.node_name == node and r.deleting is None
        )
        return (
            node is not None,
            _PHASE_RANK.get(record.pod.phase, 2),
            record.ready,
            -colocated,
            -(record.ready_since if record.ready else 0),
            -record.restarts,
            -record.created,
        )
