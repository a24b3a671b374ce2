"""The HorizontalPodAutoscaler's arithmetic, as upstream computes it, on plain numbers.

Three public layers, each a transcription of `pkg/controller/podautoscaler/` (see
`docs/k8s_formulas.md` §5), so a learner's hand calculation and a vector from
the upstream unit tests give the same answer:

1. the replica calculator (`resource_utilization_replicas`, `plain_metric_replicas`,
   `object_metric_replicas`, `average_value_replicas`): metric samples -> desired replicas;
2. normalisation (`stabilize`, `stabilize_with_behavior`, `limit_without_behavior`,
   `limit_with_behavior`, `scale_up_limit`, `scale_down_limit`): stabilisation windows and the
   autoscaling/v2 scaling policies;
3. `Autoscaler`: one HPA's controller state (recommendation log, scale events) on a simulated
   clock, used by the cluster simulator.

Integer semantics follow Go: utilisation is `int32(sum(usage)*100 / sum(requests))`, the
average of a plain metric is an int64 division, and a Percent scale-down limit truncates.
Time is in seconds. A sample "seconds ago" lies inside a window of W seconds iff it is
strictly younger than W (Go's `timestamp.After(now - W)`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# kube-controller-manager defaults (RecommendedDefaultHPAControllerConfiguration, §5).
SYNC_PERIOD_SECONDS = 15
DEFAULT_TOLERANCE = 0.1
DOWNSCALE_STABILIZATION_SECONDS = 300
CPU_INITIALIZATION_PERIOD_SECONDS = 300
INITIAL_READINESS_DELAY_SECONDS = 30
# normalizeDesiredReplicas without behavior: scaleUpLimitFactor, scaleUpLimitMinimum (§5.2).
SCALE_UP_LIMIT_FACTOR = 2.0
SCALE_UP_LIMIT_MINIMUM = 4.0
# autoscaling/v2 API defaults (pkg/apis/autoscaling/v2/defaults.go, §5).
DEFAULT_MIN_REPLICAS = 1
DEFAULT_CPU_UTILIZATION = 80

_SELECT_POLICIES = ("Max", "Min", "Disabled")
_POLICY_TYPES = ("Pods", "Percent")
_PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")


# --------------------------------------------------------------------------------------------
# 1. Replica calculator
# --------------------------------------------------------------------------------------------


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
    """`isWithin(r)`: (1 - down) <= r <= (1 + up), both ends inclusive (replica_calculator.go)."""

    down: float = DEFAULT_TOLERANCE
    up: float = DEFAULT_TOLERANCE

    def __post_init__(self):
        for name, value in (("tolerance down", self.down), ("tolerance up", self.up)):
            if not (0 <= value < 1):
                raise ValueError(f"{name} must be in [0, 1), got {value}")

    def within(self, ratio: float) -> bool:
        return (1.0 - self.down) <= ratio <= (1.0 + self.up)


@dataclass(frozen=True)
class Recommendation:
    """A replica calculator result: `replicas`, and the metric as the HPA status reports it."""

    replicas: int
    utilization: int | None = None  # integer percent of requests (Resource Utilization)
    usage_milli: int | None = None  # raw average (Resource) or per-pod average (Pods/AverageValue)


def _tolerances(tolerance: float | Tolerances) -> Tolerances:
    if isinstance(tolerance, Tolerances):
        return tolerance
    return Tolerances(tolerance, tolerance)


def _check_current(current_replicas: int) -> None:
    if not isinstance(current_replicas, int) or current_replicas < 0:
        raise ValueError(f"current_replicas must be an integer >= 0, got {current_replicas!r}")


def _group_pods(
    pods: Sequence[PodSample],
    *,
    cpu: bool,
    now: float,
    cpu_initialization_period: float,
    initial_readiness_delay: float,
) -> tuple[int, list[int], list[int], dict[int, int]]:
    """groupPods: (readyPodCount, unready indices, missing indices, metrics of the rest)."""
    ready_count, unready, missing, metrics = 0, [], [], {}
    for i, pod in enumerate(pods):
        if pod.deleted or pod.phase == "Failed":
            continue  # ignored: dropped entirely
        if pod.phase == "Pending":
            unready.append(i)
            continue
        if pod.usage_milli is None:
            missing.append(i)
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
                unready.append(i)
                continue
        metrics[i] = pod.usage_milli
        ready_count += 1
    return ready_count, unready, missing, metrics


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
    if not pods:
        raise ValueError("no pods returned by selector while calculating replica count")
    tol = _tolerances(tolerance)
    ready_count, unready, missing, metrics = _group_pods(
        pods,
        cpu=resource == "cpu",
        now=now,
        cpu_initialization_period=cpu_initialization_period,
        initial_readiness_delay=initial_readiness_delay,
    )
    if not metrics:
        raise ValueError("did not receive metrics for targeted pods (pods might be unready)")
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

    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if tol.within(ratio):
            return result
        return Recommendation(math.ceil(ratio * ready_count), utilization, raw)

    if missing:
        if ratio < 1.0:
            fallback = max(100, target_utilization)
            for i in missing:
                metrics[i] = requests[i] * fallback // 100
        elif ratio > 1.0:
            for i in missing:
                metrics[i] = 0
    if scale_up_with_unready:
        for i in unready:
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
    division; a pod without a sample counts as exactly the target on a scale-down and as 0
    otherwise (upstream's `else`: also when the ratio is exactly 1).
    """
    _check_current(current_replicas)
    if target_average_milli <= 0:
        raise ValueError(f"target_average_milli must be > 0, got {target_average_milli}")
    if not pods:
        raise ValueError("no pods returned by selector while calculating replica count")
    tol = _tolerances(tolerance)
    ready_count, unready, missing, metrics = _group_pods(
        pods,
        cpu=resource == "cpu",
        now=now,
        cpu_initialization_period=cpu_initialization_period,
        initial_readiness_delay=initial_readiness_delay,
    )
    if not metrics:
        raise ValueError("did not receive metrics for targeted pods (pods might be unready)")

    def usage_ratio(values: Mapping[int, int]) -> tuple[float, int]:
        usage = sum(values.values()) // len(values)
        return usage / target_average_milli, usage

    ratio, usage = usage_ratio(metrics)
    result = Recommendation(current_replicas, None, usage)
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if tol.within(ratio):
            return result
        return Recommendation(math.ceil(ratio * ready_count), None, usage)
    if missing:  # unlike the Resource path, a ratio of exactly 1 counts as a scale-up here
        if ratio < 1.0:
            for i in missing:
                metrics[i] = target_average_milli
        else:
            for i in missing:
                metrics[i] = 0
    if scale_up_with_unready:
        for i in unready:
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

    ratio = usage/target; ceil(ratio * ready pods) outside tolerance. With 0 current replicas
    the result is ceil(ratio): the path that lets such a metric scale from zero.
    """
    _check_current(current_replicas)
    if target_milli <= 0:
        raise ValueError(f"target_milli must be > 0, got {target_milli}")
    ratio = usage_milli / target_milli
    if current_replicas == 0:
        return math.ceil(ratio)
    if _tolerances(tolerance).within(ratio):
        return current_replicas
    return math.ceil(ratio * ready_pod_count)


def average_value_replicas(
    status_replicas: int,
    usage_milli: int,
    target_per_pod_milli: int,
    *,
    tolerance: float | Tolerances = DEFAULT_TOLERANCE,
) -> tuple[int, int]:
    """Object/External metric with an AverageValue target: (replicas, usage per pod).

    ceil(usage/target) is applied only when usage/(target*status_replicas) is outside
    tolerance (GetObjectPerPodMetricReplicas, GetExternalPerPodMetricReplicas).
    """
    if status_replicas <= 0:
        raise ValueError(f"status_replicas must be > 0, got {status_replicas}")
    if target_per_pod_milli <= 0:
        raise ValueError(f"target_per_pod_milli must be > 0, got {target_per_pod_milli}")
    replicas = status_replicas
    ratio = usage_milli / (target_per_pod_milli * status_replicas)
    if not _tolerances(tolerance).within(ratio):
        replicas = math.ceil(usage_milli / target_per_pod_milli)
    return replicas, math.ceil(usage_milli / status_replicas)


# --------------------------------------------------------------------------------------------
# 2. Normalisation: stabilisation windows and scaling policies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScalingPolicy:
    """One HPAScalingPolicy: change at most `value` Pods or Percent per `period_seconds`."""

    type: str
    value: int
    period_seconds: int

    def __post_init__(self):
        if self.type not in _POLICY_TYPES:
            raise ValueError(f"policy type must be one of {_POLICY_TYPES}, got {self.type!r}")
        if self.value <= 0:
            raise ValueError(f"policy value must be > 0, got {self.value}")
        if not 0 < self.period_seconds <= 1800:
            raise ValueError(f"periodSeconds must be in 1..1800, got {self.period_seconds}")


@dataclass(frozen=True)
class ScalingRules:
    """HPAScalingRules for one direction. `stabilization_window_seconds` None: controller's."""

    policies: tuple[ScalingPolicy, ...]
    select_policy: str = "Max"
    stabilization_window_seconds: int | None = None

    def __post_init__(self):
        if self.select_policy not in _SELECT_POLICIES:
            raise ValueError(
                f"selectPolicy must be one of {_SELECT_POLICIES}, got {self.select_policy!r}"
            )
        window = self.stabilization_window_seconds
        if window is not None and not 0 <= window <= 3600:
            raise ValueError(f"stabilizationWindowSeconds must be in 0..3600, got {window}")

    @classmethod
    def from_dict(cls, spec: Mapping) -> ScalingRules:
        """From the manifest's camelCase form: {stabilizationWindowSeconds, selectPolicy,
        policies: [{type, value, periodSeconds}]}."""
        policies = tuple(
            ScalingPolicy(p["type"], int(p["value"]), int(p["periodSeconds"]))
            for p in spec.get("policies", ())
        )
        return cls(
            policies, spec.get("selectPolicy") or "Max", spec.get("stabilizationWindowSeconds")
        )


