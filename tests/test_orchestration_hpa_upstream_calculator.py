"""Upstream's replica_calculator_test.go, case by case, through msa_course.orchestration.hpa.

Transcribed from kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go
(the v1.35-era file with `Tolerances` and the `TestReplicaCalcResourceScale` table); each test
id is upstream's `TestName` or `TestName/case name`. The harness replays upstream's fixtures:
every pod has two containers ("container1", "container2"), each requesting `requests[i]`;
resource levels are per container (`same(...)` is upstream's makePodMetricLevels); a pod
whose index is past the levels has no sample; the samples carry Go's zero time (the fixture
never sets `timestamp`), "hot" pods started now, "cool" ones 3 minutes ago; the test
constants are tolerance 0.1, cpu initialisation 2 min, readiness delay 10 s.
"""

from __future__ import annotations

import math

import pytest

from msa_course.orchestration import hpa

NOW = 1e9
HOT, COOL = NOW, NOW - 180  # hotCPUCreationTime(), coolCPUCreationTime()
TIMING = dict(now=NOW, cpu_initialization_period=120, initial_readiness_delay=10)
MAX_INT64 = 2**63 - 1
T, F = True, False  # v1.ConditionTrue / v1.ConditionFalse
R, P, X = "Running", "Pending", "Failed"


def same(*levels):
    """makePodMetricLevels: both containers of pod i report levels[i]."""
    return [[level, level] for level in levels]


def _milli(quantity: str) -> int:
    return int(quantity[:-1]) if quantity.endswith("m") else round(float(quantity) * 1000)


def pods_for(c: dict) -> list[hpa.PodSample]:
    """newFakePodClient + the fake metrics client: one PodSample per listed pod."""
    phases = c.get("phase") or []
    n = max(c["current"], len(phases))
    requests = c.get("requests") or []
    levels = c.get("levels") or []
    container = c.get("container")
    pods = []
    for i in range(n):
        usage = None
        if i < len(levels):
            per_container = levels[i]
            if container is None:
                usage = sum(per_container)
            elif int(container[-1]) <= len(per_container):
                usage = per_container[int(container[-1]) - 1]
        request = None
        if i < len(requests):
            request = _milli(requests[i]) * (1 if container else 2)
        readiness = c.get("ready") or []
        pods.append(
            hpa.PodSample(
                usage_milli=usage,
                request_milli=request,
                phase=phases[i] if phases else R,
                ready=readiness[i] if i < len(readiness) else True,
                deleted=bool((c.get("deleted") or [False] * n)[i]),
                start_time=(c.get("start") or [0.0] * n)[i],
                metric_time=0.0,
            )
        )
    return pods


def tolerances(c: dict) -> hpa.Tolerances:
    down, up = c.get("tolerances", (0.1, 0.1))  # Tolerances{scaleDown, scaleUp}
    return hpa.Tolerances(down=down, up=up)


# --- GetResourceReplicas -----------------------------------------------------------------------
# (name, fixture, target %, expected replicas, expected utilization %, expected raw value)

