"""What the API server holds: every object with its status, and the event log.

Controllers and node agents read and write these records and never call one another, as
Kubernetes components share nothing but API objects. A few lists play the part of watches:
`bindings` (pods the scheduler bound) and `deletions` (pods given a deletion timestamp) for the
kubelet; `removed` (pods gone for good) and `node_updates` (node conditions changed) for the
scheduler's cache; `pod_updates` (pods created, changed or gone) for the EndpointSlice
controller.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from msa_course.orchestration.objects import (
    Deployment,
    HorizontalPodAutoscaler,
    Node,
    Pod,
    ReplicaSet,
)
from msa_course.orchestration.services import (
    EndpointSlice,
    Service,
    allocate_cluster_ip,
    allocate_node_port,
)

# kubernetes/apimachinery util/rand: the alphabet of generated name suffixes (no vowels).
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


@dataclass(frozen=True)
class Event:
    """One `kubectl get events` row (first and last time seen, and how often)."""

    first: float
    last: float
    type: str
    reason: str
    object: str
    message: str
    count: int = 1


class PodRecord:
    """A Pod object and its status, as `kubectl get pod -o yaml` shows them.

    `deleting` is metadata.deletionTimestamp; `container` the container's state (Pending,
    ContainerCreating, Running, CrashLoopBackOff); `ready`/`ready_since` the Ready condition
    and its lastTransitionTime; `ip` is status.podIP; `version` is bumped on every status
    write (resourceVersion), so a controller can tell whether its cached view is stale.
    """

    __slots__ = (
        "pod",
        "name",
        "owner",
        "deployment",
        "created",
        "deleting",
        "container",
        "started",
        "restarts",
        "last_restart",
        "waiting_until",
        "ready",
        "ready_since",
        "ip",
        "version",
    )

    def __init__(self, pod: Pod, owner: str, deployment: str | None, now: float):
        self.pod = pod
        self.name = pod.name
        self.owner = owner
        self.deployment = deployment  # the owner's owner, kept for quick look-ups
        self.created = now
        self.deleting: float | None = None
        self.container = "Pending"
        self.started = float("nan")
        self.restarts = 0
        self.last_restart: float | None = None
        self.waiting_until = float("nan")
        self.ready = False
        self.ready_since = now
        self.ip: str | None = None
        self.version = 0

    @property
    def container_name(self) -> str:
        return self.pod.containers[0].name if self.pod.containers else "app"


class NodeRecord:
    """A Node object (its Ready condition is `node.ready`) and the machine behind it.

    `up` is whether the machine and its kubelet run; `heartbeat_offset` is where in its 10 s
    cycle the kubelet renews the node's Lease; `down_since` when it stopped; `tainted_at` when the
    node-lifecycle controller put the NoExecute taint on it.
    """

    __slots__ = ("node", "up", "heartbeat_offset", "down_since", "tainted_at")

    def __init__(self, node: Node, heartbeat_offset: float):
        self.node = node
        self.up = True
        self.heartbeat_offset = heartbeat_offset
        self.down_since: float | None = None
        self.tainted_at: float | None = None


@dataclass
class ReplicaSetRecord:
    """A ReplicaSet, owned by a Deployment (`deployment`) or standalone (None)."""

    rs: ReplicaSet
    deployment: str | None
    created: float


@dataclass
class DeploymentRecord:
    deployment: Deployment
    created: float


@dataclass
class HPARecord:
    """An HPA and its status: the utilisation it last saw and when it last scaled."""

    hpa: HorizontalPodAutoscaler
    created: float
    utilization: int | None = None
    last_scale: float | None = None


class Store:
    """The API server's objects, the simulated clock's `now`, and the event log."""

    def __init__(self, nodes: list[Node], seed: int, heartbeat_period: float):
        self.now = 0.0
        self.rng = np.random.default_rng(seed)  # pods' generateName suffixes
        # ClusterIPs, node ports and EndpointSlice names: apart, so pod names do not depend
        # on whether a cluster has Services
        self.service_rng = np.random.default_rng([seed, 1])
        self.nodes = {
            n.name: NodeRecord(n, (3 * i) % heartbeat_period) for i, n in enumerate(nodes)
        }
        self.pods: dict[str, PodRecord] = {}
        self.replicasets: dict[str, ReplicaSetRecord] = {}
        self.deployments: dict[str, DeploymentRecord] = {}
        self.hpas: dict[str, HPARecord] = {}
        self.services: dict[str, Service] = {}
        self.service_created: dict[str, float] = {}
        self.endpointslices: dict[str, list[EndpointSlice]] = {}
        self.revision = 0  # counts pod writes: a controller that saw it can skip a sync
        self.slice_revision = 0  # counts EndpointSlice writes (kube-proxy watches them)
        self.events: dict[tuple, Event] = {}
        self.bindings: list[PodRecord] = []
        self.deletions: list[PodRecord] = []
        self.pod_updates: list[str] = []
        self.removed: list[Pod] = []
        self.node_updates: list[str] = []

    # ------------------------------------------------------------------ events
    def record(self, type_: str, reason: str, obj: str, message: str) -> None:
        """Log an event; a repeat of the same one counts up (as the event recorder does)."""
        if "/" not in obj:
            obj = f"pod/{obj}"
        key = (type_, reason, obj, message)
        seen = self.events.get(key)
        if seen is None:
            self.events[key] = Event(self.now, self.now, type_, reason, obj, message)
        else:
            self.events[key] = Event(
                seen.first, self.now, type_, reason, obj, message, seen.count + 1
            )

    # ------------------------------------------------------------------ pods
    def create_pod(self, owner: ReplicaSetRecord) -> PodRecord:
        """POST a pod with generateName `<replicaset>-`: a random five-character suffix."""
        rs = owner.rs
        while True:
            suffix = "".join(self.rng.choice(list(ALPHANUMS), 5))
            name = f"{rs.name}-{suffix}"
            if name not in self.pods:
                break
        pod = rs.template.instantiate(name, rs.namespace)
        pod.owner = rs.name
        record = PodRecord(pod, rs.name, owner.deployment, self.now)
        self.pods[name] = record
        self.revision += 1
        self.pod_updates.append(name)
        return record

    def bind(self, record: PodRecord) -> None:
        """The scheduler bound the pod (it set `pod.node_name`): the node's kubelet sees it."""
        self.bindings.append(record)

    def touch(self, record: PodRecord) -> None:
        """A write to the pod's status."""
        record.version += 1
        self.revision += 1
        self.pod_updates.append(record.name)

    def set_ready(self, record: PodRecord, ready: bool) -> None:
        if record.ready != ready:
            record.ready, record.ready_since = ready, self.now
            self.touch(record)

    def delete_pod(self, record: PodRecord) -> None:
        """Set the deletion timestamp; the node's kubelet finishes the deletion. The Ready
        condition stays what the probes say until the containers stop."""
        record.deleting = self.now
        self.touch(record)
        self.deletions.append(record)

    def remove_pod(self, record: PodRecord) -> None:
        """The kubelet confirmed the deletion: the object is gone."""
        del self.pods[record.name]
        self.revision += 1
        self.pod_updates.append(record.name)
        if record.pod.node_name is not None:
            self.removed.append(record.pod)

    def active_pods(self, owner: str) -> list[PodRecord]:
        """FilterActivePods: the owner's pods that are not being deleted."""
        return [r for r in self.pods.values() if r.owner == owner and r.deleting is None]

    def ready_count(self, owner: str) -> int:
        """status.readyReplicas: active pods that are Ready (terminating ones do not count)."""
        return sum(
            1 for r in self.pods.values() if r.owner == owner and r.ready and r.deleting is None
        )

    def pods_on(self, node: str) -> list[PodRecord]:
        return [r for r in self.pods.values() if r.pod.node_name == node]

    # ------------------------------------------------------------------ nodes
    def set_node_ready(self, name: str, ready: bool) -> None:
        """The Ready condition: False here means Unknown (the kubelet stopped posting)."""
        node = self.nodes[name].node
        node.ready = node.reachable = ready
        self.node_updates.append(name)

    # ------------------------------------------------------------------ services
    def create_service(self, svc: Service) -> None:
        """Store a Service with its ClusterIP (and node ports), allocated as the API server
        does (services.allocate_cluster_ip, allocate_node_port)."""
        if svc.name in self.services:
            raise ValueError(f"service {svc.name!r} already exists")
        taken = {s.cluster_ip for s in self.services.values()}
        if svc.cluster_ip is None:
            svc.cluster_ip = allocate_cluster_ip(taken, self.service_rng)
        elif svc.cluster_ip in taken:
            raise ValueError(
                f"service {svc.name!r}: spec.clusterIP: Invalid value: {svc.cluster_ip!r}: "
                "provided IP is already allocated"
            )
        if svc.type != "ClusterIP":
            used = {p.node_port for s in self.services.values() for p in s.ports}
            ports = []
            for p in svc.ports:
                if p.node_port is None:
                    p = replace(p, node_port=allocate_node_port(used, self.service_rng))
                elif p.node_port in used:
                    raise ValueError(
                        f"service {svc.name!r}: spec.ports: nodePort {p.node_port}: provided "
                        "port is already allocated"
                    )
                used.add(p.node_port)
                ports.append(p)
            svc.ports = tuple(ports)
        self.services[svc.name] = svc
        self.service_created[svc.name] = self.now
        self.revision += 1

    def deployment(self, name: str) -> Deployment:
        if name not in self.deployments:
            raise ValueError(f"no deployment named {name!r}; have {sorted(self.deployments)}")
        return self.deployments[name].deployment