def default_scale_up_rules() -> ScalingRules:
    """scaleUp when `behavior` is set but scaleUp is not: 0 s window, max(4 pods, 100 %)/15 s."""
    return ScalingRules((ScalingPolicy("Pods", 4, 15), ScalingPolicy("Percent", 100, 15)), "Max", 0)


def default_scale_down_rules() -> ScalingRules:
    """scaleDown default: 100 %/15 s; window None -> the controller's 300 s."""
    return ScalingRules((ScalingPolicy("Percent", 100, 15),), "Max", None)


@dataclass(frozen=True)
class ScaleEvent:
    """A past scale change of `replica_change` (>= 0) pods, `seconds_ago` before now."""

    replica_change: int
    seconds_ago: float


def _rules(rules: ScalingRules | Mapping) -> ScalingRules:
    return rules if isinstance(rules, ScalingRules) else ScalingRules.from_dict(rules)


def _events(events: Iterable | None) -> list[ScaleEvent]:
    out = []
    for e in events or ():
        if isinstance(e, ScaleEvent):
            out.append(e)
        elif isinstance(e, Mapping):
            out.append(ScaleEvent(int(e["replicaChange"]), float(e["secondsAgo"])))
        else:
            change, ago = e
            out.append(ScaleEvent(int(change), float(ago)))
    return out


