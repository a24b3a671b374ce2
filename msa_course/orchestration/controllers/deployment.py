"""The Deployment controller: one ReplicaSet per pod template, and rolling updates between
them (pkg/controller/deployment/: sync.go, rolling.go).

A new template gets a new ReplicaSet named `<deployment>-<pod-template-hash>`. The rollout
scales it up by at most `maxSurge` pods above `replicas` and scales old ReplicaSets down while
keeping `replicas - maxUnavailable` pods available (defaults 25 % / 25 %, docs/figures.md §3).
"""

from __future__ import annotations

import hashlib
import math

from msa_course.orchestration.objects import Deployment, PodTemplate, ReplicaSet
from msa_course.orchestration.store import ALPHANUMS, ReplicaSetRecord, Store


class DeploymentController:
    def __init__(self, store: Store):
        self.store = store
        self.scaled = False

    def sync_all(self) -> bool:
        """Sync every Deployment; True if one scaled a ReplicaSet (a rollout's next step may
        then be possible as soon as the ReplicaSet controller has acted)."""
        self.scaled = False
        for record in self.store.deployments.values():
            self.sync(record.deployment)
        return self.scaled

    def sync(self, d: Deployment) -> None:
        """One ReplicaSet per template; roll from old to new within maxSurge/maxUnavailable."""
        store = self.store
        owned = [w for w in store.replicasets.values() if w.deployment == d.name]
        new = next((w for w in owned if w.rs.template == d.template), None)
        if new is None:
            rs = ReplicaSet(
                f"{d.name}-{template_hash(d.template)}",
                0,
                dict(d.selector),
                d.template,
                d.namespace,
            )
            new = ReplicaSetRecord(rs, d.name, store.now)
            store.replicasets[rs.name] = new
        old = [w for w in owned if w is not new and w.rs.replicas > 0]
        if not old:
            self._scale(d, new, d.replicas)
            return
        surge = resolve_int_or_percent(d.max_surge, d.replicas, up=True)
        unavailable = resolve_int_or_percent(d.max_unavailable, d.replicas, up=False)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        total = sum(w.rs.replicas for w in (new, *old))
        room = d.replicas + surge - total
        if room > 0 and new.rs.replicas < d.replicas:
            self._scale(d, new, new.rs.replicas + min(room, d.replicas - new.rs.replicas))
        available = sum(store.ready_count(w.rs.name) for w in (new, *old))
        removable = available - (d.replicas - unavailable)
        for w in sorted(old, key=lambda w: w.created):
            # pods of an old ReplicaSet that are not ready can go at once
            unready = w.rs.replicas - store.ready_count(w.rs.name)
            cut = min(w.rs.replicas, max(removable, 0) + max(unready, 0))
            if cut > 0:
                self._scale(d, w, w.rs.replicas - cut)
                removable -= cut - max(unready, 0)

    def _scale(self, d: Deployment, w: ReplicaSetRecord, replicas: int) -> None:
        before = w.rs.replicas
        if replicas == before:
            return
        verb = "up" if replicas > before else "down"
        self.store.record(
            "Normal",
            "ScalingReplicaSet",
            f"deployment/{d.name}",
            f"Scaled {verb} replica set {w.rs.name} from {before} to {replicas}",
        )
        w.rs.replicas = replicas
        self.scaled = True


def resolve_int_or_percent(value: str | int, total: int, *, up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: "25%" of 10 is 3 rounded up, 2 rounded down."""
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise ValueError(
            f"maxSurge/maxUnavailable must be an integer or a percentage, got {value!r}"
        )
    exact = int(value[:-1]) * total / 100
    return math.ceil(exact) if up else math.floor(exact)


def template_hash(template: PodTemplate) -> str:
    """A stable pod-template-hash in Kubernetes' name alphabet (10 characters)."""
    ports = [c.ports for c in template.containers if c.ports]  # not in the repr
    digest = hashlib.sha256((repr(template) + (repr(ports) if ports else "")).encode()).digest()
    return "".join(ALPHANUMS[b % len(ALPHANUMS)] for b in digest[:10])