# fmt: off
RESOURCE = [
    ("TestReplicaCalcResourceScale/scale up",
     dict(current=3, requests=["1.0"] * 3, levels=same(300, 500, 700)), 30, 5, 50, 2 * 500),
    ("TestReplicaCalcResourceScale/scale up: container metric",
     dict(current=3, requests=["1.0"] * 3, container="container2",
          levels=[[1000, 300], [1000, 500], [1000, 700]]), 30, 5, 50, 500),
    ("TestReplicaCalcResourceScale/scale up: unready pod scales less",
     dict(current=3, ready=[F, T, T], requests=["1.0"] * 3, levels=same(300, 500, 700)),
     30, 4, 60, 2 * 600),
    ("TestReplicaCalcResourceScale/scale up: hot-CPU container scales less",
     dict(current=3, start=[HOT, COOL, COOL], container="container2", requests=["1.0"] * 3,
          levels=[[0, 300], [0, 500], [0, 700]]), 30, 4, 60, 600),
    ("TestReplicaCalcResourceScale/scale up: hot-CPU pod scales less",
     dict(current=3, start=[HOT, COOL, COOL], requests=["1.0"] * 3, levels=same(300, 500, 700)),
     30, 4, 60, 2 * 600),
    ("TestReplicaCalcResourceScale/no scale: unready pods ignored",
     dict(current=3, ready=[T, F, F], requests=["1.0"] * 3, levels=same(400, 500, 700)),
     30, 3, 40, 2 * 400),
    ("TestReplicaCalcResourceScale/no scale: hot-CPU pods ignored",
     dict(current=3, ready=[T, F, F], start=[COOL, HOT, HOT], requests=["1.0"] * 3,
          levels=same(400, 500, 700)), 30, 3, 40, 2 * 400),
    ("TestReplicaCalcResourceScale/scale up: failed pods ignored",
     dict(current=2, ready=[T, T, F, F], phase=[R, R, X, X], requests=["1.0"] * 4,
          levels=same(500, 700)), 30, 4, 60, 2 * 600),
    ("TestReplicaCalcResourceScale/scale up: failed pods ignored with missing container metric",
     dict(current=2, ready=[T, T, F, F], phase=[R, R, X, X], container="container2",
          requests=["1.0"] * 4, levels=[[1000, 500], [9000, 700], [1000], [9000]]),
     30, 4, 60, 600),
    ("TestReplicaCalcResourceScale/scale up: container metrics with failed pods ignored",
     dict(current=2, ready=[T, T, F, F], phase=[R, R, X, X], container="container2",
          requests=["1.0"] * 4, levels=[[1000, 500], [9000, 700]]), 30, 4, 60, 600),
    ("TestReplicaCalcResourceScale/scale up: pods being deleted are ignored",
     dict(current=2, ready=[T, T, F, F], phase=[R] * 4, deleted=[F, F, T, T],
          requests=["1.0"] * 4, levels=same(500, 700)), 30, 4, 60, 2 * 600),
    ("TestReplicaCalcResourceScale/scale up: container metrics with pods being deleted ignored",
     dict(current=2, ready=[T, T, F, F], phase=[R] * 4, deleted=[F, F, T, T],
          container="container1", requests=["1.0"] * 4, levels=same(500, 700)), 30, 4, 60, 600),
    ("TestReplicaCalcResourceScale/scale down",
     dict(current=5, requests=["1.0"] * 5, levels=same(100, 300, 500, 250, 250)),
     50, 3, 28, 2 * 280),
    ("TestReplicaCalcResourceScale/scale down: container metric",
     dict(current=5, requests=["1.0"] * 5, container="container2",
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]),
     50, 3, 28, 280),
    ("TestReplicaCalcResourceScale/scale down: exclude unready pods",
     dict(current=5, ready=[T, T, T, F, F], requests=["1.0"] * 5,
          levels=same(100, 300, 500, 250, 250)), 50, 2, 30, 2 * 300),
    ("TestReplicaCalcResourceScale/scale down: container metric excludes unready pods",
     dict(current=5, ready=[T, T, T, F, F], container="container2", requests=["1.0"] * 5,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]),
     50, 2, 30, 300),
    ("TestReplicaCalcResourceScale/scale down: exclude unscheduled pods",
     dict(current=5, ready=[T, F, F, F, F], phase=[R, P, P, P, P], requests=["1.0"] * 5,
          levels=same(100)), 50, 1, 10, 2 * 100),
    ("TestReplicaCalcResourceScale/scale down: container metric excludes unscheduled pods",
     dict(current=5, ready=[T, F, F, F, F], phase=[R, P, P, P, P], container="container2",
          requests=["1.0"] * 5,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]),
     50, 1, 10, 100),
    ("TestReplicaCalcResourceScale/scale down: ignore hot-CPU pods",
     dict(current=5, start=[COOL, COOL, COOL, HOT, HOT], requests=["1.0"] * 5,
          levels=same(100, 300, 500, 250, 250)), 50, 2, 30, 2 * 300),
    ("TestReplicaCalcResourceScale/scale down: container metric ignores hot-CPU pods",
     dict(current=5, start=[COOL, COOL, COOL, HOT, HOT], container="container2",
          requests=["1.0"] * 5,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 1000], [1000, 1000]]),
     50, 2, 30, 300),
    ("TestReplicaCalcResourceScale/scale down: failed pods ignored",
     dict(current=5, ready=[T, T, T, T, T, F, F], phase=[R, R, R, R, R, X, X],
          requests=["1.0"] * 7, levels=same(100, 300, 500, 250, 250)), 50, 3, 28, 2 * 280),
    ("TestReplicaCalcResourceScale/scale down: container metric with failed pods ignored",
     dict(current=5, ready=[T, T, T, T, T, F, F], phase=[R, R, R, R, R, X, X],
          container="container2", requests=["1.0"] * 7,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]),
     50, 3, 28, 280),
    ("TestReplicaCalcResourceScale/scale down: pods being deleted are ignored",
     dict(current=5, ready=[T, T, T, T, T, F, F], phase=[R] * 7,
          deleted=[F, F, F, F, F, T, T], requests=["1.0"] * 7,
          levels=same(100, 300, 500, 250, 250)), 50, 3, 28, 2 * 280),
    ("TestReplicaCalcResourceScale/scale down: still-running pods being deleted are ignored",
     dict(current=5, ready=[T, T, T, T, T, F, F], phase=[R] * 7,
          deleted=[F, F, F, F, F, T, T], container="container2", requests=["1.0"] * 7,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]),
     50, 3, 28, 280),
    ("TestReplicaCalcTolerance",
     dict(current=3, requests=["0.9", "1.0", "1.1"], levels=same(1010, 1030, 1020)),
     100, 3, 102, 2 * 1020),
    ("TestReplicaCalcConfigurableTolerance/Outside of a 0% tolerance",
     dict(current=3, tolerances=(0.0, 0.0), requests=["0.9", "1.0", "1.1"],
          levels=same(909, 1010, 1111)), 100, 4, 101, 2 * 1010),
    ("TestReplicaCalcConfigurableTolerance/Within a 200% scale-up tolerance",
     dict(current=3, tolerances=(0.1, 2.0), requests=["0.9", "1.0", "1.1"],
          levels=same(1890, 1910, 1900)), 100, 3, 190, 2 * 1900),
    ("TestReplicaCalcConfigurableTolerance/"
     "Outside 8% scale-up tolerance (and superfuous scale-down tolerance)",
     dict(current=3, tolerances=(2.0, 0.08), requests=["0.9", "1.0", "1.1"],
          levels=same(1100, 1080, 1090)), 100, 4, 109, 2 * 1090),
    ("TestReplicaCalcConfigurableTolerance/Within a 36% scale-down tolerance",
     dict(current=3, tolerances=(0.36, 0.1), requests=["0.9", "1.0", "1.1"],
          levels=same(660, 640, 650)), 100, 3, 65, 2 * 650),
    ("TestReplicaCalcConfigurableTolerance/Outside a 34% scale-down tolerance",
     dict(current=3, tolerances=(0.34, 0.1), requests=["0.9", "1.0", "1.1"],
          levels=same(660, 640, 650)), 100, 2, 65, 2 * 650),
    ("TestReplicaCalcSuperfluousMetrics",
     dict(current=4, requests=["1.0"] * 4, levels=same(4000, 9500, 3000, 7000, 3200, 2000)),
     100, 24, 587, 2 * 5875),
    ("TestReplicaCalcMissingMetrics",
     dict(current=4, requests=["1.0"] * 4, levels=same(400, 95)), 100, 3, 24, 495),
    ("TestReplicaCalcMissingMetricsNoChangeEq",
     dict(current=2, requests=["1.0"] * 2, levels=same(1000)), 100, 2, 100, 2 * 1000),
    ("TestReplicaCalcMissingMetricsNoChangeGt",
     dict(current=2, requests=["1.0"] * 2, levels=same(1900)), 100, 2, 190, 2 * 1900),
    ("TestReplicaCalcMissingMetricsNoChangeLt",
     dict(current=2, requests=["1.0"] * 2, levels=same(600)), 100, 2, 60, 2 * 600),
    ("TestReplicaCalcMissingMetricsUnreadyChange",
     dict(current=3, ready=[F, T, T], requests=["1.0"] * 3, levels=same(100, 450)),
     50, 3, 45, 2 * 450),
    ("TestReplicaCalcMissingMetricsHotCpuNoChange",
     dict(current=3, start=[HOT, COOL, COOL], requests=["1.0"] * 3, levels=same(100, 450)),
     50, 3, 45, 2 * 450),
    ("TestReplicaCalcMissingMetricsUnreadyScaleUp",
     dict(current=3, ready=[F, T, T], requests=["1.0"] * 3, levels=same(100, 2000)),
     50, 4, 200, 2 * 2000),
    ("TestReplicaCalcMissingMetricsHotCpuScaleUp",
     dict(current=3, ready=[F, T, T], start=[HOT, COOL, COOL], requests=["1.0"] * 3,
          levels=same(100, 2000)), 50, 4, 200, 2 * 2000),
    ("TestReplicaCalcMissingMetricsUnreadyScaleDown",
     dict(current=4, ready=[F, T, T, T], requests=["1.0"] * 4, levels=same(100, 100, 100)),
     50, 3, 10, 2 * 100),
    ("TestReplicaCalcMissingMetricsScaleDownTargetOver100",
     dict(current=4, ready=[F, T, T, T], requests=["1.0", "1.0", "2.0", "2.0"],
          levels=same(200, 100, 100)), 300, 2, 6, 2 * 100),
    ("TestReplicaCalcDuringRollingUpdateWithMaxSurge",
     dict(current=2, phase=[R, R, R], requests=["1.0"] * 3, levels=same(100, 100)),
     50, 2, 10, 2 * 100),
]
# fmt: on


