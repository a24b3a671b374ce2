"""The HPA arithmetic against every upstream vector in the reference sample, plus properties.

`run_rc_vector`, `run_rules_vector` and `run_stab_vector` translate one vector of
`k8s_vectors_sample.json` (schema in k8s_formulas.md §0) into calls of the public functions in
`msa_course.orchestration.hpa`; the held-back vector set can be checked with the same three.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msa_course.orchestration import hpa

# The sample from ../shared/reference, copied to tests/data; MSA_K8S_VECTORS names another file
# of the same schema (the held-back upstream vectors) to run through the same functions.
VECTORS = Path(
    os.environ.get("MSA_K8S_VECTORS", Path(__file__).parent / "data" / "k8s_vectors_sample.json")
)
NOW = 1e9  # the test's time.Now(); Go's zero time is 0.0


def _load(key):
    if not VECTORS.exists():
        pytest.skip(f"reference vectors not found at {VECTORS}")
    return json.loads(VECTORS.read_text())[key]


def _milli(quantity: str) -> int:
    """The few quantity spellings the replica-calculator tests use ("1.0", "500m")."""
    if quantity.endswith("m"):
        return int(quantity[:-1])
    return round(float(quantity) * 1000)


def _vector_tolerances(v: dict) -> hpa.Tolerances:
    """`tolerances` as {scaleDown, scaleUp} (upstream's field names), [down, up] or one number."""
    t = v.get("tolerances", v.get("tolerance"))
    if t is None:
        return hpa.Tolerances()
    if isinstance(t, dict):
        return hpa.Tolerances(
            down=t.get("scaleDown", t.get("scale_down", 0.1)),
            up=t.get("scaleUp", t.get("scale_up", 0.1)),
        )
    if isinstance(t, list | tuple):
        return hpa.Tolerances(down=t[0], up=t[1])
    return hpa.Tolerances(t, t)


def run_rc_vector(v: dict) -> hpa.Recommendation:
    """Replay replica_calculator_test.go's harness: each pod has 2 containers, each requesting
    requests[i] and (Resource metrics) each reporting levels[i] (or levels[i][j] for container
    j+1); metrics exist for i < len(levels). With `container` ("container2") only that
    container's request and usage count. Samples carry Go's zero time, as the fixtures do."""
    kind, args = re.match(r"(\w+)\((.*)\)", v["metric_type"]).groups()
    args = [a.strip() for a in args.split(",")]
    current = v["current_replicas"]
    phases = v.get("pod_phase") or []
    n = max(current, len(phases))
    levels = v["levels_milli"]
    requests = v.get("requests_per_container") or []
    container = v.get("container")
    pods = []
    for i in range(n):
        readiness = v.get("pod_readiness") or []
        ready = readiness[i] == "True" if i < len(readiness) else True
        start = {"hot": NOW, "cool": NOW - 180, None: 0.0}[(v.get("pod_start") or [None] * n)[i]]
        usage = None
        if i < len(levels):
            per_container = levels[i] if isinstance(levels[i], list) else [levels[i]] * 2
            if kind != "Resource":
                usage = levels[i]
            elif container is None:
                usage = sum(per_container)
            elif int(container[-1]) <= len(per_container):
                usage = per_container[int(container[-1]) - 1]
        pods.append(
            hpa.PodSample(
                usage_milli=usage,
                request_milli=(1 if container else 2) * _milli(requests[i])
                if i < len(requests)
                else None,
                phase=phases[i] if phases else "Running",
                ready=ready,
                deleted=bool((v.get("pod_deletion") or [False] * n)[i]),
                start_time=start,
                metric_time=0.0,
            )
        )
    timing = dict(now=NOW, cpu_initialization_period=120, initial_readiness_delay=10)
    tol = _vector_tolerances(v)
    if kind == "Resource" and "target_utilization" in v and v["target_utilization"] is not None:
        return hpa.resource_utilization_replicas(
            current, pods, v["target_utilization"], resource=args[0], tolerance=tol, **timing
        )
    if kind in ("Resource", "Pods"):
        return hpa.plain_metric_replicas(
            current,
            pods,
            v["target_average_value_milli"],
            resource=args[0] if kind == "Resource" else None,
            tolerance=tol,
            **timing,
        )
    ready = sum(1 for p in pods if p.phase == "Running" and p.ready and not p.deleted)
    usage = min(sum(levels), 2**63 - 1)  # GetExternalMetricReplicas caps the sum at MaxInt64
    if v.get("target_average_value_milli") is not None:
        replicas, per_pod = hpa.average_value_replicas(
            current, usage, v["target_average_value_milli"], tolerance=tol
        )
        return hpa.Recommendation(replicas, None, per_pod)
    replicas = hpa.object_metric_replicas(
        current, usage, v["target_value_milli"], ready, tolerance=tol
    )
    return hpa.Recommendation(replicas, None, usage)


def run_rules_vector(v: dict) -> tuple[int, str]:
    return hpa.limit_with_behavior(
        v["current_replicas"],
        v["prenormalized_desired_replicas"],
        v["min_replicas"],
        v["max_replicas"],
        v["scale_up_rules"],
        v["scale_down_rules"],
        v["scale_up_events"],
        v["scale_down_events"],
    )


def run_stab_vector(v: dict) -> tuple[int, int]:
    stabilized, log = hpa.stabilize(
        v["prenormalized_desired_replicas"],
        v["recommendations"],
        hpa.DOWNSCALE_STABILIZATION_SECONDS,
    )
    return stabilized, len(log)


def _ids(vectors):
    return [v["id"] for v in vectors]


RC = _load("hpa_replica_calculator_vectors") if VECTORS.exists() else []
RULES = _load("hpa_behavior_rate_vectors") if VECTORS.exists() else []
STAB = _load("hpa_stabilization_vectors") if VECTORS.exists() else []


@pytest.mark.parametrize("v", RC, ids=_ids(RC))
def test_replica_calculator_vectors(v):
    result = run_rc_vector(v)
    assert result.replicas == v["expected_replicas"]
    if v.get("expected_utilization") is not None:
        assert result.utilization == v["expected_utilization"]
    if v.get("expected_raw_average_value") is not None:
        assert result.usage_milli == v["expected_raw_average_value"]
    if v.get("expected_usage_milli") is not None:
        assert result.usage_milli == v["expected_usage_milli"]


@pytest.mark.parametrize("v", RULES, ids=_ids(RULES))
def test_behavior_rate_vectors(v):
    assert run_rules_vector(v) == (v["expected_replicas"], v["expected_condition"])


@pytest.mark.parametrize("v", STAB, ids=_ids(STAB))
def test_stabilization_vectors(v):
    assert run_stab_vector(v) == (v["expected_stabilized_replicas"], v["expected_log_length_after"])


def test_sample_has_every_kind():
    assert len(RC) >= 5 and len(RULES) >= 7 and len(STAB) >= 2


# --- Defaults shown to the learner (k8s_formulas.md §5) ---------------------------------------


def test_controller_defaults():
    assert hpa.SYNC_PERIOD_SECONDS == 15
    assert hpa.DEFAULT_TOLERANCE == 0.1
    assert hpa.DOWNSCALE_STABILIZATION_SECONDS == 300
    assert hpa.CPU_INITIALIZATION_PERIOD_SECONDS == 300
    assert hpa.INITIAL_READINESS_DELAY_SECONDS == 30
    assert hpa.DEFAULT_MIN_REPLICAS == 1 and hpa.DEFAULT_CPU_UTILIZATION == 80


def test_default_behavior_rules():
    up, down = hpa.default_scale_up_rules(), hpa.default_scale_down_rules()
    assert up.stabilization_window_seconds == 0 and up.select_policy == "Max"
    assert {(p.type, p.value, p.period_seconds) for p in up.policies} == {
        ("Pods", 4, 15),
        ("Percent", 100, 15),
    }
    assert down.stabilization_window_seconds is None
    assert [(p.type, p.value, p.period_seconds) for p in down.policies] == [("Percent", 100, 15)]
    # Scale-up default from 3 replicas: max(3+4, ceil(3*2)) = 7 per 15 s.
    assert hpa.scale_up_limit(3, up) == 7


def test_tolerance_boundaries_are_inclusive():
    tol = hpa.Tolerances()
    assert tol.within(0.9) and tol.within(1.1) and not tol.within(1.1000001)


def test_without_behavior_scale_up_limit_is_double_or_four():
    assert hpa.limit_without_behavior(1, 100, 1, 100) == (4, "ScaleUpLimit")
    assert hpa.limit_without_behavior(10, 100, 1, 100) == (20, "ScaleUpLimit")
    assert hpa.limit_without_behavior(10, 100, 1, 15) == (15, "TooManyReplicas")
    assert hpa.limit_without_behavior(10, 0, 2, 15) == (2, "TooFewReplicas")


def test_missing_request_is_a_clear_error():
    pods = [hpa.PodSample(usage_milli=100, request_milli=None)]
    with pytest.raises(ValueError, match="missing request for cpu"):
        hpa.resource_utilization_replicas(1, pods, 50)


def test_missing_pod_on_scale_down_counts_at_max_of_100_and_target():
    # Two pods at 20 % of a 1000m request, one with no sample; target 150 %.
    pods = [hpa.PodSample(200, 1000), hpa.PodSample(200, 1000), hpa.PodSample(None, 1000)]
    rec = hpa.resource_utilization_replicas(3, pods, 150)
    # ratio 20/150 < 1; missing filled at 150 % -> (200+200+1500)*100/3000 = 63 % -> 0.42
    assert rec.replicas == math.ceil(63 / 150 * 3)


def test_bad_inputs_name_the_field():
    with pytest.raises(ValueError, match="target_utilization"):
        hpa.resource_utilization_replicas(1, [hpa.PodSample(1, 1)], 0)
    with pytest.raises(ValueError, match="selectPolicy"):
        hpa.ScalingRules((), "Biggest")
    with pytest.raises(ValueError, match="minReplicas"):
        hpa.limit_with_behavior(1, 2, 5, 3)


# --- Properties ---------------------------------------------------------------------------------

usage = st.integers(0, 4000)


@given(st.lists(usage, min_size=1, max_size=20), st.integers(10, 200))
def test_result_within_tolerance_keeps_current(levels, target):
    pods = [hpa.PodSample(u, 1000) for u in levels]
    rec = hpa.resource_utilization_replicas(len(levels), pods, target)
    ratio = rec.utilization / target
    if 0.9 <= ratio <= 1.1:
        assert rec.replicas == len(levels)
    else:
        assert rec.replicas == math.ceil(ratio * len(levels))


@given(st.integers(1, 200), st.integers(0, 400), st.integers(1, 50), st.integers(0, 300))
def test_behavior_limit_stays_within_bounds(current, desired, lo, span):
    hi = lo + span
    replicas, _ = hpa.limit_with_behavior(current, desired, lo, hi)
    if lo <= current <= hi:
        assert lo <= replicas <= hi
        assert min(current, desired) <= replicas <= max(current, desired)


@given(
    st.integers(0, 100), st.lists(st.tuples(st.integers(0, 100), st.floats(0, 900)), max_size=10)
)
def test_stabilize_is_max_of_window(desired, log):
    stabilized, new_log = hpa.stabilize(desired, log, 300)
    inside = [r for r, ago in log if ago < 300]
    assert stabilized == max([desired, *inside])
    assert len(new_log) in (len(log), len(log) + 1)


def test_autoscaler_scales_up_then_waits_out_the_window():
    spec = hpa.AutoscalerSpec(max_replicas=10, target_utilization=50)
    scaler = hpa.Autoscaler(spec)
    busy = [hpa.PodSample(900, 1000) for _ in range(2)]  # 90 % of requests
    d = scaler.reconcile(1000.0, 2, busy)  # pods started at 0: past cpu initialisation
    assert d.desired_replicas == 4  # ceil(1.8*2) = 4, within max(2*2, 4)
    idle = [hpa.PodSample(100, 1000) for _ in range(4)]
    assert scaler.reconcile(1015.0, 4, idle).desired_replicas == 4  # window holds the 4
    assert scaler.reconcile(1301.0, 4, idle).desired_replicas == 1  # ceil(0.2*4) = 1


# --- Configurable tolerance from a manifest (KEP-4951) ------------------------------------------

HPA_YAML = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx:1.27, resources: {requests: {cpu: 500m}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
"""


TOLERANCES_YAML = """
  behavior:
    scaleUp: {tolerance: 2}
    scaleDown: {tolerance: 50m}
"""


@pytest.mark.parametrize(("behavior", "replicas"), [("", 5), (TOLERANCES_YAML, 2)])
def test_manifest_tolerance_of_two_holds_a_ratio_of_2_4(behavior, replicas):
    """Two pods at 120 % of their request against a 50 % target: ratio 2.4. The default 0.1
    tolerance scales to ceil(2.4 * 2) = 5; a scale-up tolerance of 2 (upstream's own test
    value) keeps 2, since 2.4 <= 1 + 2."""
    from msa_course.orchestration import load_manifests
    from msa_course.orchestration.cluster import Cluster, mapping_of
    from msa_course.orchestration.objects import Node

    objects = load_manifests(HPA_YAML + behavior)
    if behavior:
        assert (objects[1].scale_up.tolerance, objects[1].scale_down.tolerance) == (2.0, 0.05)
    cluster = Cluster([Node(f"node-{i}", {"cpu": 8000, "memory": 16 * 2**30}) for i in range(3)])
    cluster.apply(*objects)
    cluster.load["web"] = lambda t: 1200  # millicores across the ready pods
    cluster.run_until(300)
    assert int(mapping_of(cluster.get_hpa())[0]["REPLICAS"]) == replicas


@pytest.mark.parametrize(
    ("raw", "message"), [("-1", "greater than or equal to 0"), ("lots", "not a valid quantity")]
)
def test_manifest_tolerance_errors_name_the_field(raw, message):
    from msa_course.orchestration import load_manifests
    from msa_course.orchestration.manifests import ManifestError

    with pytest.raises(ManifestError, match=rf"spec.behavior.scaleUp.tolerance.*{message}"):
        load_manifests(HPA_YAML + f"  behavior:\n    scaleUp: {{tolerance: {raw!r}}}\n")
