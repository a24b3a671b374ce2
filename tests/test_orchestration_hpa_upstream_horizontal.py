"""Upstream's horizontal_test.go normalisation tables, case by case, through hpa's functions.

Transcribed from kubernetes/kubernetes pkg/controller/podautoscaler/horizontal_test.go
(v1.35-era, `timestampedScaleEvent` with its `outdated` flag): TestScalingWithRules
(convertDesiredReplicasWithBehaviorRate), TestStoreScaleEvents (storeScaleEvent and
getReplicasChangePerPeriod), TestNormalizeDesiredReplicas (stabilizeRecommendation) and
TestNormalizeDesiredReplicasWithBehavior (stabilizeRecommendationWithBehaviors). Test ids are
upstream's `TestName/case name`. `rules(...)` is upstream's generateScalingRules and
`uniform(...)` its generateEventsUniformDistribution; times are seconds before now.
"""

from __future__ import annotations

import pytest

from msa_course.orchestration import hpa


def rules(pods, pods_period, percent, percent_period, window) -> hpa.ScalingRules:
    """generateScalingRules: a Pods and/or a Percent policy, selectPolicy Max."""
    policies = []
    if pods:
        policies.append(hpa.ScalingPolicy("Pods", pods, pods_period))
    if percent:
        policies.append(hpa.ScalingPolicy("Percent", percent, percent_period))
    return hpa.ScalingRules(tuple(policies), "Max", window)


def uniform(changes, period) -> list[hpa.ScaleEvent]:
    """generateEventsUniformDistribution: event i at the centre of the i-th of len(changes)
    equal segments of the last `period` seconds, oldest first."""
    segment = period / len(changes)
    return [
        hpa.ScaleEvent(change, period - segment * (i + 1) + segment / 2)
        for i, change in enumerate(changes)
    ]