def replicas_change_in_period(period_seconds: float, events: Iterable) -> int:
    """getReplicasChangePerPeriod: the sum of changes strictly younger than the period."""
    return sum(e.replica_change for e in _events(events) if e.seconds_ago < period_seconds)


def _period_start(current: int, policy: ScalingPolicy, up_events, down_events) -> int:
    added = replicas_change_in_period(policy.period_seconds, up_events)
    deleted = replicas_change_in_period(policy.period_seconds, down_events)
    return current - added + deleted


def scale_up_limit(
    current_replicas: int,
    rules: ScalingRules | Mapping,
    up_events: Iterable = (),
    down_events: Iterable = (),
) -> int:
    """calculateScaleUpLimitWithScalingRules: the most replicas the policies allow now.

    Per policy, from the replicas at the start of its period: Pods -> start + value, Percent ->
    ceil(start * (1 + value/100)). selectPolicy Max takes the largest, Min the smallest,
    Disabled returns `current_replicas`.
    """
    rules = _rules(rules)
    if rules.select_policy == "Disabled":
        return current_replicas
    proposals = []
    for policy in rules.policies:
        start = _period_start(current_replicas, policy, up_events, down_events)
        if policy.type == "Pods":
            proposals.append(start + policy.value)
        else:
            proposals.append(math.ceil(start * (1 + policy.value / 100)))
    if not proposals:
        return -(2**31) if rules.select_policy == "Max" else 2**31 - 1
    return max(proposals) if rules.select_policy == "Max" else min(proposals)


