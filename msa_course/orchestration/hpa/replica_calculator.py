"""The HPA's replica calculator: metric samples -> desired replicas, as upstream computes them.

A transcription of `pkg/controller/podautoscaler/replica_calculator.go` (Kubernetes v1.35;
docs/k8s_formulas.md §5.1), so a learner's hand calculation and a case from upstream's
`replica_calculator_test.go` give the same answer. Integer semantics follow Go: utilisation is
`int32(sum(usage)*100 / sum(requests))`, the average of a plain metric is an int64 division,
and on the Object and External paths a result too large for an int32 is capped at 2**31 - 1
(the overflow guards of v1.34 and v1.35; docs/k8s_formulas.md §9 lists what changed when).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# kube-controller-manager defaults (RecommendedDefaultHPAControllerConfiguration, §5).
DEFAULT_TOLERANCE = 0.1
CPU_INITIALIZATION_PERIOD_SECONDS = 300
INITIAL_READINESS_DELAY_SECONDS = 30
MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1

_PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")


@dataclass(slots=True)
class PodSample:
    """What the replica calculator sees of one pod at time `now`.

    Not frozen: the cluster simulator keeps one per pod and updates `usage_milli` each sync.

    Times are absolute seconds on one clock (Go's zero time is 0.0). `usage_milli` None means
    the metrics API returned no sample; `ready` None means the pod has no Ready condition;
    `start_time` None means the pod has no StartTime yet. `request_milli` is the sum of the
    containers' requests for the resource (None: a container lacks a request).
    """

    usage_milli: int | None
    request_milli: int | None = None
    phase: str = "Running"
    ready: bool | None = True
    deleted: bool = False
    start_time: float | None = 0.0
    ready_transition_time: float = 0.0
    metric_time: float | None = None  # None: the sample is taken at `now`
    metric_window: float = 60.0

    def __post_init__(self):
        if self.phase not in _PHASES:
            raise ValueError(f"phase must be one of {_PHASES}, got {self.phase!r}")
        if self.usage_milli is not None and self.usage_milli < 0:
            raise ValueError(f"usage_milli must be >= 0, got {self.usage_milli}")
        if self.request_milli is not None and self.request_milli < 0:
            raise ValueError(f"request_milli must be >= 0, got {self.request_milli}")


@dataclass(frozen=True)
class Tolerances:
    """`isWithin(r)`: (1 - down) <= r <= (1 + up), both ends inclusive (replica_calculator.go).

    Per direction since `spec.behavior.scaleUp/scaleDown.tolerance` (KEP-4951, alpha v1.33,
    beta v1.35). The API only requires a value >= 0: upstream's own tests use 2.0, a scale-up
    tolerance that lets usage triple before the HPA acts.
    """

    down: float = DEFAULT_TOLERANCE
    up: float = DEFAULT_TOLERANCE

    def __post_init__(self):
        for name, value in (("tolerance down", self.down), ("tolerance up", self.up)):
            if not (isinstance(value, int | float) and value >= 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")

    def within(self, ratio: float) -> bool:
        return (1.0 - self.down) <= ratio <= (1.0 + self.up)


@dataclass(frozen=True)
class Recommendation:
    """A replica calculator result: `replicas`, and the metric as the HPA status reports it."""

    replicas: int
    utilization: int | None = None  # integer percent of requests (Resource Utilization)
    usage_milli: int | None = None  # raw average (Resource) or per-pod average (Pods/AverageValue)


@dataclass(frozen=True)
class PodGroups:
    """groupPods: which pods count, by index into the samples.

    `ready` is readyPodCount; `unready` pods count as 0 % on a scale-up, `missing` pods have
    no sample, `ignored` pods (being deleted, or Failed) are dropped entirely.
    """

    ready: int
    unready: frozenset[int]
    missing: frozenset[int]
    ignored: frozenset[int]


def as_tolerances(tolerance: float | Tolerances) -> Tolerances:
    if isinstance(tolerance, Tolerances):
        return tolerance
    return Tolerances(tolerance, tolerance)


def _check_current(current_replicas: int) -> None:
    if not isinstance(current_replicas, int) or current_replicas < 0:
        raise ValueError(f"current_replicas must be an integer >= 0, got {current_replicas!r}")


def _int32(replicas: float) -> int:
    """ceil, capped at MaxInt32 as getUsageRatioReplicaCount and the per-pod paths do."""
    return MAX_INT32 if replicas > MAX_INT32 else math.ceil(replicas)


def group_pods(
    pods: Sequence[PodSample],
    *,
    cpu: bool,
    now: float,
    cpu_initialization_period: float = CPU_INITIALIZATION_PERIOD_SECONDS,
    initial_readiness_delay: float = INITIAL_READINESS_DELAY_SECONDS,
) -> PodGroups:
    """groupPods: sort pods into ready, unready, missing and ignored.

    The readiness rules apply to cpu only: a pod still in its cpu initialisation period counts
    once it is Ready and one metric window has passed since it became so; after that period,
    a not-Ready pod is left out only if it never became ready.
    """
    ready, unready, missing, ignored = 0, set(), set(), set()
    for i, pod in enumerate(pods):
        if pod.deleted or pod.phase == "Failed":
            ignored.add(i)
            continue
        if pod.phase == "Pending":
            unready.add(i)
            continue
        if pod.usage_milli is None:
            missing.add(i)
            continue
        if cpu:
            if pod.ready is None or pod.start_time is None:
                is_unready = True
            elif pod.start_time + cpu_initialization_period > now:
                metric_time = now if pod.metric_time is None else pod.metric_time
                is_unready = (pod.ready is False) or (
                    metric_time < pod.ready_transition_time + pod.metric_window
                )
            else:
                is_unready = (pod.ready is False) and (
                    pod.start_time + initial_readiness_delay > pod.ready_transition_time
                )
            if is_unready:
                unready.add(i)
                continue
        ready += 1
    return PodGroups(ready, frozenset(unready), frozenset(missing), frozenset(ignored))


def _samples(pods: Sequence[PodSample], resource: str | None, now: float, **timing):
    """Shared head of both pod-metric calculators: (groups, metrics of the counted pods)."""
    if not pods:
        raise ValueError("no pods returned by selector while calculating replica count")
    if all(pod.usage_milli is None for pod in pods):
        subject = f"metrics for resource {resource}" if resource else "metric"
        source = "resource metrics API" if resource else "custom metrics API"
        raise ValueError(f"unable to get {subject}: no metrics returned from {source}")
    groups = group_pods(pods, cpu=resource == "cpu", now=now, **timing)
    left_out = groups.ignored | groups.unready | groups.missing
    metrics = {i: pod.usage_milli for i, pod in enumerate(pods) if i not in left_out}
    if not metrics:
        raise ValueError("did not receive metrics for targeted pods (pods might be unready)")
    return groups, metrics


def _utilization(metrics: Mapping[int, int], requests: Mapping[int, int], target: int):
    """GetResourceUtilizationRatio: (ratio, integer percent, raw average)."""
    usage = sum(metrics.values())
    request = sum(requests[i] for i in metrics)
    if request == 0:
        raise ValueError("the pods' requests sum to 0: utilization is undefined; set requests")
    utilization = (usage * 100) // request
    return utilization / target, utilization, usage // len(metrics)


def resource_utilization_replicas(
    current_replicas: int,
    pods: Sequence[PodSample],
    target_utilization: int,
    *,
    tolerance: float | Tolerances = DEFAULT_TOLERANCE,
    resource: str = "cpu",
    now: float = 1e9,
    cpu_initialization_period: float = CPU_INITIALIZATION_PERIOD_SECONDS,
    initial_readiness_delay: float = INITIAL_READINESS_DELAY_SECONDS,
) -> Recommendation:
    """Desired replicas for a Resource metric with a Utilization target (GetResourceReplicas).

    Utilization is an integer percent of the pods' requests. Pending and (for cpu) not-yet
    ready pods count as 0 % on a scale-up; pods without a sample count as
    max(100, target) % on a scale-down and 0 % on a scale-up; either way a flip of direction
    or a result within tolerance keeps `current_replicas`.
    """
    _check_current(current_replicas)
    if not isinstance(target_utilization, int) or target_utilization <= 0:
        raise ValueError(
            f"target_utilization must be a positive integer percent, got {target_utilization!r}"
        )
    tol = as_tolerances(tolerance)
    groups, metrics = _samples(
        pods,
        resource,
        now,
        cpu_initialization_period=cpu_initialization_period,
        initial_readiness_delay=initial_readiness_delay,
    )
    requests = {}
    for i, pod in enumerate(pods):
        if pod.request_milli is None:
            raise ValueError(
                f"missing request for {resource} in pod {i}: the HPA needs "
                f"resources.requests.{resource} on every container"
            )
        requests[i] = pod.request_milli
    ratio, utilization, raw = _utilization(metrics, requests, target_utilization)
    result = Recommendation(current_replicas, utilization, raw)

    scale_up_with_unready = bool(groups.unready) and ratio > 1.0
    if not scale_up_with_unready and not groups.missing:
        if tol.within(ratio):
            return result
        return Recommendation(math.ceil(ratio * groups.ready), utilization, raw)

    if ratio < 1.0:
        fallback = max(100, target_utilization)
        for i in groups.missing:
            metrics[i] = requests[i] * fallback // 100
    elif ratio > 1.0:
        for i in groups.missing:
            metrics[i] = 0
    if scale_up_with_unready:
        for i in groups.unready:
            metrics[i] = 0
    new_ratio, _, _ = _utilization(metrics, requests, target_utilization)
    return _rebalanced(current_replicas, ratio, new_ratio, len(metrics), tol, result)


def _rebalanced(current, ratio, new_ratio, n, tol, result: Recommendation) -> Recommendation:
    """The shared tail of both calculators: keep `current` on a small change or a flip."""
    if tol.within(new_ratio) or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return result
    replicas = math.ceil(new_ratio * n)
    if (new_ratio < 1.0 and replicas > current) or (new_ratio > 1.0 and replicas < current):
        return result
    return Recommendation(replicas, result.utilization, result.usage_milli)


def plain_metric_replicas(
    current_replicas: int,
    pods: Sequence[PodSample],
    target_average_milli: int,
    *,
    tolerance: float | Tolerances = DEFAULT_TOLERANCE,
    resource: str | None = None,
    now: float = 1e9,
    cpu_initialization_period: float = CPU_INITIALIZATION_PERIOD_SECONDS,
    initial_readiness_delay: float = INITIAL_READINESS_DELAY_SECONDS,
) -> Recommendation:
    """Desired replicas for a per-pod AverageValue target (calcPlainMetricReplicas).

    Used for Pods metrics (`resource=None`) and Resource metrics with an AverageValue target
    (`resource="cpu"` also applies the cpu readiness rules). The average is an integer
    division. A pod without a sample counts as exactly the target on a scale-down and as 0 on
    a scale-up; at a ratio of exactly 1 it is left out, as on the Resource path (since v1.28,
    kubernetes/kubernetes#117845; before, it counted as 0 and the HPA scaled down).
    """
    _check_current(current_replicas)
    if target_average_milli <= 0:
        raise ValueError(f"target_average_milli must be > 0, got {target_average_milli}")
    tol = as_tolerances(tolerance)
    groups, metrics = _samples(
        pods,
        resource,
        now,
        cpu_initialization_period=cpu_initialization_period,
        initial_readiness_delay=initial_readiness_delay,
    )

    def usage_ratio(values: Mapping[int, int]) -> tuple[float, int]:
        usage = sum(values.values()) // len(values)
        return usage / target_average_milli, usage

    ratio, usage = usage_ratio(metrics)
    result = Recommendation(current_replicas, None, usage)
    scale_up_with_unready = bool(groups.unready) and ratio > 1.0
    if not scale_up_with_unready and not groups.missing:
        if tol.within(ratio):
            return result
        return Recommendation(math.ceil(ratio * groups.ready), None, usage)
    if ratio < 1.0:
        for i in groups.missing:
            metrics[i] = target_average_milli
    elif ratio > 1.0:
        for i in groups.missing:
            metrics[i] = 0
    if scale_up_with_unready:
        for i in groups.unready:
            metrics[i] = 0
    new_ratio, _ = usage_ratio(metrics)
    return _rebalanced(current_replicas, ratio, new_ratio, len(metrics), tol, result)


def object_metric_replicas(
    current_replicas: int,
    usage_milli: int,
    target_milli: int,
    ready_pod_count: int,
    *,
    tolerance: float | Tolerances = DEFAULT_TOLERANCE,
) -> int:
    """Object or External metric with a Value target (getUsageRatioReplicaCount).

    ratio = usage/target; ceil(ratio * ready pods) outside tolerance, capped at MaxInt32.
    With 0 current replicas the result is ceil(ratio): the path that lets such a metric scale
    from zero.
    """
    _check_current(current_replicas)
    if target_milli <= 0:
        raise ValueError(f"target_milli must be > 0, got {target_milli}")
    ratio = usage_milli / target_milli
    if current_replicas == 0:
        return math.ceil(ratio)
    if as_tolerances(tolerance).within(ratio):
        return current_replicas
    return _int32(ratio * ready_pod_count)


def average_value_replicas(
    status_replicas: int,
    usage_milli: int,
    target_per_pod_milli: int,
    *,
    tolerance: float | Tolerances = DEFAULT_TOLERANCE,
) -> tuple[int, int]:
    """Object/External metric with an AverageValue target: (replicas, usage per pod).

    ceil(usage/target), capped at MaxInt32, is applied only when usage/(target*status_replicas)
    is outside tolerance (GetObjectPerPodMetricReplicas, GetExternalPerPodMetricReplicas); the
    usage per pod is capped at MaxInt64.
    """
    if status_replicas <= 0:
        raise ValueError(f"status_replicas must be > 0, got {status_replicas}")
    if target_per_pod_milli <= 0:
        raise ValueError(f"target_per_pod_milli must be > 0, got {target_per_pod_milli}")
    replicas = status_replicas
    ratio = usage_milli / (target_per_pod_milli * status_replicas)
    if not as_tolerances(tolerance).within(ratio):
        replicas = _int32(usage_milli / target_per_pod_milli)
    return replicas, min(math.ceil(usage_milli / status_replicas), MAX_INT64)