# (name, current, prenormalized desired, min, max, scale-up rules, scale-down rules,
#  scale-up events, scale-down events, expected replicas, expected condition)
# fmt: off
SCALING_WITH_RULES = [
    ("prenormalized desired replicas within range", 5, 7, 3, 8, None, None, [], [], 7,
     "DesiredWithinRange"),
    ("prenormalized desired replicas < minReplicas", 3, 1, 2, 8, None, None, [], [], 2,
     "TooFewReplicas"),
    ("prenormalized desired replicas within range when minReplicas is 0", 1, 0, 0, 10, None,
     None, [], [], 0, "DesiredWithinRange"),
    ("maxReplicas is the limit because maxReplicas < scaleUpLimit", 20, 1000, 1, 10, None, None,
     [], [], 10, "TooManyReplicas"),
    ("desired replica count is more than the maximum replica count", 100, 1000, 100, 150, None,
     None, [], [], 150, "TooManyReplicas"),
    ("scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", 3, 1000,
     1, 2000, rules(0, 0, 1, 60, 0), None, [], [], 4, "ScaleUpLimit"),
    # upstream marks this case `testThis: true`, which makes its runner return early; it holds
    ("scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined "
     "policies", 1000, 3, 3, 2000, None, rules(20, 60, 0, 0, 0), [], [], 980, "ScaleDownLimit"),
    ("scaleUp with default behavior", 10, 50, 1, 1000, None, None, [], [], 20, "ScaleUpLimit"),
    ("scaleUp with pods policy larger than percent policy", 10, 500, 1, 1000,
     rules(100, 60, 100, 60, 0), None, [], [], 110, "ScaleUpLimit"),
    ("scaleUp with percent policy larger than pods policy", 10, 500, 1, 1000,
     rules(2, 60, 100, 60, 0), None, [], [], 20, "ScaleUpLimit"),
    ("scaleUp with spec MaxReplicas limitation with large pod policy", 10, 50, 1, 1000,
     rules(100, 60, 0, 0, 0), None, [], [], 50, "DesiredWithinRange"),
    ("scaleUp with spec MaxReplicas limitation with large percent policy", 10, 50, 1, 1000,
     rules(10000, 60, 0, 0, 0), None, [], [], 50, "DesiredWithinRange"),
    ("scaleUp with pod policy limitation", 10, 50, 1, 1000, rules(30, 60, 0, 0, 0), None, [], [],
     40, "ScaleUpLimit"),
    ("scaleUp with percent policy limitation", 10, 50, 1, 1000, rules(0, 0, 200, 60, 0), None,
     [], [], 30, "ScaleUpLimit"),
    ("scaleDown with percent policy larger than pod policy", 100, 2, 1, 1000, None,
     rules(20, 60, 1, 60, 300), [], [], 80, "ScaleDownLimit"),
    ("scaleDown with pod policy larger than percent policy", 100, 2, 1, 1000, None,
     rules(2, 60, 1, 60, 300), [], [], 98, "ScaleDownLimit"),
    ("scaleDown with spec MinReplicas=nil limitation with large pod policy", 10, 0, 1, 1000,
     None, rules(100, 60, 0, 0, 300), [], [], 1, "TooFewReplicas"),
    ("scaleDown with spec MinReplicas limitation with large pod policy", 10, 0, 1, 1000, None,
     rules(100, 60, 0, 0, 300), [], [], 1, "TooFewReplicas"),
    ("scaleDown with spec MinReplicas limitation with large percent policy", 10, 2, 5, 1000,
     None, rules(0, 0, 100, 60, 300), [], [], 5, "TooFewReplicas"),
    ("scaleDown with pod policy limitation", 10, 2, 1, 1000, None, rules(5, 60, 0, 0, 300), [],
     [], 5, "ScaleDownLimit"),
    ("scaleDown with percent policy limitation", 10, 5, 1, 1000, None, rules(0, 0, 50, 60, 300),
     [], [], 5, "DesiredWithinRange"),
    ("scaleUp with spec MaxReplicas limitation with large pod policy and events", 100, 500, 1,
     200, rules(300, 60, 0, 0, 0), None, uniform([1, 5, 9], 120), [], 200, "TooManyReplicas"),
    ("scaleUp with spec MaxReplicas limitation with large percent policy and events", 100, 500,
     1, 200, rules(0, 0, 10000, 60, 0), None, uniform([1, 5, 9], 120), [], 200,
     "TooManyReplicas"),
    ("scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent "
     "scale up events", 100, 500, 1, 1000, rules(5, 120, 0, 0, 0), None,
     uniform([1, 5, 9], 120), [], 100, "ScaleUpLimit"),
    ("scaleUp with pod policy and previous scale up events", 100, 500, 1, 1000,
     rules(150, 120, 0, 0, 0), None, uniform([1, 5, 9], 120), [], 235, "ScaleUpLimit"),
    ("scaleUp with percent policy and previous scale up events", 100, 500, 1, 1000,
     rules(0, 0, 200, 120, 0), None, uniform([1, 5, 9], 120), [], 255, "ScaleUpLimit"),
    ("scaleUp with percent policy and previous scale up and down events", 6, 24, 1, 1000,
     rules(0, 0, 300, 300, 0), None, uniform([4], 120), uniform([2], 120), 16, "ScaleUpLimit"),
    ("scaleDown with default policy and previous events", 10, 5, 1, 1000, None, None, [],
     uniform([1, 5, 9], 120), 5, "DesiredWithinRange"),
    ("scaleDown with spec MinReplicas=nil limitation with large pod policy and previous "
     "events", 100, 0, 1, 1000, None, rules(115, 120, 0, 0, 300), [], uniform([1, 5, 9], 120),
     1, "TooFewReplicas"),
    ("scaleDown with spec MinReplicas limitation with large pod policy and previous events",
     100, 0, 5, 1000, None, rules(130, 120, 0, 0, 300), [], uniform([1, 5, 9], 120), 5,
     "TooFewReplicas"),
    ("scaleDown with spec MinReplicas limitation with large percent policy and previous events",
     100, 2, 5, 1000, None, rules(0, 0, 100, 120, 300), [], uniform([1, 5, 9], 120), 5,
     "TooFewReplicas"),
    ("scaleDown with pod policy limitation and previous events", 100, 2, 1, 1000, None,
     rules(5, 120, 0, 0, 300), [], uniform([1, 5, 9], 120), 100, "ScaleDownLimit"),
    ("scaleDown with percent policy limitation and previous events", 100, 0, 1, 1000, None,
     rules(0, 0, 50, 120, 300), [], uniform([2, 4, 6], 120), 56, "ScaleDownLimit"),
    ("scaleDown with percent policy and previous scale up and down events", 10, 1, 1, 1000,
     None, rules(0, 0, 50, 180, 0), uniform([2], 120), uniform([4], 120), 6, "ScaleDownLimit"),
    ("scaleDown with previous events preventing further scale down", 100, 0, 1, 1000, None,
     rules(0, 0, 10, 120, 300), [], uniform([10, 10, 10], 120), 100, "ScaleDownLimit"),
    ("scaleDown with with previous events still allowing more scale down", 10, 5, 1, 1000, None,
     rules(0, 0, 1000, 120, 300), [], uniform([10, 10, 10], 120), 5, "DesiredWithinRange"),
    ("check 'outdated' flag for events for one behavior for up", 100, 200, 1, 1000,
     rules(1000, 60, 0, 0, 0), None, uniform([8, 12, 9, 11], 120), [], 200,
     "DesiredWithinRange"),
    ("check that events were not marked 'outdated' for two different policies in the behavior "
     "for up", 100, 200, 1, 1000, rules(1000, 120, 100, 60, 0), None,
     uniform([8, 12, 9, 11], 120), [], 200, "DesiredWithinRange"),
    ("check that events were marked 'outdated' for two different policies in the behavior for "
     "up", 100, 200, 1, 1000, rules(1000, 30, 100, 60, 0), None, uniform([8, 12, 9, 11], 120),
     [], 200, "DesiredWithinRange"),
    ("check 'outdated' flag for events for one behavior for down", 100, 5, 1, 1000, None,
     rules(1000, 60, 0, 0, 300), [], uniform([8, 12, 9, 11], 120), 5, "DesiredWithinRange"),
    ("check that events were not marked 'outdated' for two different policies in the behavior "
     "for down", 100, 5, 1, 1000, None, rules(1000, 120, 100, 60, 300), [],
     uniform([8, 12, 9, 11], 120), 5, "DesiredWithinRange"),
    ("check that events were marked 'outdated' for two different policies in the behavior for "
     "down", 100, 5, 1, 1000, None, rules(1000, 30, 100, 60, 300), [],
     uniform([8, 12, 9, 11], 120), 5, "DesiredWithinRange"),
]
# fmt: on