def scale_down_limit(
    current_replicas: int,
    rules: ScalingRules | Mapping,
    up_events: Iterable = (),
    down_events: Iterable = (),
) -> int:
    """calculateScaleDownLimitWithBehaviors: the fewest replicas the policies allow now.

    Per policy: Pods -> start - value, Percent -> int(start * (1 - value/100)) (truncated).
    selectPolicy Max (the biggest change) takes the smallest, Min the largest.
    """
    rules = _rules(rules)
    if rules.select_policy == "Disabled":
        return current_replicas
    proposals = []
    for policy in rules.policies:
        start = _period_start(current_replicas, policy, up_events, down_events)
        if policy.type == "Pods":
            proposals.append(start - policy.value)
        else:
            proposals.append(int(start * (1 - policy.value / 100)))
    if not proposals:
        return 2**31 - 1 if rules.select_policy == "Max" else -(2**31)
    return min(proposals) if rules.select_policy == "Max" else max(proposals)


def _check_bounds(min_replicas: int, max_replicas: int) -> None:
    if min_replicas < 0 or max_replicas < 1 or min_replicas > max_replicas:
        raise ValueError(
            f"need 0 <= minReplicas <= maxReplicas and maxReplicas >= 1, got "
            f"minReplicas={min_replicas}, maxReplicas={max_replicas}"
        )


def limit_with_behavior(
    current_replicas: int,
    desired_replicas: int,
    min_replicas: int,
    max_replicas: int,
    scale_up_rules: ScalingRules | Mapping | None = None,
    scale_down_rules: ScalingRules | Mapping | None = None,
    up_events: Iterable = (),
    down_events: Iterable = (),
) -> tuple[int, str]:
    """convertDesiredReplicasWithBehaviorRate: (replicas, condition reason).

    The reason is one of ScaleUpLimit, TooManyReplicas, ScaleDownLimit, TooFewReplicas,
    DesiredWithinRange, as the HPA's ScalingLimited condition reports it.
    """
    _check_bounds(min_replicas, max_replicas)
    up = _rules(scale_up_rules) if scale_up_rules is not None else default_scale_up_rules()
    down = _rules(scale_down_rules) if scale_down_rules is not None else default_scale_down_rules()
    if desired_replicas > current_replicas:
        limit = max(scale_up_limit(current_replicas, up, up_events, down_events), current_replicas)
        if max_replicas > limit:
            allowed, reason = limit, "ScaleUpLimit"
        else:
            allowed, reason = max_replicas, "TooManyReplicas"
        if desired_replicas > allowed:
            return allowed, reason
    elif desired_replicas < current_replicas:
        limit = min(
            scale_down_limit(current_replicas, down, up_events, down_events), current_replicas
        )
        if min_replicas < limit:
            allowed, reason = limit, "ScaleDownLimit"
        else:
            allowed, reason = min_replicas, "TooFewReplicas"
        if desired_replicas < allowed:
            return allowed, reason
    return desired_replicas, "DesiredWithinRange"


def limit_without_behavior(
    current_replicas: int, desired_replicas: int, min_replicas: int, max_replicas: int
) -> tuple[int, str]:
    """convertDesiredReplicasWithRules: clamp to [min, min(max, max(2*current, 4))]."""
    _check_bounds(min_replicas, max_replicas)
    up_limit = int(max(SCALE_UP_LIMIT_FACTOR * current_replicas, SCALE_UP_LIMIT_MINIMUM))
    if max_replicas > up_limit:
        allowed, reason = up_limit, "ScaleUpLimit"
    else:
        allowed, reason = max_replicas, "TooManyReplicas"
    if desired_replicas < min_replicas:
        return min_replicas, "TooFewReplicas"
    if desired_replicas > allowed:
        return allowed, reason
    return desired_replicas, "DesiredWithinRange"


@dataclass(frozen=True)
class TimedRecommendation:
    """A past unstabilised recommendation, `seconds_ago` before now."""

    recommendation: int
    seconds_ago: float


def _recs(recommendations: Iterable) -> list[TimedRecommendation]:
    out = []
    for r in recommendations or ():
        if isinstance(r, TimedRecommendation):
            out.append(r)
        elif isinstance(r, Mapping):
            out.append(TimedRecommendation(int(r["recommendation"]), float(r["secondsAgo"])))
        else:
            rec, ago = r
            out.append(TimedRecommendation(int(rec), float(ago)))
    return out


