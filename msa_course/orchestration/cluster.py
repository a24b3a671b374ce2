"""A discrete-event Kubernetes cluster: controllers reconciling desired and actual state.

The clock jumps from one event to the next (a pod's container exits, a probe's third failure,
a node's grace period running out, an HPA sync), so a simulated day costs what happens in it,
not 86,400 ticks. Every delay is Kubernetes' own default, with its source:

* ReplicaSet controller: creates or deletes the difference between `replicas` and the active
  pods (pods being deleted do not count) (k8s_formulas.md §7).
* Deployment controller: one ReplicaSet per pod template; a rolling update surges by
  `maxSurge` and keeps `replicas - maxUnavailable` available (25 % / 25 %, figures.md §3).
* Scheduler: `scheduler.Scheduler` (NodeResourcesFit + BalancedAllocation) binds Pending pods.
* Kubelet (kubelet.py): container start, liveness/readiness probes (period 10 s, failure
  threshold 3), restarts with CrashLoopBackOff (10 s doubling to 300 s, reset after 600 s).
* Node lifecycle: the kubelet posts status every 10 s; the node-lifecycle controller checks
  every 5 s and marks a node NotReady (Unknown) 50 s after its last heartbeat
  (`--node-monitor-grace-period`, v1.32+), taints it `node.kubernetes.io/unreachable:NoExecute`
  and evicts its pods when their default 300 s toleration runs out (k8s_formulas.md §7).
* HPA (hpa.py): syncs every 15 s.

What is simplified, on purpose: one container per pod; API and watch latency is zero; a
started container is ready at its first readiness probe; pods deleted on a reachable node
terminate at once (no 30 s grace period); the ReplicaSet's deletion order uses the ranking
of §7 without the logarithmic time buckets; the node-eviction rate limit is not modelled.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from msa_course.orchestration import hpa
from msa_course.orchestration.kubelet import NODE_STATUS_UPDATE_SECONDS, CrashLoopBackOff, Probe
from msa_course.orchestration.objects import (
    Deployment,
    HorizontalPodAutoscaler,
    Node,
    Pod,
    PodTemplate,
    ReplicaSet,
)
from msa_course.orchestration.scheduler import Profile, Scheduler

# k8s_formulas.md §7.
NODE_MONITOR_PERIOD_SECONDS = 5
NODE_MONITOR_GRACE_PERIOD_SECONDS = 50
DEFAULT_TOLERATION_SECONDS = 300
# Not a Kubernetes setting: time from binding to a running container (image present). The
# scalability SLO puts stateless pod startup at p99 <= 5 s (figures.md §3).
POD_STARTUP_SECONDS = 2
# kubernetes/apimachinery util/rand: the alphabet of generated name suffixes (no vowels).
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
DEFAULT_PROBE = Probe()  # periodSeconds 10, failureThreshold 3 (figures.md §3)


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


class _PodRun:
    """A pod's runtime state beside its API object."""

    __slots__ = (
        "pod",
        "owner",
        "created",
        "container",
        "started",
        "incarnation",
        "restarts",
        "backoff",
        "ready",
        "ready_since",
        "deleting",
        "crash_after",
        "crash_left",
        "liveness_failing",
        "readiness_failing_until",
        "last_restart",
        "waiting_until",
        "deployment",
        "sample",
        "request",
        "limit",
        "liveness",
        "readiness",
    )

    def __init__(
        self,
        pod: Pod,
        owner: str,
        deployment: str | None,
        now: float,
        request: int,
        probes: tuple[Probe | None, Probe | None] = (None, None),
    ):
        self.pod = pod
        self.liveness, self.readiness = probes
        self.owner = owner
        self.deployment = deployment
        self.created = now
        self.container = "Pending"  # Pending, ContainerCreating, Running, CrashLoopBackOff
        self.started = math.nan
        self.incarnation = 0
        self.restarts = 0
        self.backoff = CrashLoopBackOff()
        self.ready = False
        self.ready_since = now
        self.deleting: float | None = None
        self.crash_after: float | None = None
        self.crash_left: int | None = None
        self.liveness_failing: float | None = None
        self.readiness_failing_until: float | None = None
        self.last_restart: float | None = None
        self.waiting_until = math.nan
        self.sample: hpa.PodSample | None = None  # what the HPA last saw; None when stale
        self.request = request
        self.limit = cpu_limit(pod)  # None: no CPU limit, usage unbounded


class _NodeRun:
    __slots__ = ("node", "up", "ready", "heartbeat_offset", "down_since", "tainted_at", "created")

    def __init__(self, node: Node, offset: float):
        self.node = node
        self.up = True
        self.ready = True
        self.heartbeat_offset = offset
        self.down_since: float | None = None
        self.tainted_at: float | None = None
        self.created = 0.0


