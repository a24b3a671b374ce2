"""The kubelet's timing: health probes and the CrashLoopBackOff restart delay.

Probes (`docs/figures.md` §3): a probe runs every `periodSeconds` from
`initialDelaySeconds` after the container starts; `failureThreshold` consecutive failures make
a liveness probe restart the container (a readiness probe marks the pod not Ready), and
`successThreshold` consecutive successes mark it Ready again. With the defaults a container
that stops answering is restarted about 30 s later.

Restart back-off (`docs/k8s_formulas.md` §6, client-go `flowcontrol.Backoff` as
the kubelet configures it): no jitter, 10 s initial, doubled per crash up to 300 s, forgotten
when a container ran longer than 10 minutes. The first restart is immediate; after the 2nd,
3rd ... consecutive crash the container waits 10, 20, 40, 80, 160, 300, 300 ... s (measured
from when it exited).

Everything is computed in closed form for a given fault time, so the cluster simulator can
schedule the exact second a probe fails instead of ticking through every probe. `Kubelet`
is the node agent that applies this timing to the simulated cluster's pods.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# figures.md §3 (Kubernetes docs, "Configure Liveness, Readiness and Startup Probes").
PROBE_INITIAL_DELAY_SECONDS = 0
PROBE_PERIOD_SECONDS = 10
PROBE_TIMEOUT_SECONDS = 1
PROBE_SUCCESS_THRESHOLD = 1
PROBE_FAILURE_THRESHOLD = 3
# k8s_formulas.md §6: pkg/kubelet/kubelet.go and v1beta1.MaxContainerBackOff.
INITIAL_BACKOFF_SECONDS = 10
MAX_BACKOFF_SECONDS = 300
BACKOFF_RESET_SECONDS = 600
# k8s_formulas.md §7: the kubelet renews its node's Lease every 10 s (a quarter of the Lease's
# 40 s duration); that renewal is the heartbeat the node-lifecycle controller watches.
NODE_LEASE_RENEW_SECONDS = 10


@dataclass(frozen=True)
class Probe:
    """A liveness or readiness probe's timing fields, with the Kubernetes defaults."""

    initial_delay_seconds: int = PROBE_INITIAL_DELAY_SECONDS
    period_seconds: int = PROBE_PERIOD_SECONDS
    timeout_seconds: int = PROBE_TIMEOUT_SECONDS
    success_threshold: int = PROBE_SUCCESS_THRESHOLD
    failure_threshold: int = PROBE_FAILURE_THRESHOLD

    def __post_init__(self):
        if self.initial_delay_seconds < 0:
            raise ValueError(f"initialDelaySeconds must be >= 0, got {self.initial_delay_seconds}")
        for name, value in (
            ("periodSeconds", self.period_seconds),
            ("timeoutSeconds", self.timeout_seconds),
            ("successThreshold", self.success_threshold),
            ("failureThreshold", self.failure_threshold),
        ):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")

    @classmethod
    def from_manifest(cls, spec: Mapping | None, *, liveness: bool = False) -> Probe | None:
        """From a container's `livenessProbe`/`readinessProbe` mapping (camelCase keys).

        As the API server defaults it (core/v1 SetDefaults_Probe): a field that is unset or 0
        takes its default (timeout 1, period 10, success 1, failure 3); initialDelaySeconds
        0 is a real value. A liveness probe's successThreshold must be 1 (API validation).
        """
        if spec is None:
            return None
        keys = {
            "initialDelaySeconds": "initial_delay_seconds",
            "periodSeconds": "period_seconds",
            "timeoutSeconds": "timeout_seconds",
            "successThreshold": "success_threshold",
            "failureThreshold": "failure_threshold",
        }
        values = {}
        for key, attr in keys.items():
            value = spec.get(key)
            if value is None or (value == 0 and key != "initialDelaySeconds"):
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{key} must be a whole number >= 0, got {value!r}")
            values[attr] = value
        if liveness and values.get("success_threshold", PROBE_SUCCESS_THRESHOLD) != 1:
            raise ValueError(
                f"successThreshold must be 1 for a liveness probe, got {values['success_threshold']}"
            )
        return cls(**values)

    def first_probe_at_or_after(self, container_start: float, t: float) -> float:
        """The first probe time >= t (probes run at start + delay + k * period)."""
        first = container_start + self.initial_delay_seconds
        if t <= first:
            return first
        return first + math.ceil((t - first) / self.period_seconds) * self.period_seconds

    def failure_detected_at(self, container_start: float, failing_since: float) -> float:
        """When the `failureThreshold`-th consecutive failing probe runs.

        (A probe that hangs fails `timeoutSeconds` later still; the simulator's probes fail
        at once, as an HTTP 500 does.)
        """
        first = self.first_probe_at_or_after(container_start, failing_since)
        return first + (self.failure_threshold - 1) * self.period_seconds

    def success_detected_at(self, container_start: float, healthy_since: float) -> float:
        """When the `successThreshold`-th consecutive succeeding probe completes."""
        first = self.first_probe_at_or_after(container_start, healthy_since)
        return first + (self.success_threshold - 1) * self.period_seconds