def _record(log: list[TimedRecommendation], old_index: int | None, desired: int):
    new = TimedRecommendation(desired, 0.0)
    if old_index is None:
        return [*log, new]
    return [*log[:old_index], new, *log[old_index + 1 :]]


def stabilize(
    desired_replicas: int,
    recommendations: Iterable = (),
    window_seconds: float = DOWNSCALE_STABILIZATION_SECONDS,
) -> tuple[int, list[TimedRecommendation]]:
    """stabilizeRecommendation (no `behavior`): max(desired, recommendations in the window).

    Returns (stabilised, the new log): the last entry older than the window is replaced by
    the new recommendation, otherwise it is appended.
    """
    log = _recs(recommendations)
    best, old = desired_replicas, None
    for i, r in enumerate(log):
        if r.seconds_ago >= window_seconds:
            old = i
        elif r.recommendation > best:
            best = r.recommendation
    return best, _record(log, old, desired_replicas)


def stabilize_with_behavior(
    current_replicas: int,
    desired_replicas: int,
    recommendations: Iterable = (),
    scale_up_window_seconds: float = 0,
    scale_down_window_seconds: float = DOWNSCALE_STABILIZATION_SECONDS,
) -> tuple[int, str, list[TimedRecommendation]]:
    """stabilizeRecommendationWithBehaviors: (stabilised, reason, the new log).

    up = min(desired, recommendations in the scale-up window), down = max(desired,
    recommendations in the scale-down window); the result is `current` clamped to [up, down].
    """
    log = _recs(recommendations)
    up = down = desired_replicas
    old = None
    for i, r in enumerate(log):
        if r.seconds_ago < scale_up_window_seconds:
            up = min(up, r.recommendation)
        if r.seconds_ago < scale_down_window_seconds:
            down = max(down, r.recommendation)
        if r.seconds_ago >= scale_up_window_seconds and r.seconds_ago >= scale_down_window_seconds:
            old = i
    stabilized = min(max(current_replicas, up), down)
    reason = "ScaleUpStabilized" if desired_replicas >= current_replicas else "ScaleDownStabilized"
    return stabilized, reason, _record(log, old, desired_replicas)


# --------------------------------------------------------------------------------------------
# 3. One HPA's controller state on a simulated clock
# --------------------------------------------------------------------------------------------


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
        _check_bounds(self.min_replicas, self.max_replicas)
        if self.target_utilization <= 0:
            raise ValueError(f"target utilization must be > 0 %, got {self.target_utilization}")
        self.tolerance = _tolerances(self.tolerance)


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
        self._up: list[tuple[int, float]] = []  # (change, time)
        self._down: list[tuple[int, float]] = []

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
        recs = [TimedRecommendation(r, now - t) for r, t in self._recs]
        if spec.behavior:
            down_window = spec.scale_down.stabilization_window_seconds
            if down_window is None:
                down_window = self.downscale_window
            stabilized, _, log = stabilize_with_behavior(
                current_replicas,
                rec.replicas,
                recs,
                spec.scale_up.stabilization_window_seconds or 0,
                down_window,
            )
            up_events = [ScaleEvent(c, now - t) for c, t in self._up]
            down_events = [ScaleEvent(c, now - t) for c, t in self._down]
            desired, reason = limit_with_behavior(
                current_replicas,
                stabilized,
                spec.min_replicas,
                spec.max_replicas,
                spec.scale_up,
                spec.scale_down,
                up_events,
                down_events,
            )
        else:
            stabilized, log = stabilize(rec.replicas, recs, self.downscale_window)
            desired, reason = limit_without_behavior(
                current_replicas, stabilized, spec.min_replicas, spec.max_replicas
            )
        self._recs = [(r.recommendation, now - r.seconds_ago) for r in log]
        if spec.behavior and desired != current_replicas:
            self._store_event(now, current_replicas, desired)
        return Decision(now, current_replicas, rec.replicas, desired, rec.utilization, reason)

    def _store_event(self, now: float, previous: int, new: int) -> None:
        """storeScaleEvent: reuse a slot older than the direction's longest policy period."""
        if new > previous:
            events, rules, change = self._up, self.spec.scale_up, new - previous
        else:
            events, rules, change = self._down, self.spec.scale_down, previous - new
        longest = max((p.period_seconds for p in rules.policies), default=0)
        old = [i for i, (_, t) in enumerate(events) if t < now - longest]
        if old:
            events[old[-1]] = (change, now)
        else:
            events.append((change, now))