@pytest.mark.parametrize(
    "case", SCALING_WITH_RULES, ids=[f"TestScalingWithRules/{c[0]}" for c in SCALING_WITH_RULES]
)
def test_scaling_with_rules(case):
    _, current, desired, lo, hi, up, down, up_events, down_events, replicas, condition = case
    got = hpa.limit_with_behavior(current, desired, lo, hi, up, down, up_events, down_events)
    assert got == (replicas, condition)


# (name, previous events (change, seconds ago), new events (change, outdated), scaling rules,
#  expected replicas change in the last 60 s)
# fmt: off
STORE_SCALE_EVENTS = [
    ("empty entries with default behavior", [], [], None, 0),
    ("empty entries with two-policy-behavior", [], [(5, False)], rules(10, 60, 100, 60, 0), 0),
    ("one outdated entry to be kept untouched without behavior", [(7, 61)], [(7, False)], None,
     0),
    ("one outdated entry to be replaced with behavior", [(7, 61)], [(5, False)],
     rules(10, 60, 100, 60, 0), 0),
    ("one actual entry to be not touched with behavior", [(7, 58)], [(7, False), (5, False)],
     rules(10, 60, 100, 60, 0), 7),
    ("two entries, one of them to be replaced", [(7, 61), (6, 59)], [(5, False), (6, False)],
     rules(10, 60, 0, 0, 0), 6),
    ("replace one entry, use policies with different periods",
     [(8, 29), (6, 59), (7, 61), (9, 61)], [(8, False), (6, False), (7, True), (5, False)],
     rules(10, 60, 100, 30, 0), 14),
    ("two entries, both actual", [(7, 58), (6, 59)], [(7, False), (6, False), (5, False)],
     rules(10, 120, 100, 30, 0), 13),
]
# fmt: on


