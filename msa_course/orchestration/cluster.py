"""A discrete-event Kubernetes cluster: an object store, controllers and node agents.

Shaped as Kubernetes is built: `store.py` holds the objects (the API server); each controller
reconciles them in its own module (controllers/replicaset.py, deployment.py, nodelifecycle.py,
podautoscaler.py, endpointslice.py); the node agents are the kubelet (kubelet.py: starts
containers, probes and restarts them) and kube-proxy (kubeproxy.py: routes a Service's
traffic); `scheduler.Scheduler` binds Pending pods; kubectl.py only reads; traffic.py is the
clients. This module is the event loop that drives them on one simulated clock, and the verbs
a user (or a fault) applies.

The clock jumps from one timer to the next (a pod's container exits, a probe's third failure,
a node's grace period running out, an HPA sync), so a simulated day costs what happens in it,
not 86,400 ticks. After every timer that changed something the controllers reconcile once.
Every delay is Kubernetes' own default, with its source in the module that applies it.

What is simplified, on purpose: one container per pod; API and watch latency is zero (an
endpoint leaves kube-proxy's rules the instant its pod turns unready); a started container
is ready at its first readiness probe once its app answers (`startup_seconds`, default 0); a
deleted pod's app exits `shutdown_seconds` after SIGTERM (default 0: at once); the
ReplicaSet's deletion order uses the ranking of k8s_formulas.md §7 without the logarithmic
time buckets; the node-eviction rate limit is not modelled.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from msa_course.orchestration import kubectl
from msa_course.orchestration.controllers.deployment import DeploymentController
from msa_course.orchestration.controllers.endpointslice import EndpointSliceController
from msa_course.orchestration.controllers.nodelifecycle import (
    DEFAULT_TOLERATION_SECONDS,
    NODE_MONITOR_GRACE_PERIOD_SECONDS,
    NODE_MONITOR_PERIOD_SECONDS,
    NodeLifecycleController,
    replacement_time,
)
from msa_course.orchestration.controllers.podautoscaler import HorizontalController
from msa_course.orchestration.controllers.replicaset import ReplicaSetController
from msa_course.orchestration.kubectl import format_table, human_duration, mapping_of
from msa_course.orchestration.kubelet import (
    NODE_LEASE_RENEW_SECONDS,
    POD_STARTUP_SECONDS,
    Kubelet,
)
from msa_course.orchestration.kubeproxy import KubeProxy
from msa_course.orchestration.objects import (
    Deployment,
    HorizontalPodAutoscaler,
    Node,
    ReplicaSet,
)
from msa_course.orchestration.placement import LabelSelector
from msa_course.orchestration.scheduler import Profile, Scheduler
from msa_course.orchestration.services import Service
from msa_course.orchestration.store import (
    DeploymentRecord,
    Event,
    PodRecord,
    ReplicaSetRecord,
    Store,
)
from msa_course.orchestration.traffic import Traffic

# Cluster._changed re-syncs Deployments and ReplicaSets until no Deployment scales; this cap
# only keeps a controller bug from looping for ever (upstream, rate-limited work queues do).
MAX_RESYNC_ROUNDS = 100

__all__ = [
    "DEFAULT_TOLERATION_SECONDS",
    "NODE_MONITOR_GRACE_PERIOD_SECONDS",
    "NODE_MONITOR_PERIOD_SECONDS",
    "POD_STARTUP_SECONDS",
    "Cluster",
    "Event",
    "Sample",
    "format_table",
    "human_duration",
    "mapping_of",
    "mm1_latency_ms",
    "replacement_time",
]


@dataclass
class Sample:
    """The state at one time, for timelines: per workload desired/ready pods, restarts."""

    time: float
    desired: int
    ready: int
    running: int
    restarts: int
    waiting: int  # containers in CrashLoopBackOff
    replicas: int  # pods that exist and are not being deleted
    utilization: int | None = None
    load: float = 0.0


class Cluster:
    """The simulated cluster. Add workloads, inject faults, `run_until(t)`, read tables.

    `load` maps a Deployment name to its total CPU demand in millicores as a function of time;
    it is shared evenly by the Ready pods (an unready pod gets no traffic). Pods use
    `idle_fraction` of their cpu request when they get no traffic. A pod's probes are its
    (first) container's `livenessProbe`/`readinessProbe`; a container without them has none.

    Services: `apply` a `services.Service`, then `send(service, rate)` requests per second
    to it; `traffic.stats[service]` counts what each pod answered and what failed (per
    `traffic_bin_seconds` too, when set). `startup_seconds`/`shutdown_seconds`: see kubelet.
    """

    def __init__(
        self,
        nodes: Iterable[Node],
        *,
        seed: int = 0,
        profile: Profile | None = None,
        idle_fraction: float = 0.05,
        startup_seconds: float = 0.0,
        shutdown_seconds: float = 0.0,
        traffic_bin_seconds: float | None = None,
    ):
        nodes = list(nodes)
        if not nodes:
            raise ValueError("a cluster needs at least one node")
        if not 0 <= idle_fraction <= 1:
            raise ValueError(f"idle_fraction must be between 0 and 1, got {idle_fraction}")
        self.seed = seed
        self.scheduler = Scheduler(nodes, profile, seed, default_selector=self._owner_selector)
        self.store = Store(nodes, seed, NODE_LEASE_RENEW_SECONDS)
        self.load: dict[str, Callable[[float], float]] = {}
        self.history: list[Sample] = []
        self.decisions: list = []  # every HPA sync's hpa.Decision
        self._queue: list[tuple[float, int, str, tuple]] = []
        self._seq = 0
        store, at = self.store, self._at
        self.kubelet = Kubelet(store, at, startup_seconds, shutdown_seconds)
        self.kube_proxy = KubeProxy(store)
        self.deployment_controller = DeploymentController(store)
        self.replicaset_controller = ReplicaSetController(store)
        self.node_lifecycle = NodeLifecycleController(store, at)
        self.hpa_controller = HorizontalController(
            store, at, self._demand, idle_fraction, self.decisions
        )
        self.endpointslice_controller = EndpointSliceController(store)
        self.traffic = Traffic(store, self.kube_proxy, self.kubelet, seed, traffic_bin_seconds)
        k, n = self.kubelet, self.node_lifecycle
        self._handlers: dict[str, Callable[..., bool]] = {
            "started": k.on_started,
            "ready": k.on_ready,
            "unready": k.on_unready,
            "liveness": k.on_liveness,
            "exit": k.on_exit,
            "app": k.on_app,
            "terminated": k.on_terminated,
            "node-lost": n.on_node_lost,
            "evict": n.on_evict,
            "node-back": n.on_node_back,
            "hpa": self.hpa_controller.on_hpa,
        }

    @property
    def now(self) -> float:
        return self.store.now

    def _owner_selector(self, pod) -> LabelSelector | None:
        """helper.DefaultSelector, for the scheduler's default spreading: the selectors of the
        pod's ReplicaSet and of the Services selecting it, merged; None if nothing selects it."""
        labels: dict[str, str] = {}
        record = self.store.replicasets.get(pod.owner) if pod.owner else None
        if record is not None:
            labels.update(record.rs.selector)
        for svc in self.store.services.values():
            if svc.selector and all(pod.labels.get(k) == v for k, v in svc.selector.items()):
                labels.update(svc.selector)
        return LabelSelector(labels) if labels else None

    # ------------------------------------------------------------------ kubectl apply/scale
    def apply(self, *objects) -> Cluster:
        """Create Deployments, ReplicaSets, HPAs (or lists of them, e.g. from load_manifests)."""
        store = self.store
        for obj in objects:
            if isinstance(obj, (list, tuple)):
                self.apply(*obj)
            elif isinstance(obj, Deployment):
                if obj.name in store.deployments:
                    raise ValueError(f"deployment {obj.name!r} already exists")
                store.deployments[obj.name] = DeploymentRecord(obj, store.now)
            elif isinstance(obj, ReplicaSet):
                if obj.name in store.replicasets:
                    raise ValueError(f"replicaset {obj.name!r} already exists")
                store.replicasets[obj.name] = ReplicaSetRecord(obj, None, store.now)
            elif isinstance(obj, HorizontalPodAutoscaler):
                self.hpa_controller.add(obj)
            elif isinstance(obj, Service):
                store.create_service(obj)
            elif isinstance(obj, Node):
                raise ValueError("nodes are given when the Cluster is created")
            else:
                raise ValueError(
                    f"cannot apply {type(obj).__name__}: use a Deployment, ReplicaSet, "
                    "HorizontalPodAutoscaler or Service"
                )
        self._changed()
        return self

    def send(self, service: str, rate: float | Callable[[float], float]) -> None:
        """Clients send `rate` requests per second (a number, or a function of time) to the
        Service's ClusterIP from now on (0 stops them)."""
        if service not in self.store.services:
            raise ValueError(f"no service named {service!r}; have {sorted(self.store.services)}")
        if callable(rate):
            fn = rate
        elif isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate >= 0:
            fn = _constant(float(rate))
        else:
            raise ValueError(f"rate must be a number of requests per second >= 0, got {rate!r}")
        self.traffic.close(self.now)
        self.traffic.rates[service] = fn
        self.traffic.observe()

    def scale(self, deployment: str, replicas: int) -> None:
        """kubectl scale deployment/NAME --replicas=N."""
        d = self.store.deployment(deployment)
        if not isinstance(replicas, int) or replicas < 0:
            raise ValueError(f"replicas must be a whole number >= 0, got {replicas!r}")
        d.replicas = replicas
        self._changed()

    def set_image(self, deployment: str, image: str) -> None:
        """kubectl set image: a new pod template, hence a rolling update."""
        d = self.store.deployment(deployment)
        first, *rest = d.template.containers
        d.template = replace(d.template, containers=(replace(first, image=image), *rest))
        self._changed()

    def delete_pod(self, name: str) -> None:
        """kubectl delete pod: the ReplicaSet notices one pod missing and creates another."""
        record = self._pod(name)
        self.store.delete_pod(record)
        self.store.record("Normal", "Killing", name, f"Stopping container {record.container_name}")
        self._changed()

    # ------------------------------------------------------------------ faults
    def crash_loop(self, name: str, run_seconds: float = 5.0, crashes: int | None = None) -> None:
        """Make the pod's container exit `run_seconds` after every start (`crashes` times, or
        for ever): the kubelet restarts it in place with CrashLoopBackOff; no new pod."""
        self.kubelet.crash_loop(self._pod(name), run_seconds, crashes)
        self._sample()

    def fix(self, name: str) -> None:
        """Deploy the fix: the container stops crashing and its probes pass again."""
        self.kubelet.fix(self._pod(name))
        self._sample()

    def fail_liveness(self, name: str) -> None:
        """The app hangs: liveness probes fail until the kubelet restarts the container."""
        self.kubelet.fail_liveness(self._pod(name))
        self._sample()

    def fail_readiness(self, name: str, seconds: float = 60.0) -> None:
        """The app cannot serve for `seconds`: the pod leaves Ready, traffic goes elsewhere."""
        self.kubelet.fail_readiness(self._pod(name), seconds)
        self._sample()

    def node_down(self, name: str) -> None:
        """The node stops (kubelet silent): NotReady after the grace period, then eviction."""
        node = self._node(name)
        if not node.up:
            raise ValueError(f"node {name!r} is already down")
        node.up, node.down_since = False, self.now
        self.kubelet.node_switched(name)
        self.node_lifecycle.watch_stopped(name)
        self._sample()

    def node_up(self, name: str) -> None:
        """The node comes back: Ready at the next status post and monitor pass."""
        node = self._node(name)
        if node.up:
            raise ValueError(f"node {name!r} is already up")
        node.up, node.down_since = True, None
        self.kubelet.node_switched(name)
        self.node_lifecycle.watch_started(name)
        self._sample()

    def _pod(self, name: str) -> PodRecord:
        record = self.store.pods.get(name)
        if record is None or record.deleting is not None:
            raise ValueError(f"no running pod named {name!r}; pods are {self.pod_names()}")
        return record

    def _node(self, name: str):
        if name not in self.store.nodes:
            raise ValueError(f"no node named {name!r}; nodes are {list(self.store.nodes)}")
        return self.store.nodes[name]

    # ------------------------------------------------------------------ the clock
    def _at(self, time: float, kind: str, *args) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (time, self._seq, kind, args))

    def run_until(self, time: float) -> Cluster:
        """Process every timer up to and including `time`, then set the clock to it."""
        if time < self.now:
            raise ValueError(f"time runs forward: now is {self.now}, asked for {time}")
        queue, handlers, store = self._queue, self._handlers, self.store
        observe = self.traffic.observe
        while queue and queue[0][0] <= time:
            t, _, kind, args = heapq.heappop(queue)
            store.now = t
            if handlers[kind](*args):
                self._changed()
            else:
                observe()
        store.now = time
        if self.traffic.rates:
            self.traffic.close(time)
        return self

    def advance(self, seconds: float) -> Cluster:
        return self.run_until(self.now + seconds)

    def _changed(self) -> None:
        """Something changed: every controller and agent reconciles, then a sample. A
        Deployment that scaled a ReplicaSet syncs again once the pods follow (upstream, the
        ReplicaSet's status update requeues it), so a rollout moves at once when it can."""
        for _ in range(MAX_RESYNC_ROUNDS):
            scaled = self.deployment_controller.sync_all()
            self.replicaset_controller.sync_all()
            self.kubelet.sync()
            if not scaled:
                break
        self._schedule()
        self.kubelet.admit()
        self.endpointslice_controller.sync_all()
        self.kube_proxy.sync()
        self._sample()

    def _schedule(self) -> None:
        """kube-scheduler: update its cache from the store's watches, then bind Pending pods."""
        store, scheduler = self.store, self.scheduler
        for pod in store.removed:
            scheduler.unbind(pod)
        store.removed.clear()
        for name in store.node_updates:
            scheduler.set_node(name)
        store.node_updates.clear()
        for record in store.pods.values():
            pod = record.pod
            if record.deleting is not None and pod.node_name is not None and not pod.terminating:
                scheduler.mark_terminating(pod)  # no longer counts for topology spreading
            if pod.node_name is not None or record.deleting is not None:
                continue
            decision = scheduler.schedule_one(pod)
            if decision.node is None:
                store.record("Warning", "FailedScheduling", pod.name, decision.message)
                continue
            store.record(
                "Normal",
                "Scheduled",
                pod.name,
                f"Successfully assigned {pod.namespace}/{pod.name} to {decision.node}",
            )
            store.bind(record)

    # ------------------------------------------------------------------ observation
    def _demand(self, deployment: str) -> float | None:
        """The millicores `deployment`'s load asks for now (None: it has no load)."""
        load = self.load.get(deployment)
        return None if load is None else load(self.now)

    def _sample(self) -> None:
        store = self.store
        desired = sum(r.deployment.replicas for r in store.deployments.values())
        desired += sum(w.rs.replicas for w in store.replicasets.values() if w.deployment is None)
        ready = running = restarts = waiting = replicas = 0
        for r in store.pods.values():
            ready += r.ready and r.deleting is None
            running += r.container == "Running"
            restarts += r.restarts
            waiting += r.container == "CrashLoopBackOff"
            replicas += r.deleting is None
        util = next((a.utilization for a in store.hpas.values()), None)
        load = sum(f(self.now) for f in self.load.values())
        sample = Sample(self.now, desired, ready, running, restarts, waiting, replicas, util, load)
        if self.history and self.history[-1].time == self.now:
            self.history[-1] = sample
        else:
            self.history.append(sample)
        self.traffic.observe()

    def pod_names(self, deployment: str | None = None) -> list[str]:
        """Active pods (not being deleted), oldest first."""
        return [
            n
            for n, r in self.store.pods.items()
            if r.deleting is None and (deployment is None or r.deployment == deployment)
        ]

    def pod_state(self, name: str) -> dict:
        """A pod's status fields (for tests and tables)."""
        r = self.store.pods.get(name)
        if r is None:
            raise ValueError(f"no pod named {name!r}")
        return {
            "node": r.pod.node_name,
            "phase": r.pod.phase,
            "container": r.container,
            "ready": r.ready,
            "restarts": r.restarts,
            "deleting": r.deleting is not None,
            "waiting_until": r.waiting_until if r.container == "CrashLoopBackOff" else None,
        }

    def node_ready(self, name: str) -> bool:
        return self._node(name).node.ready

    def events(self) -> list[Event]:
        """Every event, oldest last-seen first (as `kubectl get events` sorts)."""
        return kubectl.events(self.store)

    def get_pods(self) -> list[list[str]]:
        return kubectl.get_pods(self.store)

    def get_deployments(self) -> list[list[str]]:
        return kubectl.get_deployments(self.store)

    def get_replicasets(self) -> list[list[str]]:
        return kubectl.get_replicasets(self.store)

    def get_hpa(self) -> list[list[str]]:
        return kubectl.get_hpa(self.store)

    def get_nodes(self) -> list[list[str]]:
        return kubectl.get_nodes(self.store)

    def get_events(self, last: int | None = None) -> list[list[str]]:
        return kubectl.get_events(self.store, last)

    def get_services(self) -> list[list[str]]:
        return kubectl.get_services(self.store)

    def get_endpointslices(self) -> list[list[str]]:
        return kubectl.get_endpointslices(self.store)

    def get_endpoints(self, service: str) -> list[list[str]]:
        return kubectl.get_endpoints(self.store, service)


def _constant(rate: float) -> Callable[[float], float]:
    return lambda t: rate


def mm1_latency_ms(service_ms: float, utilization: float, cap_ms: float = 2000.0) -> float:
    """Mean response time of an M/M/1 queue, S / (1 - rho) (Kleinrock, Queueing Systems
    vol. 1, 1975): a toy model of one pod's latency; `cap_ms` once it saturates (rho >= 1)."""
    if service_ms <= 0:
        raise ValueError(f"service_ms must be > 0, got {service_ms}")
    if utilization < 0:
        raise ValueError(f"utilization must be >= 0, got {utilization}")
    if utilization >= 1:
        return cap_ms
    return min(cap_ms, service_ms / (1 - utilization))