class CrashLoopBackOff:
    """The kubelet's per-container restart back-off (client-go Backoff, no jitter).

    `restart_at(finished_at)` is what the kubelet's `doBackOff` decides for a container that
    exited at `finished_at`: the time it starts again. Call it once per exit, in order.
    """

    def __init__(
        self,
        initial: float = INITIAL_BACKOFF_SECONDS,
        maximum: float = MAX_BACKOFF_SECONDS,
        reset_after: float = BACKOFF_RESET_SECONDS,
    ):
        if not 0 < initial <= maximum:
            raise ValueError(
                f"need 0 < initial <= maximum back-off, got initial={initial}, maximum={maximum}"
            )
        if reset_after <= 0:
            raise ValueError(f"reset_after must be > 0 s, got {reset_after}")
        self.initial, self.maximum, self.reset_after = initial, maximum, reset_after
        self.backoff: float | None = None  # no entry yet
        self.last_update = 0.0

    def _expired(self, event_time: float) -> bool:
        return event_time - self.last_update > self.reset_after

    def in_backoff(self, finished_at: float, now: float) -> float:
        """Seconds the container must still wait at `now` (0: it may start)."""
        if self.backoff is None or self._expired(finished_at):
            return 0.0
        return max(0.0, self.backoff - (now - finished_at))

    def _next(self, finished_at: float, now: float) -> None:
        if self.backoff is None or self._expired(finished_at):
            self.backoff = self.initial
        else:
            self.backoff = min(2 * self.backoff, self.maximum)
        self.last_update = now

    def restart_at(self, finished_at: float) -> float:
        """The time a container that exited at `finished_at` is started again."""
        start = finished_at + self.in_backoff(finished_at, finished_at)
        self._next(finished_at, start)
        return start


def restart_times(restarts: int, run_seconds: float = 0.0) -> list[float]:
    """When restarts 1..n happen for a container that always crashes `run_seconds` after
    it starts (first start at t = 0)."""
    if restarts < 0:
        raise ValueError(f"restarts must be >= 0, got {restarts}")
    if run_seconds < 0:
        raise ValueError(f"run_seconds must be >= 0, got {run_seconds}")
    backoff, t, times = CrashLoopBackOff(), 0.0, []
    for _ in range(restarts):
        t = backoff.restart_at(t + run_seconds)
        times.append(t)
    return times


def backoff_waits(restarts: int, run_seconds: float = 0.0) -> list[float]:
    """The wait before each of restarts 1..n (exit to start), e.g. 0, 10, 20, 40 ..."""
    times = restart_times(restarts, run_seconds)
    starts = [0.0, *times]
    return [times[i] - (starts[i] + run_seconds) for i in range(restarts)]


# --------------------------------------------------------------------------------------------
# The kubelet as a node agent in the cluster simulator
# --------------------------------------------------------------------------------------------
# Not a Kubernetes setting: time from binding to a running container (image present). The
# scalability SLO puts stateless pod startup at p99 <= 5 s (figures.md §3).
POD_STARTUP_SECONDS = 2
# core/v1 PodSpec terminationGracePeriodSeconds default: SIGTERM, then SIGKILL 30 s later.
TERMINATION_GRACE_PERIOD_SECONDS = 30
# Pod IPs: node i's podCIDR is 10.244.i.0/24 (kubeadm's --pod-network-cidr for flannel,
# split by the node-ipam controller); host-local IPAM hands out .2 upwards, in turn.
POD_CIDR = "10.244.{}.{}"


