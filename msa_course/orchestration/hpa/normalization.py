"""HPA normalisation: stabilisation windows and the autoscaling/v2 scaling policies.

A transcription of the normalisation half of `pkg/controller/podautoscaler/horizontal.go`
(Kubernetes v1.35; docs/k8s_formulas.md §5.2): `stabilize` and `limit_without_behavior` are
what the controller does for an HPA without `spec.behavior`, `stabilize_with_behavior` and
`limit_with_behavior` what it does with one, and `store_scale_event` keeps the scale events the
policies count. Time is in seconds; a sample "seconds ago" lies inside a window of W seconds
iff it is strictly younger than W (Go's `timestamp.After(now - W)`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

# normalizeDesiredReplicas without behavior: scaleUpLimitFactor, scaleUpLimitMinimum (§5.2).
SCALE_UP_LIMIT_FACTOR = 2.0
SCALE_UP_LIMIT_MINIMUM = 4.0
DOWNSCALE_STABILIZATION_SECONDS = 300

_SELECT_POLICIES = ("Max", "Min", "Disabled")
_POLICY_TYPES = ("Pods", "Percent")


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
    """A past scale change of `replica_change` (>= 0) pods, `seconds_ago` before now.

    `outdated`: older than the direction's longest policy period when the last event was
    stored (markScaleEventsOutdated); such a slot is reused rather than the list growing.
    """

    replica_change: int
    seconds_ago: float
    outdated: bool = False


def _rules(rules: ScalingRules | Mapping) -> ScalingRules:
    return rules if isinstance(rules, ScalingRules) else ScalingRules.from_dict(rules)


def _events(events: Iterable | None) -> list[ScaleEvent]:
    out = []
    for e in events or ():
        if isinstance(e, ScaleEvent):
            out.append(e)
        elif isinstance(e, Mapping):
            out.append(
                ScaleEvent(int(e["replicaChange"]), float(e["secondsAgo"]), bool(e.get("outdated")))
            )
        else:
            change, ago, *outdated = e
            out.append(ScaleEvent(int(change), float(ago), bool(outdated and outdated[0])))
    return out


def store_scale_event(
    events: Iterable, rules: ScalingRules | Mapping | None, previous: int, new: int
) -> list[ScaleEvent]:
    """storeScaleEvent: `events` (of the direction of previous -> new) after the change.

    `rules` are that direction's ScalingRules, None when the HPA has no `spec.behavior` (then
    nothing is stored: the events would never be read). Events older than the longest policy
    period are marked outdated, and the last of them is replaced by the new event.
    """
    events = _events(events)
    if rules is None:
        return events
    longest = max((p.period_seconds for p in _rules(rules).policies), default=0)
    events = [replace(e, outdated=True) if e.seconds_ago > longest else e for e in events]
    new_event = ScaleEvent(abs(new - previous), 0.0)
    old = [i for i, e in enumerate(events) if e.outdated]
    if old:
        events[old[-1]] = new_event
    else:
        events.append(new_event)
    return events


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


def check_bounds(min_replicas: int, max_replicas: int) -> None:
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
    check_bounds(min_replicas, max_replicas)
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
    check_bounds(min_replicas, max_replicas)
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


def log_recommendation(log: list, old_index: int | None, new) -> list:
    """The log with `new` in the place of the entry at `old_index`, or appended."""
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
    best, old = window_bounds(
        desired_replicas, [(r.recommendation, r.seconds_ago) for r in log], window_seconds
    )
    return best, log_recommendation(log, old, TimedRecommendation(desired_replicas, 0.0))


def window_bounds(desired_replicas: int, log: list[tuple[int, float]], window_seconds: float):
    """stabilizeRecommendation's loop on (recommendation, seconds ago) pairs: (the largest
    recommendation in the window, the index of the last entry older than it or None)."""
    best, old = desired_replicas, None
    for i, (recommendation, ago) in enumerate(log):
        if ago >= window_seconds:
            old = i
        elif recommendation > best:
            best = recommendation
    return best, old


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
    up, down, old = behavior_window_bounds(
        desired_replicas,
        [(r.recommendation, r.seconds_ago) for r in log],
        scale_up_window_seconds,
        scale_down_window_seconds,
    )
    stabilized = min(max(current_replicas, up), down)
    reason = "ScaleUpStabilized" if desired_replicas >= current_replicas else "ScaleDownStabilized"
    return (
        stabilized,
        reason,
        log_recommendation(log, old, TimedRecommendation(desired_replicas, 0.0)),
    )


def behavior_window_bounds(
    desired_replicas: int, log: list[tuple[int, float]], up_window: float, down_window: float
):
    """stabilizeRecommendationWithBehaviors' loop on (recommendation, seconds ago) pairs:
    (up, down, the index of the last entry older than both windows or None). The Autoscaler
    calls it directly, on its own log, once per sync."""
    up = down = desired_replicas
    old = None
    for i, (recommendation, ago) in enumerate(log):
        if ago < up_window:
            up = min(up, recommendation)
        if ago < down_window:
            down = max(down, recommendation)
        if ago >= up_window and ago >= down_window:
            old = i
    return up, down, old