@pytest.mark.parametrize(
    "case", STORE_SCALE_EVENTS, ids=[f"TestStoreScaleEvents/{c[0]}" for c in STORE_SCALE_EVENTS]
)
def test_store_scale_events(case):
    _, previous, expected, scaling_rules, change_in_60s = case
    events = [hpa.ScaleEvent(change, ago) for change, ago in previous]
    assert hpa.replicas_change_in_period(60, events) == change_in_60s
    # upstream stores the same change as a scale-up (10 -> 15) and as a scale-down (10 -> 5)
    for new_replicas in (15, 5):
        stored = hpa.store_scale_event(events, scaling_rules, 10, new_replicas)
        assert [(e.replica_change, e.outdated) for e in stored] == expected


# fmt: off
NORMALIZE_DESIRED_REPLICAS = [  # (name, recommendations (replicas, seconds ago), desired,
    ("empty log", [], 5, 5, 1),  #   expected stabilized, expected log length)
    ("stabilize", [(4, 120), (5, 60)], 3, 5, 3),
    ("no stabilize", [(1, 120), (2, 60)], 3, 3, 3),
    ("no stabilize - old recommendations", [(10, 600), (9, 540)], 3, 3, 2),
    ("stabilize - old recommendations", [(10, 600), (4, 60), (5, 120), (9, 540)], 3, 5, 4),
]
# fmt: on


@pytest.mark.parametrize(
    "case",
    NORMALIZE_DESIRED_REPLICAS,
    ids=[f"TestNormalizeDesiredReplicas/{c[0]}" for c in NORMALIZE_DESIRED_REPLICAS],
)
def test_normalize_desired_replicas(case):
    _, recommendations, desired, stabilized, log_length = case
    got, log = hpa.stabilize(desired, recommendations, 300)  # downscaleStabilisationWindow 5m
    assert (got, len(log)) == (stabilized, log_length)


# (name, recommendations (replicas, seconds ago), current, desired, expected stabilized,
#  expected log (None: not checked), scale-up window, scale-down window); a window the case
#  does not set is 0 (upstream passes a pointer to the zero value).
# fmt: off
WITH_BEHAVIOR = [
    ("empty recommendations for scaling down", [], 100, 5, 5, [5], 0, 0),
    ("simple scale down stabilization", [(4, 120), (5, 60)], 100, 3, 5, [4, 5, 3], 0, 180),
    ("simple scale up stabilization", [(4, 120), (5, 60)], 1, 7, 4, [4, 5, 7], 300, 0),
    ("no scale down stabilization", [(1, 120), (2, 60)], 100, 3, 3, [1, 2, 3], 300, 0),
    ("no scale up stabilization", [(4, 120), (5, 60)], 1, 3, 3, [4, 5, 3], 0, 300),
    ("no scale down stabilization, reuse recommendation element", [(10, 600), (9, 540)], 100, 3,
     3, [10, 3], 0, 0),
    ("no scale up stabilization, reuse recommendation element", [(10, 600), (9, 540)], 1, 100,
     100, [10, 100], 0, 0),
    ("scale down stabilization, reuse one of obsolete recommendation element",
     [(10, 600), (4, 60), (5, 120), (9, 540)], 100, 3, 5, [10, 4, 5, 3], 0, 180),
    ("scale up stabilization, reuse one of obsolete recommendation element",
     [(10, 6000), (6, 60), (5, 120), (9, 180)], 1, 100, 5, [100, 6, 5, 9], 300, 0),
    ("scale up and down stabilization, do not scale up when prenormalized rec goes down",
     [(2, 6000), (3, 180)], 2, 1, 2, None, 300, 300),
    ("scale up and down stabilization, do not scale down when prenormalized rec goes up",
     [(2, 6000), (1, 180)], 2, 3, 2, None, 300, 300),
]
# fmt: on


@pytest.mark.parametrize(
    "case",
    WITH_BEHAVIOR,
    ids=[f"TestNormalizeDesiredReplicasWithBehavior/{c[0]}" for c in WITH_BEHAVIOR],
)
def test_normalize_desired_replicas_with_behavior(case):
    _, recommendations, current, desired, stabilized, log, up_window, down_window = case
    got, _, new_log = hpa.stabilize_with_behavior(
        current, desired, recommendations, up_window, down_window
    )
    assert got == stabilized
    if log is not None:
        assert [r.recommendation for r in new_log] == log
