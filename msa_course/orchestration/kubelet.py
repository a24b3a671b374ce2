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
schedule the exact second a probe fails instead of ticking through every probe.
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
# k8s_formulas.md §7: the kubelet posts node status every 10 s.
NODE_STATUS_UPDATE_SECONDS = 10


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