@dataclass
class _Workload:
    """A ReplicaSet (owned by a Deployment or standalone)."""

    rs: ReplicaSet
    deployment: str | None
    created: float
    revision: int = 1


@dataclass
class _Autoscaling:
    hpa: HorizontalPodAutoscaler
    scaler: hpa.Autoscaler
    created: float
    utilization: int | None = None
    last_scale: float | None = None


class Cluster:
    """The simulated cluster. Add workloads, inject faults, `run_until(t)`, read tables.

    `load` maps a Deployment name to its total CPU demand in millicores as a function of time;
    it is shared evenly by the Ready pods (an unready pod gets no traffic). Pods use
    `idle_fraction` of their cpu request when they get no traffic. A pod's probes are its
    (first) container's `livenessProbe`/`readinessProbe`; `liveness`/`readiness` are the
    fallbacks for a container that sets none (None: no such probe, as in Kubernetes when a
    manifest has none).
    """

    def __init__(
        self,
        nodes: Iterable[Node],
        *,
        seed: int = 0,
        profile: Profile | None = None,
        liveness: Probe | None = DEFAULT_PROBE,
        readiness: Probe | None = DEFAULT_PROBE,
        idle_fraction: float = 0.05,
    ):
        nodes = list(nodes)
        if not nodes:
            raise ValueError("a cluster needs at least one node")
        if not 0 <= idle_fraction <= 1:
            raise ValueError(f"idle_fraction must be between 0 and 1, got {idle_fraction}")
        self.now = 0.0
        self.seed = seed
        self.liveness, self.readiness, self.idle_fraction = liveness, readiness, idle_fraction
        self.scheduler = Scheduler(nodes, profile, seed)
        self.rng = np.random.default_rng(seed)
        self._nodes = {
            n.name: _NodeRun(n, (3 * i) % NODE_STATUS_UPDATE_SECONDS) for i, n in enumerate(nodes)
        }
        self._pods: dict[str, _PodRun] = {}
        self._workloads: dict[str, _Workload] = {}
        self._deployments: dict[str, tuple[Deployment, float]] = {}
        self._hpas: dict[str, _Autoscaling] = {}
        self.load: dict[str, Callable[[float], float]] = {}
        self._queue: list[tuple[float, int, str, tuple]] = []
        self._seq = 0
        self._events: dict[tuple, Event] = {}
        self.history: list[Sample] = []
        self.decisions: list[hpa.Decision] = []

    # ------------------------------------------------------------------ objects
    def apply(self, *objects) -> Cluster:
        """Create Deployments, ReplicaSets, HPAs (or lists of them, e.g. from load_manifests)."""
        for obj in objects:
            if isinstance(obj, (list, tuple)):
                self.apply(*obj)
            elif isinstance(obj, Deployment):
                if obj.name in self._deployments:
                    raise ValueError(f"deployment {obj.name!r} already exists")
                self._deployments[obj.name] = (obj, self.now)
            elif isinstance(obj, ReplicaSet):
                if obj.name in self._workloads:
                    raise ValueError(f"replicaset {obj.name!r} already exists")
                self._workloads[obj.name] = _Workload(obj, None, self.now)
            elif isinstance(obj, HorizontalPodAutoscaler):
                self._add_hpa(obj)
            elif isinstance(obj, Node):
                raise ValueError("nodes are given when the Cluster is created")
            else:
                raise ValueError(
                    f"cannot apply {type(obj).__name__}: use a Deployment, ReplicaSet or "
                    "HorizontalPodAutoscaler"
                )
        self._reconcile()
        self._sample()
        return self

    def _add_hpa(self, obj: HorizontalPodAutoscaler) -> None:
        if obj.target_name not in self._deployments:
            raise ValueError(
                f"HPA {obj.name!r} targets deployment {obj.target_name!r}, which does not exist"
            )
        metric = obj.metrics[0]
        if metric.resource != "cpu" or metric.target_type != "Utilization":
            raise ValueError(
                f"HPA {obj.name!r}: the simulator scales on cpu Utilization only, got "
                f"{metric.resource} {metric.target_type}"
            )
        behavior = obj.scale_up is not None or obj.scale_down is not None
        spec = hpa.AutoscalerSpec(
            max_replicas=obj.max_replicas,
            min_replicas=obj.min_replicas,
            target_utilization=metric.value,
            behavior=behavior,
            scale_up=_rules(obj.scale_up, hpa.default_scale_up_rules()),
            scale_down=_rules(obj.scale_down, hpa.default_scale_down_rules()),
            tolerance=hpa.Tolerances(  # spec.behavior.scaleDown/scaleUp.tolerance (v1.33+)
                down=_tolerance(obj.scale_down), up=_tolerance(obj.scale_up)
            ),
        )
        self._hpas[obj.name] = _Autoscaling(obj, hpa.Autoscaler(spec), self.now)
        self._at(self.now + hpa.SYNC_PERIOD_SECONDS, "hpa", obj.name)

    def scale(self, deployment: str, replicas: int) -> None:
        """kubectl scale deployment/NAME --replicas=N."""
        d = self._deployment(deployment)
        if not isinstance(replicas, int) or replicas < 0:
            raise ValueError(f"replicas must be a whole number >= 0, got {replicas!r}")
        d.replicas = replicas
        self._reconcile()
        self._sample()

    def set_image(self, deployment: str, image: str) -> None:
        """kubectl set image: a new pod template, hence a rolling update."""
        d = self._deployment(deployment)
        first, *rest = d.template.containers
        d.template = replace(d.template, containers=(replace(first, image=image), *rest))
        self._reconcile()
        self._sample()

    def _deployment(self, name: str) -> Deployment:
        if name not in self._deployments:
            raise ValueError(f"no deployment named {name!r}; have {sorted(self._deployments)}")
        return self._deployments[name][0]

    # ------------------------------------------------------------------ faults
    def _pod(self, name: str) -> _PodRun:
        run = self._pods.get(name)
        if run is None or run.deleting is not None:
            raise ValueError(f"no running pod named {name!r}; pods are {self.pod_names()}")
        return run

    def pod_names(self, deployment: str | None = None) -> list[str]:
        """Active pods (not being deleted), oldest first."""
        return [
            n
            for n, r in self._pods.items()
            if r.deleting is None and (deployment is None or r.deployment == deployment)
        ]

    def delete_pod(self, name: str) -> None:
        """kubectl delete pod: the ReplicaSet notices one pod missing and creates another."""
        run = self._pod(name)
        self._delete(run, "Killing", f"Stopping container {_cname(run)}")
        self._reconcile()
        self._sample()

    def crash_loop(self, name: str, run_seconds: float = 5.0, crashes: int | None = None) -> None:
        """Make the pod's container exit `run_seconds` after every start (`crashes` times, or
        for ever): the kubelet restarts it in place with CrashLoopBackOff; no new pod."""
        run = self._pod(name)
        if run_seconds < 0:
            raise ValueError(f"run_seconds must be >= 0, got {run_seconds}")
        run.crash_after, run.crash_left = run_seconds, crashes
        if run.container == "Running":
            self._at(max(self.now, run.started + run_seconds), "exit", name, run.incarnation)
        self._sample()

    def fix(self, name: str) -> None:
        """Deploy the fix: the container stops crashing and its probes pass again."""
        run = self._pod(name)
        run.crash_after = run.crash_left = None
        run.liveness_failing = None
        run.readiness_failing_until = None
        self._sample()

    def fail_liveness(self, name: str) -> None:
        """The app hangs: liveness probes fail until the kubelet restarts the container."""
        run = self._pod(name)
        if run.liveness is None:
            raise ValueError(f"pod {name!r} has no liveness probe")
        run.liveness_failing = self.now
        if run.container == "Running":
            at = run.liveness.failure_detected_at(run.started, self.now)
            self._at(at, "liveness", name, run.incarnation)
        self._sample()

    def fail_readiness(self, name: str, seconds: float = 60.0) -> None:
        """The app cannot serve for `seconds`: the pod leaves Ready, traffic goes elsewhere."""
        run = self._pod(name)
        if run.readiness is None:
            raise ValueError(f"pod {name!r} has no readiness probe")
        until = self.now + seconds
        run.readiness_failing_until = until
        if run.container == "Running":
            at = run.readiness.failure_detected_at(run.started, self.now)
            if at < until:
                self._at(at, "unready", name, run.incarnation)
            back = run.readiness.success_detected_at(run.started, max(at, until))
            self._at(back, "ready", name, run.incarnation)
        self._sample()

    def node_down(self, name: str) -> None:
        """The node stops (kubelet silent): NotReady after the grace period, then eviction."""
        node = self._node(name)
        if not node.up:
            raise ValueError(f"node {name!r} is already down")
        node.up, node.down_since = False, self.now
        period = NODE_STATUS_UPDATE_SECONDS
        last = self.now - ((self.now - node.heartbeat_offset) % period)
        deadline = last + NODE_MONITOR_GRACE_PERIOD_SECONDS
        tick = NODE_MONITOR_PERIOD_SECONDS
        detect = (math.floor(deadline / tick) + 1) * tick  # first check strictly after
        self._at(detect, "node-lost", name, self.now)
        self._sample()

    def node_up(self, name: str) -> None:
        """The node comes back: Ready at the next status post and monitor pass."""
        node = self._node(name)
        if node.up:
            raise ValueError(f"node {name!r} is already up")
        node.up, node.down_since = True, None
        tick = NODE_MONITOR_PERIOD_SECONDS
        self._at((math.floor(self.now / tick) + 1) * tick, "node-back", name, self.now)
        self._sample()

    def _node(self, name: str) -> _NodeRun:
        if name not in self._nodes:
            raise ValueError(f"no node named {name!r}; nodes are {list(self._nodes)}")
        return self._nodes[name]

    # ------------------------------------------------------------------ the clock
    def _at(self, time: float, kind: str, *args) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (time, self._seq, kind, args))

    def run_until(self, time: float) -> Cluster:
        """Process every event up to and including `time`, then set the clock to it."""
        if time < self.now:
            raise ValueError(f"time runs forward: now is {self.now}, asked for {time}")
        queue = self._queue
        handlers = self._handlers
        while queue and queue[0][0] <= time:
            t, _, kind, args = heapq.heappop(queue)
            self.now = t
            if handlers[kind](self, *args):
                self._reconcile()
                self._sample()
        self.now = time
        return self

    def advance(self, seconds: float) -> Cluster:
        return self.run_until(self.now + seconds)

    # ------------------------------------------------------------------ handlers
    def _on_started(self, name: str, incarnation: int) -> bool:
        run = self._pods.get(name)
        if run is None or run.deleting is not None or run.incarnation != incarnation:
            return False
        node = self._nodes[run.pod.node_name]
        if not node.up:
            return False
        run.container, run.started, run.sample = "Running", self.now, None
        run.pod.phase = "Running"
        if run.restarts:
            run.last_restart = self.now
        c = _cname(run)
        if run.restarts == 0:
            self._event(
                "Normal",
                "Pulled",
                name,
                f'Container image "{_image(run)}" already present on machine',
            )
        self._event("Normal", "Created", name, f"Created container: {c}")
        self._event("Normal", "Started", name, f"Started container {c}")
        if run.readiness is None:
            self._set_ready(run, True)
        else:
            at = run.readiness.success_detected_at(self.now, self.now)
            failing = run.readiness_failing_until
            if failing is not None and failing > at:
                at = run.readiness.success_detected_at(self.now, failing)
            self._at(at, "ready", name, run.incarnation)
        if run.crash_after is not None:
            self._at(self.now + run.crash_after, "exit", name, run.incarnation)
        if run.liveness_failing is not None and run.liveness is not None:
            run.liveness_failing = self.now  # the hang persists across a restart
            at = run.liveness.failure_detected_at(self.now, self.now)
            self._at(at, "liveness", name, run.incarnation)
        return True

    def _on_ready(self, name: str, incarnation: int) -> bool:
        run = self._pods.get(name)
        if not self._alive(run, incarnation) or run.ready:
            return False
        until = run.readiness_failing_until
        if until is not None and until > self.now:
            return False
        run.readiness_failing_until = None
        self._set_ready(run, True)
        return True

    def _on_unready(self, name: str, incarnation: int) -> bool:
        run = self._pods.get(name)
        if not self._alive(run, incarnation) or not run.ready:
            return False
        self._event(
            "Warning",
            "Unhealthy",
            name,
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
        )
        self._set_ready(run, False)
        return True

    def _on_liveness(self, name: str, incarnation: int) -> bool:
        run = self._pods.get(name)
        if not self._alive(run, incarnation) or run.liveness_failing is None:
            return False
        c = _cname(run)
        self._event(
            "Warning",
            "Unhealthy",
            name,
            "Liveness probe failed: HTTP probe failed with statuscode: 500",
        )
        self._event(
            "Normal", "Killing", name, f"Container {c} failed liveness probe, will be restarted"
        )
        run.liveness_failing = None  # a restart clears a hang
        self._container_exited(run)
        return True

    def _on_exit(self, name: str, incarnation: int) -> bool:
        run = self._pods.get(name)
        if not self._alive(run, incarnation) or run.crash_after is None:
            return False
        if run.crash_left is not None:
            run.crash_left -= 1
            if run.crash_left <= 0:
                run.crash_after = run.crash_left = None
        self._container_exited(run)
        return True

    def _alive(self, run: _PodRun | None, incarnation: int) -> bool:
        return (
            run is not None
            and run.deleting is None
            and run.incarnation == incarnation
            and run.container == "Running"
            and self._nodes[run.pod.node_name].up
        )

    def _container_exited(self, run: _PodRun) -> None:
        """doBackOff: restart at once, or wait out the back-off in CrashLoopBackOff."""
        self._set_ready(run, False)
        run.incarnation += 1
        restart = run.backoff.restart_at(self.now)
        run.restarts += 1
        if restart > self.now:
            run.container, run.waiting_until = "CrashLoopBackOff", restart
            self._event(
                "Warning",
                "BackOff",
                run.pod.name,
                f"Back-off restarting failed container {_cname(run)} in pod "
                f"{run.pod.name}_{run.pod.namespace}",
            )
        else:
            run.container = "ContainerCreating"
        self._at(restart, "started", run.pod.name, run.incarnation)

    def _on_node_lost(self, name: str, down_at: float) -> bool:
        node = self._nodes[name]
        if node.up or node.down_since != down_at:
            return False
        node.ready = False
        self.scheduler.set_node(name, ready=False, reachable=False)  # Ready=Unknown
        self._event(
            "Normal", "NodeNotReady", f"node/{name}", f"Node {name} status is now: NodeNotReady"
        )
        node.tainted_at = self.now
        for run in self._pods_on(name):
            if run.deleting is None:
                self._event("Warning", "NodeNotReady", run.pod.name, "Node is not ready")
                self._set_ready(run, False)
                self._at(self.now + DEFAULT_TOLERATION_SECONDS, "evict", run.pod.name, down_at)
        return True

    def _on_evict(self, name: str, down_at: float) -> bool:
        run = self._pods.get(name)
        if run is None or run.deleting is not None:
            return False
        node = self._nodes[run.pod.node_name]
        if node.up or node.down_since != down_at:
            return False
        self._event(
            "Normal",
            "TaintManagerEviction",
            name,
            f"Marking for deletion Pod {run.pod.namespace}/{name}",
        )
        self._delete(run, None, None)
        return True

    def _on_node_back(self, name: str, up_at: float) -> bool:
        node = self._nodes[name]
        if not node.up or node.ready:
            return False
        node.ready, node.tainted_at = True, None
        self.scheduler.set_node(name, ready=True, reachable=True)
        self._event("Normal", "NodeReady", f"node/{name}", f"Node {name} status is now: NodeReady")
        for run in self._pods_on(name):
            if run.deleting is not None:  # the kubelet confirms the eviction
                self._remove(run)
            elif run.container == "Running":  # a partition heals: containers kept running
                self._at(self.now, "ready", run.pod.name, run.incarnation)
            else:
                self._at(self.now, "started", run.pod.name, run.incarnation)
        return True

    def _on_hpa(self, name: str) -> bool:
        a = self._hpas.get(name)
        if a is None:
            return False
        self._at(self.now + hpa.SYNC_PERIOD_SECONDS, "hpa", name)
        d = self._deployment(a.hpa.target_name)
        runs = [r for r in self._pods.values() if r.deployment == d.name]
        share = self.share(d.name)
        samples = []
        for r in runs:
            if r.sample is None:  # rebuilt only when the pod's status changed
                r.sample = hpa.PodSample(
                    usage_milli=None,
                    request_milli=r.request,
                    phase=r.pod.phase,
                    ready=r.ready,
                    deleted=r.deleting is not None,
                    start_time=r.started if r.started == r.started else None,
                    ready_transition_time=r.ready_since,
                )
            idle = int(self.idle_fraction * r.request)
            used = max(idle, share) if r.ready else idle
            if r.limit is not None:  # a container is throttled at its limit: metrics show that
                used = min(used, r.limit)
            r.sample.usage_milli = None if r.container != "Running" else used
            samples.append(r.sample)
        current = d.replicas
        decision = a.scaler.reconcile(self.now, current, samples)
        self.decisions.append(decision)
        a.utilization = decision.utilization
        if decision.desired_replicas == current:
            return True
        direction = "above" if decision.desired_replicas > current else "below"
        reason = (
            f"cpu resource utilization (percentage of request) {direction} target"
            if decision.metric_replicas is not None
            else f"Current number of replicas {direction} Spec.MinReplicas"
        )
        self._event(
            "Normal",
            "SuccessfulRescale",
            f"horizontalpodautoscaler/{name}",
            f"New size: {decision.desired_replicas}; reason: {reason}",
        )
        d.replicas = decision.desired_replicas
        a.last_scale = self.now
        return True

    _handlers: ClassVar[dict[str, Callable]] = {
        "started": _on_started,
        "ready": _on_ready,
        "unready": _on_unready,
        "liveness": _on_liveness,
        "exit": _on_exit,
        "node-lost": _on_node_lost,
        "evict": _on_evict,
        "node-back": _on_node_back,
        "hpa": _on_hpa,
    }

    # ------------------------------------------------------------------ controllers
    def _reconcile(self) -> None:
        for d, _ in self._deployments.values():
            self._sync_deployment(d)
        for name in list(self._workloads):
            self._sync_replicaset(self._workloads[name])
        self._schedule()

    def _sync_deployment(self, d: Deployment) -> None:
        """One ReplicaSet per template; roll from old to new within maxSurge/maxUnavailable."""
        owned = [w for w in self._workloads.values() if w.deployment == d.name]
        key = _template_hash(d.template)
        new = next((w for w in owned if w.rs.template == d.template), None)
        if new is None:
            rs = ReplicaSet(f"{d.name}-{key}", 0, dict(d.selector), d.template, d.namespace)
            new = _Workload(rs, d.name, self.now, revision=len(owned) + 1)
            self._workloads[rs.name] = new
        old = [w for w in owned if w is not new and w.rs.replicas > 0]
        if not old:
            self._set_rs_replicas(d, new, d.replicas)
            return
        surge = _resolve(d.max_surge, d.replicas, up=True)
        unavailable = _resolve(d.max_unavailable, d.replicas, up=False)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        total = sum(w.rs.replicas for w in (new, *old))
        room = d.replicas + surge - total
        if room > 0 and new.rs.replicas < d.replicas:
            self._set_rs_replicas(d, new, new.rs.replicas + min(room, d.replicas - new.rs.replicas))
        available = sum(self._ready_count(w.rs.name) for w in (new, *old))
        removable = available - (d.replicas - unavailable)
        for w in sorted(old, key=lambda w: w.created):
            # pods of an old ReplicaSet that are not ready can go at once
            unready = w.rs.replicas - self._ready_count(w.rs.name)
            cut = min(w.rs.replicas, max(removable, 0) + max(unready, 0))
            if cut > 0:
                self._set_rs_replicas(d, w, w.rs.replicas - cut)
                removable -= cut - max(unready, 0)

    def _set_rs_replicas(self, d: Deployment, w: _Workload, replicas: int) -> None:
        before = w.rs.replicas
        if replicas == before:
            return
        verb = "up" if replicas > before else "down"
        self._event(
            "Normal",
            "ScalingReplicaSet",
            f"deployment/{d.name}",
            f"Scaled {verb} replica set {w.rs.name} from {before} to {replicas}",
        )
        w.rs.replicas = replicas

    def _sync_replicaset(self, w: _Workload) -> None:
        """manageReplicas: create or delete the difference with the active pods."""
        active = [r for r in self._pods.values() if r.owner == w.rs.name and r.deleting is None]
        diff = len(active) - w.rs.replicas
        if diff < 0:
            for _ in range(-diff):
                self._create_pod(w)
        elif diff > 0:
            for run in sorted(active, key=self._deletion_rank)[:diff]:
                self._event(
                    "Normal",
                    "SuccessfulDelete",
                    f"replicaset/{w.rs.name}",
                    f"Deleted pod: {run.pod.name}",
                )
                self._delete(run, "Killing", f"Stopping container {_cname(run)}")

    def _deletion_rank(self, run: _PodRun):
        """ActivePodsWithRanks order: deleted first = unscheduled, pending, not ready, more
        pods of the set on the same node, ready for less time, more restarts, newer."""
        phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(run.pod.phase, 2)
        node = run.pod.node_name
        colocated = sum(
            1
            for r in self._pods.values()
            if r.owner == run.owner and r.pod.node_name == node and r.deleting is None
        )
        return (
            node is not None,
            phase_rank,
            run.ready,
            -colocated,
            -(run.ready_since if run.ready else 0),
            -run.restarts,
            -run.created,
        )

    def _create_pod(self, w: _Workload) -> None:
        while True:
            suffix = "".join(self.rng.choice(list(_ALPHANUMS), 5))
            name = f"{w.rs.name}-{suffix}"
            if name not in self._pods:
                break
        pod = w.rs.template.instantiate(name, w.rs.namespace)
        pod.owner = w.rs.name
        request = pod.requests().get("cpu", 0)
        probes = self._probes(pod)
        self._pods[name] = _PodRun(pod, w.rs.name, w.deployment, self.now, request, probes)
        self._event("Normal", "SuccessfulCreate", f"replicaset/{w.rs.name}", f"Created pod: {name}")

    def _probes(self, pod: Pod) -> tuple[Probe | None, Probe | None]:
        """(liveness, readiness): the pod's own, else the cluster's fallbacks."""
        first = pod.containers[0] if pod.containers else None
        liveness = first.liveness_probe if first is not None else None
        readiness = first.readiness_probe if first is not None else None
        return (
            self.liveness if liveness is None else liveness,
            self.readiness if readiness is None else readiness,
        )

    def _schedule(self) -> None:
        for run in self._pods.values():
            if run.pod.node_name is not None or run.deleting is not None:
                continue
            decision = self.scheduler.schedule_one(run.pod)
            if decision.node is None:
                self._event("Warning", "FailedScheduling", run.pod.name, decision.message)
                continue
            self._event(
                "Normal",
                "Scheduled",
                run.pod.name,
                f"Successfully assigned {run.pod.namespace}/{run.pod.name} to {decision.node}",
            )
            run.container = "ContainerCreating"
            self._at(self.now + POD_STARTUP_SECONDS, "started", run.pod.name, run.incarnation)

    def _delete(self, run: _PodRun, reason: str | None, message: str | None) -> None:
        """Set the deletion timestamp; on a reachable node the pod goes at once."""
        run.deleting, run.sample = self.now, None
        self._set_ready(run, False)
        if reason:
            self._event("Normal", reason, run.pod.name, message)
        node = run.pod.node_name
        if node is None or self._nodes[node].up:
            self._remove(run)

    def _remove(self, run: _PodRun) -> None:
        if run.pod.node_name is not None:
            self.scheduler.unbind(run.pod)
        del self._pods[run.pod.name]

    def _set_ready(self, run: _PodRun, ready: bool) -> None:
        if run.ready != ready:
            run.ready, run.ready_since = ready, self.now
            run.sample = None

    def share(self, deployment: str) -> int:
        """Millicores each Ready pod of `deployment` uses now: its demand shared evenly."""
        if deployment not in self.load:
            return 0
        ready = sum(1 for r in self._pods.values() if r.deployment == deployment and r.ready)
        return int(self.load[deployment](self.now) / ready) if ready else 0

    def _ready_count(self, rs_name: str) -> int:
        return sum(1 for r in self._pods.values() if r.owner == rs_name and r.ready)

    def _pods_on(self, node: str) -> list[_PodRun]:
        return [r for r in self._pods.values() if r.pod.node_name == node]

    # ------------------------------------------------------------------ observation
    def _event(self, type_: str, reason: str, obj: str, message: str) -> None:
        if "/" not in obj:
            obj = f"pod/{obj}"
        key = (type_, reason, obj, message)
        seen = self._events.get(key)
        if seen is None:
            self._events[key] = Event(self.now, self.now, type_, reason, obj, message)
        else:
            self._events[key] = Event(
                seen.first, self.now, type_, reason, obj, message, seen.count + 1
            )

    def _sample(self) -> None:
        desired = sum(d.replicas for d, _ in self._deployments.values())
        desired += sum(w.rs.replicas for w in self._workloads.values() if w.deployment is None)
        ready = running = restarts = waiting = replicas = 0
        for r in self._pods.values():
            ready += r.ready
            running += r.container == "Running"
            restarts += r.restarts
            waiting += r.container == "CrashLoopBackOff"
            replicas += r.deleting is None
        util = next((a.utilization for a in self._hpas.values()), None)
        load = sum(f(self.now) for f in self.load.values())
        sample = Sample(self.now, desired, ready, running, restarts, waiting, replicas, util, load)
        if self.history and self.history[-1].time == self.now:
            self.history[-1] = sample
        else:
            self.history.append(sample)

    def events(self) -> list[Event]:
        """Every event, oldest last-seen first (as `kubectl get events` sorts)."""
        return sorted(self._events.values(), key=lambda e: (e.last, e.first))

    def pod_state(self, name: str) -> dict:
        """A pod's status fields (for tests and tables)."""
        r = self._pods.get(name)
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
        return self._node(name).ready

    # ------------------------------------------------------------------ kubectl get
    def get_pods(self) -> list[list[str]]:
        rows = [["NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"]]
        for name, r in sorted(self._pods.items()):
            if r.deleting is not None:
                status = "Terminating"
            elif r.pod.node_name is None:
                status = "Pending"
            elif r.container == "Running":
                status = "Running"
            else:
                status = r.container
            restarts = str(r.restarts)
            if r.last_restart is not None and r.last_restart <= self.now:
                restarts += f" ({human_duration(self.now - r.last_restart)} ago)"
            rows.append(
                [
                    name,
                    f"{int(r.ready)}/1",
                    status,
                    restarts,
                    human_duration(self.now - r.created),
                    r.pod.node_name or "<none>",
                ]
            )
        return rows

    def get_deployments(self) -> list[list[str]]:
        rows = [["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]]
        for name, (d, created) in sorted(self._deployments.items()):
            runs = [r for r in self._pods.values() if r.deployment == name]
            ready = sum(r.ready for r in runs)
            new = next(
                (
                    w
                    for w in self._workloads.values()
                    if w.deployment == name and w.rs.template == d.template
                ),
                None,
            )
            updated = sum(1 for r in runs if new and r.owner == new.rs.name and r.deleting is None)
            rows.append(
                [
                    name,
                    f"{ready}/{d.replicas}",
                    str(updated),
                    str(ready),
                    human_duration(self.now - created),
                ]
            )
        return rows

    def get_replicasets(self) -> list[list[str]]:
        rows = [["NAME", "DESIRED", "CURRENT", "READY", "AGE"]]
        for name, w in sorted(self._workloads.items()):
            current = sum(1 for r in self._pods.values() if r.owner == name)
            rows.append(
                [
                    name,
                    str(w.rs.replicas),
                    str(current),
                    str(self._ready_count(name)),
                    human_duration(self.now - w.created),
                ]
            )
        return rows

    def get_hpa(self) -> list[list[str]]:
        rows = [["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]]
        for name, a in sorted(self._hpas.items()):
            target = a.scaler.spec.target_utilization
            current = "<unknown>" if a.utilization is None else f"{a.utilization}%"
            d = self._deployment(a.hpa.target_name)
            rows.append(
                [
                    name,
                    f"Deployment/{d.name}",
                    f"cpu: {current}/{target}%",
                    str(a.hpa.min_replicas),
                    str(a.hpa.max_replicas),
                    str(d.replicas),
                    human_duration(self.now - a.created),
                ]
            )
        return rows

    def get_nodes(self) -> list[list[str]]:
        """`kubectl get nodes`, with the pods bound and their CPU requests per node."""
        rows = [["NAME", "STATUS", "PODS", "CPU REQUESTS"]]
        for name, n in self._nodes.items():
            pods = self.scheduler.pods_on(name)
            requested = sum(p.requests().get("cpu", 0) for p in pods)
            cpu = requested * 100 // n.node.allocatable["cpu"]
            rows.append([name, "Ready" if n.ready else "NotReady", str(len(pods)), f"{cpu}%"])
        return rows

    def get_events(self, last: int | None = None) -> list[list[str]]:
        rows = [["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]]
        events = self.events()
        for e in events[-last:] if last else events:
            rows.append([human_duration(self.now - e.last), e.type, e.reason, e.object, e.message])
        return rows


def cpu_limit(pod) -> int | None:
    """The pod's CPU limit in millicores, or None when a container has none (unbounded)."""
    limits = [c.limits.get("cpu") for c in pod.containers]
    return None if not limits or None in limits else sum(limits)


def _rules(rules, default: hpa.ScalingRules) -> hpa.ScalingRules:
    """objects.HPAScalingRules (or None) -> hpa.ScalingRules."""
    if rules is None:
        return default
    policies = tuple(hpa.ScalingPolicy(p.type, p.value, p.period_seconds) for p in rules.policies)
    return hpa.ScalingRules(policies, rules.select_policy, rules.stabilization_window_seconds)


def _tolerance(rules) -> float:
    tolerance = getattr(rules, "tolerance", None)
    return hpa.DEFAULT_TOLERANCE if tolerance is None else tolerance


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


def _resolve(value: str | int, total: int, *, up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: "25%" of 10 is 3 rounded up, 2 rounded down."""
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise ValueError(
            f"maxSurge/maxUnavailable must be an integer or a percentage, got {value!r}"
        )
    exact = int(value[:-1]) * total / 100
    return math.ceil(exact) if up else math.floor(exact)


def _template_hash(template: PodTemplate) -> str:
    """A stable pod-template-hash in Kubernetes' name alphabet (10 characters)."""
    digest = hashlib.sha256(repr(template).encode()).digest()
    return "".join(_ALPHANUMS[b % len(_ALPHANUMS)] for b in digest[:10])


def _cname(run: _PodRun) -> str:
    return run.pod.containers[0].name if run.pod.containers else "app"


def _image(run: _PodRun) -> str:
    return run.pod.containers[0].image if run.pod.containers else "app"


def human_duration(seconds: float) -> str:
    """kubectl's AGE format (apimachinery duration.HumanDuration): 45s, 2m10s, 3h5m, 2d."""
    s = int(seconds)
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    return f"{hours // 24}d"


def format_table(rows: list[list[str]]) -> str:
    """Columns padded as kubectl prints them (3 spaces between columns)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "   ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows
    )


def replacement_time(
    down_at: float,
    heartbeat_offset: float = 0.0,
    *,
    grace: float = NODE_MONITOR_GRACE_PERIOD_SECONDS,
    toleration: float = DEFAULT_TOLERATION_SECONDS,
    monitor_period: float = NODE_MONITOR_PERIOD_SECONDS,
) -> float:
    """When a pod on a node that stops at `down_at` is evicted and replaced.

    Last heartbeat (status posted every 10 s) + grace, to the next node-monitor pass, then
    the 300 s toleration.
    """
    period = NODE_STATUS_UPDATE_SECONDS
    last = down_at - ((down_at - heartbeat_offset) % period)
    detect = (math.floor((last + grace) / monitor_period) + 1) * monitor_period
    return detect + toleration


def mapping_of(rows: list[list[str]]) -> list[Mapping[str, str]]:
    """Table rows as dicts keyed by the header (handy in tests and exercises)."""
    return [dict(zip(rows[0], row)) for row in rows[1:]]