class _Container:
    """The kubelet's own state for a pod's container, beside the API object.

    `incarnation` tells a stale timer from a live one (it counts container starts);
    `crash_after`/`crash_left`, `liveness_failing` and `readiness_failing_until` are how the
    simulated app misbehaves (set by the fault injectors).
    """

    __slots__ = (
        "liveness",
        "readiness",
        "incarnation",
        "backoff",
        "crash_after",
        "crash_left",
        "liveness_failing",
        "readiness_failing_until",
    )

    def __init__(self, liveness: Probe | None, readiness: Probe | None):
        self.liveness, self.readiness = liveness, readiness
        self.incarnation = 0
        self.backoff = CrashLoopBackOff()
        self.crash_after: float | None = None
        self.crash_left: int | None = None
        self.liveness_failing: float | None = None
        self.readiness_failing_until: float | None = None


class Kubelet:
    """Every node's kubelet: starts bound pods' containers, runs their probes, restarts them
    with CrashLoopBackOff, and finishes deletions (pkg/kubelet; one object serves all nodes).

    `at(time, kind, *args)` sets a timer on the simulated clock; the cluster calls the
    `on_<kind>` handler when it fires. A container's probes are its own
    `livenessProbe`/`readinessProbe`; one that sets none has none, as in Kubernetes: it is
    Ready as soon as it runs, and nothing restarts it while it hangs.

    The app in every container answers `startup_seconds` after it starts (its probes fail
    until then) and, once its pod is deleted, keeps serving `shutdown_seconds` after SIGTERM
    before it exits (SIGKILL ends it at terminationGracePeriodSeconds, 30 s).
    """

    def __init__(self, store, at, startup_seconds: float = 0.0, shutdown_seconds: float = 0.0):
        for name, value in (("startup", startup_seconds), ("shutdown", shutdown_seconds)):
            if not 0 <= value <= 3600:
                raise ValueError(f"{name}_seconds must be between 0 and 3600, got {value}")
        self.store, self.at = store, at
        self.startup_seconds, self.shutdown_seconds = startup_seconds, shutdown_seconds
        self.containers: dict[str, _Container] = {}
        self._away: list = []  # pods deleted while their node was down
        self._terminating: set[str] = set()  # deleted pods whose app is shutting down
        self._node_ready = {name: r.node.ready for name, r in store.nodes.items()}
        self._index = {name: i for i, name in enumerate(store.nodes)}
        self._ips: dict[str, set[int]] = {name: set() for name in store.nodes}
        self._next_ip = dict.fromkeys(store.nodes, 2)
        self.app_revision = 0  # bumped whenever an app may start or stop answering

    def node_switched(self, name: str) -> None:
        """The machine `name` stopped or started: its apps with it."""
        self.app_revision += 1

    def container(self, name: str) -> _Container:
        c = self.containers.get(name)
        if c is None:
            pod = self.store.pods[name].pod
            first = pod.containers[0] if pod.containers else None
            c = self.containers[name] = _Container(
                first.liveness_probe if first is not None else None,
                first.readiness_probe if first is not None else None,
            )
        return c

    # ------------------------------------------------------------------ sync
    def sync(self) -> None:
        """Finish deletions on running nodes (a pod deleted while its node is down goes when
        the node is Ready again); resume the pods of a node that is Ready again."""
        store = self.store
        for record in store.deletions:
            node = record.pod.node_name
            if node is None or not store.nodes[node].up:
                self._away.append(record) if node is not None else self._remove(record)
            elif self.shutdown_seconds and record.container == "Running":
                self._terminating.add(record.name)  # SIGTERM: the app drains, then exits
                grace = min(self.shutdown_seconds, TERMINATION_GRACE_PERIOD_SECONDS)
                self.at(store.now + grace, "terminated", record.name)
            else:
                self._remove(record)
        store.deletions.clear()
        for name, node in store.nodes.items():
            was, self._node_ready[name] = self._node_ready[name], node.node.ready
            if not node.node.ready or was:
                continue
            for record in [r for r in self._away if r.pod.node_name == name]:
                self._away.remove(record)
                self._remove(record)
            for record in store.pods_on(name):
                c = self.container(record.name)
                kind = "ready" if record.container == "Running" else "started"
                self.at(store.now, kind, record.name, c.incarnation)

    def on_terminated(self, name: str) -> bool:
        """The app exited after SIGTERM (or SIGKILL at the grace period): the pod is gone,
        unless its node went down meanwhile (then it goes when the node is back)."""
        record = self.store.pods.get(name)
        if record is None or name not in self._terminating:
            return False
        self._terminating.discard(name)
        self.app_revision += 1
        if self.store.nodes[record.pod.node_name].up:
            self._remove(record)
        else:
            self._away.append(record)
        return True

    def _remove(self, record) -> None:
        self.store.remove_pod(record)
        self.containers.pop(record.name, None)
        self._terminating.discard(record.name)
        if record.ip is not None:
            self._ips[record.pod.node_name].discard(int(record.ip.rsplit(".", 1)[1]))

    def admit(self) -> None:
        """Pods the scheduler just bound: a pod IP from the node's range, then pull (image
        present) and start their container."""
        for record in self.store.bindings:
            record.container = "ContainerCreating"
            record.ip = self._allocate_ip(record.pod.node_name)
            self.store.touch(record)
            c = self.container(record.name)
            self.at(self.store.now + POD_STARTUP_SECONDS, "started", record.name, c.incarnation)
        self.store.bindings.clear()

    def _allocate_ip(self, node: str) -> str:
        """host-local IPAM: the next free address after the last one given, wrapping."""
        used, k = self._ips[node], self._next_ip[node]
        for _ in range(253):
            if k not in used:
                break
            k = 2 if k >= 254 else k + 1
        else:
            raise ValueError(f"node {node!r} has no pod IP left in its /24")
        used.add(k)
        self._next_ip[node] = 2 if k >= 254 else k + 1
        return POD_CIDR.format(self._index[node], k)

    def serves(self, record) -> bool:
        """Whether the app in this pod answers a request now (traffic that reaches a pod that
        does not fails): running on a live node, warmed up, not hung, not failing."""
        if record.container != "Running" or not self.store.nodes[record.pod.node_name].up:
            return False
        if record.deleting is not None and record.name not in self._terminating:
            return False
        now = self.store.now
        c = self.containers[record.name]
        if now < record.started + self.startup_seconds or c.liveness_failing is not None:
            return False
        return c.readiness_failing_until is None or c.readiness_failing_until <= now

    # ------------------------------------------------------------------ timers
    def _alive(self, name: str, incarnation: int):
        """The pod's record if its container `incarnation` is still running on a live node."""
        record = self.store.pods.get(name)
        if (
            record is None
            or (record.deleting is not None and name not in self._terminating)
            or record.container != "Running"
            or self.containers[name].incarnation != incarnation
            or not self.store.nodes[record.pod.node_name].up
        ):
            return None
        return record

    def on_started(self, name: str, incarnation: int) -> bool:
        store = self.store
        record = store.pods.get(name)
        if record is None or record.deleting is not None:
            return False
        c = self.container(name)
        if c.incarnation != incarnation or not store.nodes[record.pod.node_name].up:
            return False
        now = store.now
        record.container, record.started = "Running", now
        store.touch(record)
        self.app_revision += 1
        record.pod.phase = "Running"
        if record.restarts:
            record.last_restart = now
        cname = record.container_name
        if record.restarts == 0:
            image = record.pod.containers[0].image if record.pod.containers else "app"
            store.record(
                "Normal", "Pulled", name, f'Container image "{image}" already present on machine'
            )
        store.record("Normal", "Created", name, f"Created container: {cname}")
        store.record("Normal", "Started", name, f"Started container {cname}")
        warm = now + self.startup_seconds  # the app answers from then on
        if c.readiness is None:
            store.set_ready(record, True)
        else:
            at = c.readiness.success_detected_at(now, warm)
            failing = c.readiness_failing_until
            if failing is not None and failing > at:
                at = c.readiness.success_detected_at(now, failing)
            self.at(at, "ready", name, c.incarnation)
        if c.crash_after is not None:
            self.at(now + c.crash_after, "exit", name, c.incarnation)
        if c.liveness_failing is not None and c.liveness is not None:
            c.liveness_failing = now  # the hang persists across a restart
            self.at(c.liveness.failure_detected_at(now, now), "liveness", name, c.incarnation)
        elif c.liveness is not None and c.liveness.failure_detected_at(now, now) < warm:
            c.liveness_failing = now  # liveness fails until the app is up: too slow, restarted
            self.at(c.liveness.failure_detected_at(now, now), "liveness", name, c.incarnation)
        if self.startup_seconds:
            self.at(warm, "app", name, c.incarnation)
        return True

    def on_app(self, name: str, incarnation: int) -> bool:
        """The app starts (or stops) answering now: nothing in the API changes, but the
        traffic model needs the moment."""
        self.app_revision += 1
        return False

    def on_ready(self, name: str, incarnation: int) -> bool:
        record = self._alive(name, incarnation)
        if record is None or record.ready:
            return False
        c = self.containers[name]
        until = c.readiness_failing_until
        if until is not None and until > self.store.now:
            return False
        c.readiness_failing_until = None
        self.store.set_ready(record, True)
        return True

    def on_unready(self, name: str, incarnation: int) -> bool:
        record = self._alive(name, incarnation)
        if record is None or not record.ready:
            return False
        self.store.record(
            "Warning",
            "Unhealthy",
            name,
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
        )
        self.store.set_ready(record, False)
        return True

    def on_liveness(self, name: str, incarnation: int) -> bool:
        record = self._alive(name, incarnation)
        c = self.containers.get(name)
        if record is None or c.liveness_failing is None:
            return False
        self.store.record(
            "Warning",
            "Unhealthy",
            name,
            "Liveness probe failed: HTTP probe failed with statuscode: 500",
        )
        self.store.record(
            "Normal",
            "Killing",
            name,
            f"Container {record.container_name} failed liveness probe, will be restarted",
        )
        c.liveness_failing = None  # a restart clears a hang
        self._exited(record, c)
        return True

    def on_exit(self, name: str, incarnation: int) -> bool:
        record = self._alive(name, incarnation)
        c = self.containers.get(name)
        if record is None or c.crash_after is None:
            return False
        if c.crash_left is not None:
            c.crash_left -= 1
            if c.crash_left <= 0:
                c.crash_after = c.crash_left = None
        self._exited(record, c)
        return True

    def _exited(self, record, c: _Container) -> None:
        """doBackOff: restart at once, or wait out the back-off in CrashLoopBackOff."""
        store = self.store
        store.set_ready(record, False)
        self.app_revision += 1
        c.incarnation += 1
        restart = c.backoff.restart_at(store.now)
        record.restarts += 1
        if restart > store.now:
            record.container, record.waiting_until = "CrashLoopBackOff", restart
            store.record(
                "Warning",
                "BackOff",
                record.name,
                f"Back-off restarting failed container {record.container_name} in pod "
                f"{record.name}_{record.pod.namespace}",
            )
        else:
            record.container = "ContainerCreating"
        self.at(restart, "started", record.name, c.incarnation)

    # ------------------------------------------------------------------ the app misbehaves
    def crash_loop(self, record, run_seconds: float, crashes: int | None) -> None:
        """The container exits `run_seconds` after every start (`crashes` times, or always)."""
        if run_seconds < 0:
            raise ValueError(f"run_seconds must be >= 0, got {run_seconds}")
        c = self.container(record.name)
        c.crash_after, c.crash_left = run_seconds, crashes
        if record.container == "Running":
            at = max(self.store.now, record.started + run_seconds)
            self.at(at, "exit", record.name, c.incarnation)

    def fix(self, record) -> None:
        """The fix is deployed: no more crashes, probes pass again."""
        c = self.container(record.name)
        c.crash_after = c.crash_left = None
        c.liveness_failing = None
        c.readiness_failing_until = None
        self.app_revision += 1

    def fail_liveness(self, record) -> None:
        """The app hangs: liveness probes fail until the container is restarted."""
        c = self.container(record.name)
        if c.liveness is None:
            raise ValueError(f"pod {record.name!r} has no liveness probe")
        now = self.store.now
        c.liveness_failing = now
        self.app_revision += 1
        if record.container == "Running":
            at = c.liveness.failure_detected_at(record.started, now)
            self.at(at, "liveness", record.name, c.incarnation)

    def fail_readiness(self, record, seconds: float) -> None:
        """The app cannot serve for `seconds`: readiness probes fail meanwhile."""
        c = self.container(record.name)
        if c.readiness is None:
            raise ValueError(f"pod {record.name!r} has no readiness probe")
        now = self.store.now
        until = now + seconds
        c.readiness_failing_until = until
        self.app_revision += 1
        self.at(until, "app", record.name, c.incarnation)
        if record.container == "Running":
            at = c.readiness.failure_detected_at(record.started, now)
            if at < until:
                self.at(at, "unready", record.name, c.incarnation)
            back = c.readiness.success_detected_at(record.started, max(at, until))
            self.at(back, "ready", record.name, c.incarnation)
