"""One HPA's controller state on a simulated clock: reconcileAutoscaler, as the cluster runs it.

`Autoscaler.reconcile(now, current, pods)` is one sync of `pkg/controller/podautoscaler/
horizontal.go` for a cpu Utilization metric: the replica calculator, then normalisation with
or without `spec.behavior`, keeping the recommendation log and the scale events between syncs
(Kubernetes v1.35; docs/k8s_formulas.md §5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from msa_course.orchestration.hpa.normalization import (
    DOWNSCALE_STABILIZATION_SECONDS,
    ScaleEvent,
    ScalingRules,
    behavior_window_bounds,
    check_bounds,
    default_scale_down_rules,
    default_scale_up_rules,
    limit_with_behavior,
    limit_without_behavior,
    log_recommendation,
    store_scale_event,
    window_bounds,
)
from msa_course.orchestration.hpa.replica_calculator import (
    DEFAULT_TOLERANCE,
    PodSample,
    Tolerances,
    as_tolerances,
    resource_utilization_replicas,
)

SYNC_PERIOD_SECONDS = 15  # --horizontal-pod-autoscaler-sync-period
# autoscaling/v2 API defaults (pkg/apis/autoscaling/v2/defaults.go, §5).
DEFAULT_MIN_REPLICAS = 1
DEFAULT_CPU_UTILIZATION = 80


@dataclass
class AutoscalerSpec:
    """The parts of an autoscaling/v2 HPA the simulator uses (cpu Utilization metric)."""

    max_replicas: int
    min_replicas: int = DEFAULT_MIN_REPLICAS
    target_utilization: int = DEFAULT_CPU_UTILIZATION
    behavior: bool = False  # True: spec.behavior is set (policies below apply)
    scale_up: ScalingRules = field(default_factory=default_scale_up_rules)
    scale_down: ScalingRules = field(default_factory=default_scale_down_rules)
    tolerance: float | Tolerances = DEFAULT_TOLERANCE

    def __post_init__(self):
        check_bounds(self.min_replicas, self.max_replicas)
        if self.target_utilization <= 0:
            raise ValueError(f"target utilization must be > 0 %, got {self.target_utilization}")
        self.tolerance = as_tolerances(self.tolerance)


@dataclass(frozen=True)
class Decision:
    """One reconcile: what the calculator wanted and what the HPA set."""

    time: float
    current_replicas: int
    metric_replicas: int | None
    desired_replicas: int
    utilization: int | None
    reason: str


class Autoscaler:
    """reconcileAutoscaler for one HPA: keeps the recommendation log and scale events.

    `reconcile(now, current, pods)` returns a `Decision`; the caller scales the target.
    """

    def __init__(
        self,
        spec: AutoscalerSpec,
        *,
        downscale_stabilization_seconds: float = DOWNSCALE_STABILIZATION_SECONDS,
    ):
        self.spec = spec
        self.downscale_window = downscale_stabilization_seconds
        self._recs: list[tuple[int, float]] = []  # (recommendation, time)
        self._up: list[tuple[int, float, bool]] = []  # (change, time, outdated)
        self._down: list[tuple[int, float, bool]] = []

    def reconcile(self, now: float, current_replicas: int, pods: Sequence[PodSample]) -> Decision:
        spec = self.spec
        if current_replicas == 0 and spec.min_replicas != 0:
            return Decision(now, 0, None, 0, None, "ScalingDisabled")
        if current_replicas > spec.max_replicas:
            return Decision(now, current_replicas, None, spec.max_replicas, None, "TooManyReplicas")
        if current_replicas < spec.min_replicas:
            return Decision(now, current_replicas, None, spec.min_replicas, None, "TooFewReplicas")
        try:
            rec = resource_utilization_replicas(
                current_replicas, pods, spec.target_utilization, tolerance=spec.tolerance, now=now
            )
        except ValueError as err:  # no metrics yet: the real HPA reports FailedGetResourceMetric
            return Decision(now, current_replicas, None, current_replicas, None, str(err))
        # the log as (recommendation, seconds ago) pairs, for the window loops
        recs = [(r, now - t) for r, t in self._recs]
        if spec.behavior:
            down_window = spec.scale_down.stabilization_window_seconds
            if down_window is None:
                down_window = self.downscale_window
            up, down, old = behavior_window_bounds(
                rec.replicas, recs, spec.scale_up.stabilization_window_seconds or 0, down_window
            )
            stabilized = min(max(current_replicas, up), down)
            if stabilized == current_replicas:  # within range: the policies do not apply
                desired, reason = stabilized, "DesiredWithinRange"
            else:
                desired, reason = limit_with_behavior(
                    current_replicas,
                    stabilized,
                    spec.min_replicas,
                    spec.max_replicas,
                    spec.scale_up,
                    spec.scale_down,
                    self._events(self._up, now),
                    self._events(self._down, now),
                )
        else:
            stabilized, old = window_bounds(rec.replicas, recs, self.downscale_window)
            desired, reason = limit_without_behavior(
                current_replicas, stabilized, spec.min_replicas, spec.max_replicas
            )
        self._recs = log_recommendation(self._recs, old, (rec.replicas, now))
        if spec.behavior and desired != current_replicas:
            self._store_event(now, current_replicas, desired)
        return Decision(now, current_replicas, rec.replicas, desired, rec.utilization, reason)

    @staticmethod
    def _events(events: list[tuple[int, float, bool]], now: float) -> list[ScaleEvent]:
        return [ScaleEvent(change, now - t, outdated) for change, t, outdated in events]

    def _store_event(self, now: float, previous: int, new: int) -> None:
        up = new > previous
        events = self._up if up else self._down
        rules = self.spec.scale_up if up else self.spec.scale_down
        stored = store_scale_event(self._events(events, now), rules, previous, new)
        events[:] = [(e.replica_change, now - e.seconds_ago, e.outdated) for e in stored]