@pytest.mark.parametrize("case", RESOURCE, ids=[c[0] for c in RESOURCE])
def test_get_resource_replicas(case):
    _, fixture, target, replicas, utilization, raw = case
    got = hpa.resource_utilization_replicas(
        fixture["current"], pods_for(fixture), target, tolerance=tolerances(fixture), **TIMING
    )
    assert (got.replicas, got.utilization, got.usage_milli) == (replicas, utilization, raw)


def test_replica_calc_computed_tolerance_alg_implementation():
    """TestReplicaCalcComputedToleranceAlgImplementation: its arithmetic, done as Go does it."""
    start_pods, used = 10, 10 * 150
    requested = 2 * used
    requested_to_used = float(requested // used)
    per_pod = requested // start_pods
    target = abs(1 / (requested_to_used * (1 - 0.1))) + 0.01
    final_pods = math.ceil(used / (requested * target) * start_pods)
    offsets = (100, -100, 10, -10, 2, -2, 1, -1, 0, 0)
    fixture = dict(
        current=start_pods,
        requests=[f"{per_pod + d}m" for d in offsets],
        levels=same(*[used // 10] * 10),
    )
    got = hpa.resource_utilization_replicas(
        start_pods, pods_for(fixture), int(target * 100), **TIMING
    )
    assert (got.replicas, got.utilization, got.usage_milli) == (
        final_pods,
        used * 100 // requested,
        2 * used // 10,
    )
    # "no scaling happens if we are in a very close margin to the tolerance"
    target = abs(1 / (requested_to_used * (1 - 0.1))) + 0.004
    got = hpa.resource_utilization_replicas(
        start_pods, pods_for(fixture), int(target * 100), **TIMING
    )
    assert got.replicas == start_pods


@pytest.mark.parametrize(
    "name, fixture, message",
    [
        (
            "TestReplicaCalcEmptyMetrics",
            dict(current=4, requests=["1.0"] * 3, levels=[]),
            "unable to get metrics for resource cpu: no metrics returned from resource metrics API",
        ),
        (
            "TestReplicaCalcEmptyCPURequest",
            dict(current=1, requests=[], levels=same(200)),
            "missing request for",
        ),
    ],
)
def test_resource_errors(name, fixture, message):
    with pytest.raises(ValueError, match=message):
        hpa.resource_utilization_replicas(fixture["current"], pods_for(fixture), 100, **TIMING)


# --- Pods metrics (GetMetricReplicas -> calcPlainMetricReplicas) ----------------------------------
# (name, fixture, target per pod, expected replicas, expected usage)

# fmt: off
PODS_METRIC = [
    ("TestReplicaCalcScaleUpCM", dict(current=3, levels=[20000, 10000, 30000]), 15000, 4, 20000),
    ("TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale",
     dict(current=3, ready=[T, T, F], start=[COOL, COOL, HOT], levels=[50000, 10000, 30000]),
     15000, 6, 30000),
    ("TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown",
     dict(current=3, ready=[F, T, F], start=[HOT, COOL, HOT], levels=[50000, 15000, 30000]),
     15000, 7, 31666),
    ("TestReplicaCalcScaleDownCM", dict(current=5, levels=[12000] * 5), 20000, 3, 12000),
    ("TestReplicaCalcToleranceCM", dict(current=3, levels=[20000, 21000, 21000]), 20000, 3,
     20666),
    ("TestReplicaCalcConfigurableToleranceCM",
     dict(current=3, tolerances=(0.1, 0.01), levels=[20000, 21000, 21000]), 20000, 4, 20666),
    ("TestPlainMetricReplicaCalcMissingMetricsNoChangeEq",
     dict(current=5, levels=[20000, 19000, 21000]), 20000, 5, 20000),
    ("TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM",
     dict(current=2, phase=[R, R, R], levels=[10000, 10000]), 17000, 2, 10000),
]
# fmt: on


def _plain_pods(fixture: dict) -> list[hpa.PodSample]:
    """A custom metric is one value per pod (no containers, no requests)."""
    return pods_for({**fixture, "levels": [[v] for v in fixture["levels"]]})


@pytest.mark.parametrize("case", PODS_METRIC, ids=[c[0] for c in PODS_METRIC])
def test_get_metric_replicas(case):
    _, fixture, target, replicas, usage = case
    got = hpa.plain_metric_replicas(
        fixture["current"], _plain_pods(fixture), target, tolerance=tolerances(fixture), **TIMING
    )
    assert (got.replicas, got.usage_milli) == (replicas, usage)


# --- Object and External metrics -----------------------------------------------------------------
# Value target: (name, current, readiness, levels, target, expected replicas, tolerances)

# fmt: off
OBJECT_VALUE = [
    ("TestReplicaCalcScaleUpOverflow", 3, None, [MAX_INT64], 1, hpa.MAX_INT32, None),
    ("TestReplicaCalcScaleUpCMObject", 3, None, [20000], 15000, 4, None),
    ("TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods", 3, [F, T, F], [50000], 10000, 5, None),
    ("TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods", 3, [F, T, F], [8600], 4400, 2, None),
    ("TestReplicaCalcScaleDownCMObject", 5, None, [12000], 20000, 3, None),
    ("TestReplicaCalcScaleDownCMExternal", 5, None, [8600], 14334, 3, None),
    ("TestReplicaCalcToleranceCMObject", 3, None, [20666], 20000, 3, None),
    ("TestReplicaCalcToleranceCMExternal", 3, None, [8600], 8888, 3, None),
    ("TestReplicaCalcConfigurableToleranceCMObject", 3, None, [20666], 20000, 4, (0.1, 0.01)),
    ("TestReplicaCalcConfigurableToleranceCMExternal", 3, None, [8900], 8800, 4, (0.1, 0.01)),
    ("TestReplicaCalcExternalMetricUsageOverflow", 3, None, [MAX_INT64 // 2 + 1] * 2, MAX_INT64,
     3, None),
]
# fmt: on


@pytest.mark.parametrize("case", OBJECT_VALUE, ids=[c[0] for c in OBJECT_VALUE])
def test_object_and_external_value(case):
    _, current, readiness, levels, target, replicas, tol = case
    ready = sum(1 for r in (readiness or [T] * current) if r)  # Running and Ready
    usage = min(sum(levels), MAX_INT64)  # GetExternalMetricReplicas caps the sum at MaxInt64
    got = hpa.object_metric_replicas(
        current, usage, target, ready, tolerance=tolerances({"tolerances": tol or (0.1, 0.1)})
    )
    assert got == replicas


# AverageValue target: (name, status replicas, usage, target per pod, replicas, usage per pod, tol)
# fmt: off
OBJECT_PER_POD = [
    ("TestExternalPerPodMetricReplicaOverflow", 1, MAX_INT64, 1, hpa.MAX_INT32, MAX_INT64, None),
    ("TestExternalPerPodMetricUsageOverflow", 1, MAX_INT64, MAX_INT64, 1, MAX_INT64, None),
    ("TestReplicaCalcScaleUpCMPerPodObject", 3, 20000, 5000, 4, 6667, None),
    ("TestReplicaCalcScaleUpPerPodCMExternal", 3, 8600, 2150, 4, 2867, None),
    ("TestReplicaCalcScaleDownPerPodCMObject", 5, 6000, 2000, 3, 1200, None),
    ("TestReplicaCalcScaleDownPerPodCMExternal", 5, 8600, 2867, 3, 1720, None),
    ("TestReplicaCalcTolerancePerPodCMObject", 4, 20166, 5000, 4, 5042, None),
    ("TestReplicaCalcTolerancePerPodCMExternal", 3, 8600, 2900, 3, 2867, None),
    ("TestReplicaCalcConfigurableTolerancePerPodCMObject", 4, 20208, 5000, 5, 5052, (0.1, 0.01)),
    ("TestReplicaCalcConfigurableTolerancePerPodCMExternal", 3, 8600, 2800, 4, 2867, (0.1, 0.01)),
]
# fmt: on


@pytest.mark.parametrize("case", OBJECT_PER_POD, ids=[c[0] for c in OBJECT_PER_POD])
def test_object_and_external_average_value(case):
    _, status, usage, target, replicas, per_pod, tol = case
    got = hpa.average_value_replicas(
        status, usage, target, tolerance=tolerances({"tolerances": tol or (0.1, 0.1)})
    )
    assert got == (replicas, per_pod)


# --- TestGroupPods ---------------------------------------------------------------------------------
# (name, pods, cpu?, expected ready count, unready, missing, ignored): PodSample fields per pod;
# every pod here is phase Succeeded unless it says otherwise, `time.Now()` is NOW.

S = "Succeeded"
# fmt: off
GROUP_PODS = [
    ("void", [], True, 0, set(), set(), set()),
    ("count in a ready pod - memory",
     [dict(usage_milli=1, phase=S, ready=None, start_time=None, metric_time=NOW)],
     False, 1, set(), set(), set()),
    ("unready a pod without ready condition - CPU",
     [dict(usage_milli=1, phase=S, ready=None, start_time=NOW)], True, 0, {0}, set(), set()),
    ("count in a ready pod with fresh metrics during initialization period - CPU",
     [dict(usage_milli=1, phase=S, start_time=NOW - 60, ready=True,
           ready_transition_time=NOW - 30, metric_time=NOW, metric_window=30)],
     True, 1, set(), set(), set()),
    ("unready a ready pod without fresh metrics during initialization period - CPU",
     [dict(usage_milli=1, phase=S, start_time=NOW - 60, ready=True,
           ready_transition_time=NOW - 30, metric_time=NOW, metric_window=60)],
     True, 0, {0}, set(), set()),
    ("unready an unready pod during initialization period - CPU",
     [dict(usage_milli=1, phase=S, start_time=NOW - 600, ready=False,
           ready_transition_time=NOW - 594, metric_time=0.0, metric_window=0)],
     True, 0, {0}, set(), set()),
    ("count in a ready pod without fresh metrics after initialization period - CPU",
     [dict(usage_milli=1, phase=S, start_time=NOW - 180, ready=True,
           ready_transition_time=NOW - 180, metric_time=NOW - 120, metric_window=60)],
     True, 1, set(), set(), set()),
    ("count in an unready pod that was ready after initialization period - CPU",
     [dict(usage_milli=1, phase=S, start_time=NOW - 600, ready=False,
           ready_transition_time=NOW - 540, metric_time=0.0, metric_window=0)],
     True, 1, set(), set(), set()),
    ("unready pod that has never been ready after initialization period - CPU",
     [dict(usage_milli=1, phase=S, start_time=NOW - 600, ready=False,
           ready_transition_time=NOW - 590, metric_time=0.0, metric_window=0)],
     True, 1, set(), set(), set()),
    ("a missing pod", [dict(usage_milli=None, phase=S, ready=None, start_time=NOW - 180)],
     True, 0, set(), {0}, set()),
    ("several pods",
     [dict(usage_milli=1, phase=S, ready=None, start_time=NOW),
      dict(usage_milli=1, phase=S, start_time=NOW - 180, ready=True,
           ready_transition_time=NOW - 180, metric_time=0.0, metric_window=0),
      dict(usage_milli=None, phase=S, ready=None, start_time=NOW - 180)],
     True, 1, {0}, {2}, set()),
    ("pending pods are unreadied", [dict(usage_milli=None, phase=P, ready=None, start_time=None)],
     True, 0, {0}, set(), set()),
    ("ignore pods with deletion timestamps",
     [dict(usage_milli=1, phase=P, ready=None, start_time=None, deleted=True)],
     True, 0, set(), set(), {0}),
    ("ignore pods in a failed state", [dict(usage_milli=1, phase=X, ready=None, start_time=None)],
     True, 0, set(), set(), {0}),
]
# fmt: on


@pytest.mark.parametrize("case", GROUP_PODS, ids=[f"TestGroupPods/{c[0]}" for c in GROUP_PODS])
def test_group_pods(case):
    _, pods, cpu, ready, unready, missing, ignored = case
    groups = hpa.group_pods(
        [hpa.PodSample(**p) for p in pods],
        cpu=cpu,
        now=NOW,
        cpu_initialization_period=120,
        initial_readiness_delay=10,
    )
    assert (groups.ready, groups.unready, groups.missing, groups.ignored) == (
        ready,
        unready,
        missing,
        ignored,
    )


# --- Not modelled ---------------------------------------------------------------------------------

SKIPPED = {
    "TestReplicaCalcDisjointResourcesMetrics": "a PodSample is always a listed pod: metrics for "
    "pods the lister does not return (a renamed pod) cannot be expressed",
    "TestCalculateRequests": "requests come from objects.pod_requests; pod-level resources "
    "(KEP-2837) and the PodLevelResources gate are not modelled",
    "TestCalculatePodRequestsFromContainers_NonExistentContainer": "the HPA spec here names no "
    "container, so a missing container cannot occur",
}


@pytest.mark.parametrize("name", SKIPPED)
def test_not_modelled(name):
    pytest.skip(SKIPPED[name])
