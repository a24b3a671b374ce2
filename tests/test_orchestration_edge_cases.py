"""Edge cases of the public scoring, filter and HPA functions, each from k8s_formulas.md's text.

The held-back upstream vectors are of the same kinds as the sample; these are the corners a
vector could sit on that the sample does not: zero allocatable, pods with no containers,
extended resources, a one-point RequestedToCapacityRatio shape, weights, BalancedAllocation
on one resource, HPA with every pod unready or without metrics, no scale to zero, and the
tolerance boundaries.
"""

from __future__ import annotations

import pytest

from msa_course.orchestration import hpa
from msa_course.orchestration.manifests import ManifestError, load_manifests
from msa_course.orchestration.objects import (
    Container,
    HorizontalPodAutoscaler,
    Node,
    Pod,
    pod_requests,
)
from msa_course.orchestration.plugins import (
    balanced_allocation,
    balanced_allocation_pre_score,
    balanced_allocation_score,
    check_resources,
    fits_request,
    least_allocated,
    most_allocated,
    node_resources_fit_score,
    requested_to_capacity_ratio,
)
from msa_course.orchestration.scheduler import PlainScheduler, Profile, Scheduler

GPU = "nvidia.com/gpu"
GI = 2**30


# --- zero allocatable (§1.1: "a resource with alloc == 0 is left at 0/0, and the strategy
# skips it"; §1.2/1.3: "0 if Σw == 0") ------------------------------------------------------


def test_zero_allocatable_resource_is_skipped_by_every_strategy():
    assert least_allocated([100, 200], [0, 1000], [1, 1]) == 80  # memory alone: 800*100/1000
    assert most_allocated([100, 200], [0, 1000], [1, 1]) == 20
    assert least_allocated([0, 0], [0, 0], [1, 1]) == 0
    assert most_allocated([5, 5], [0, 0], [1, 1]) == 0
    shape = [(0, 0), (100, 10)]
    assert requested_to_capacity_ratio([50, 30], [0, 100], [1, 1], shape) == 30
    assert requested_to_capacity_ratio([50, 30], [0, 0], [1, 1], shape) == 0
    empty = {"cpu": 0, "memory": 0}
    assert node_resources_fit_score({"cpu": 100, "memory": 10}, {}, empty) == 0


def test_zero_allocatable_in_filter():
    # §3: strict > against allocatable - requested: any positive request fails on 0
    result = fits_request({"cpu": 1}, {}, 0, {"cpu": 0, "memory": GI, "pods": 10})
    assert result.reasons == ("Insufficient cpu",)
    assert result.insufficient[0].capacity == 0
    # a pod asking for nothing only meets the pod-count check
    assert fits_request({}, {}, 0, {"cpu": 0, "memory": 0, "pods": 1}).fits
    assert fits_request({}, {}, 0, {"cpu": 0, "memory": 0, "pods": 0}).reasons == ("Too many pods",)


def test_balanced_allocation_with_no_allocatable_scores_zero_spread():
    # §2.1: fractions only over alloc != 0; none left -> std 0 -> 100 (v1.36: 50+(50+0)/2)
    empty = {"cpu": 0, "memory": 0}
    assert balanced_allocation_score({"cpu": 100}, {}, empty, version="v1.35") == 100
    assert balanced_allocation_score({"cpu": 100}, {}, empty, version="v1.36") == 75


# --- pods with no containers (§1.1: "A pod with no containers requests 0") ----------------


def test_pod_without_containers_requests_nothing_even_for_scoring():
    pod = Pod("bare")
    assert pod.requests() == {} and pod.scoring_requests() == {}
    assert pod_requests((), (), {"cpu": 100, "memory": 200 * 2**20}) == {}
    alloc = {"cpu": 4000, "memory": 8 * GI, "pods": 110}
    assert node_resources_fit_score({}, {}, alloc) == 100  # LeastAllocated on an empty node
    assert node_resources_fit_score({}, {}, alloc, strategy="MostAllocated") == 0
    assert fits_request({}, {"cpu": 4000, "memory": 8 * GI}, 3, alloc).fits
    # §2: every request 0 -> PreScore Skip -> the scheduler never runs this plugin's Score
    assert balanced_allocation_pre_score({}) == "Skip"
    assert balanced_allocation_pre_score({"cpu": 0, "memory": 0}) == "Skip"
    assert balanced_allocation_pre_score({GPU: 1}, RESOURCES) == "Success"
    assert balanced_allocation_pre_score({GPU: 1}) == "Skip"  # not one of the resources
    # Score itself, run anyway, scores the node as it stands: 25 % / 0 % -> std .125 -> 87
    assert balanced_allocation_score({}, {"cpu": 1000}, alloc, version="v1.35") == 87
    assert balanced_allocation([1000, 0], [0, 0], [4000, 8 * GI], "v1.36") == 75


def test_container_without_requests_differs_from_no_containers():
    # a container with no requests gets the 100m / 200Mi scoring defaults; explicit 0 stays 0
    defaults = {"cpu": 100, "memory": 200 * 2**20}
    assert Pod("a", (Container("c"),)).scoring_requests() == defaults
    zero = Pod("z", (Container("c", requests={"cpu": 0, "memory": 0}),))
    assert zero.scoring_requests() == {"cpu": 0, "memory": 0}


# --- extended resources (§1.1: a scalar the pod requests 0 of, or the node lacks, is (0,0);
# §2: "Extended resources count only if the pod requests them and the node has them") ------


RESOURCES = (("cpu", 1), ("memory", 1), (GPU, 2))


def test_extended_resource_scored_only_when_requested_and_present():
    alloc = {"cpu": 4000, "memory": 4 * GI, GPU: 4}
    used = {"cpu": 1000, "memory": GI, GPU: 1}
    # not requested: only cpu (50 after the pod) and memory (50) count -> 50
    no_gpu = {"cpu": 1000, "memory": GI}
    assert node_resources_fit_score(no_gpu, used, alloc, resources=RESOURCES) == 50
    # requested: gpu (4-2)*100/4 = 50 with weight 2 -> (50 + 50 + 100) / 4 = 50
    with_gpu = {**no_gpu, GPU: 1}
    assert node_resources_fit_score(with_gpu, used, alloc, resources=RESOURCES) == 50
    # gpu 3 of 4 used after the pod: (50 + 50 + 25*2) / 4 = 37
    assert node_resources_fit_score({**no_gpu, GPU: 2}, used, alloc, resources=RESOURCES) == 37
    # the node lacks the resource: (0,0), skipped -> cpu and memory only
    lacking = {"cpu": 4000, "memory": 4 * GI}
    assert node_resources_fit_score(with_gpu, used, lacking, resources=RESOURCES) == 50


def test_extended_resource_in_filter_and_balance():
    alloc = {"cpu": 4000, "memory": 4 * GI, "pods": 10, GPU: 2}
    assert fits_request({GPU: 2}, {GPU: 0}, 0, alloc).fits  # exact fit passes
    assert fits_request({GPU: 1}, {GPU: 2}, 0, alloc).reasons == ("Insufficient nvidia.com/gpu",)
    lacking = {"cpu": 4000, "memory": 4 * GI, "pods": 10}
    assert fits_request({GPU: 1}, {}, 0, lacking).reasons == ("Insufficient nvidia.com/gpu",)
    assert fits_request({GPU: 0, "cpu": 1}, {}, 0, lacking).fits  # a 0 request is skipped
    # balance over cpu, memory, gpu: fractions .5, .5, 1 -> population std .2357 -> 76
    pod = {"cpu": 1000, "memory": GI, GPU: 2}
    before = {"cpu": 1000, "memory": GI}
    score = balanced_allocation_score(pod, before, alloc, resources=RESOURCES, version="v1.35")
    assert score == 76
    # without a gpu request the gpu column is left out: .5 and .5 -> 100
    no_gpu = {"cpu": 1000, "memory": GI}
    assert (
        balanced_allocation_score(no_gpu, before, alloc, resources=RESOURCES, version="v1.35")
        == 100
    )


# --- RequestedToCapacityRatio (§1.4) ------------------------------------------------------


def test_single_point_shape_is_flat():
    for utilization in (0, 30, 50, 100, 150):
        assert requested_to_capacity_ratio([utilization], [100], [1], [(50, 7)]) == 70
    # a flat zero shape drops every resource: weight sum 0 -> 0
    assert requested_to_capacity_ratio([30, 60], [100, 100], [1, 1], [(50, 0)]) == 0


def test_rtcr_over_capacity_truncation_and_rounding():
    rising = [(0, 0), (100, 10)]
    assert requested_to_capacity_ratio([150], [100], [1], rising) == 100  # req > alloc: f(100)
    # Go truncates toward zero on the falling edge: 100 + (-100*10)/30 = 67 (Python // gives 66)
    assert requested_to_capacity_ratio([10], [100], [1], [(0, 10), (30, 0)]) == 67
    # math.Round half away from zero: (36 + 37) / 2 = 36.5 -> 37 (Python round() gives 36)
    assert requested_to_capacity_ratio([36, 37], [100, 100], [1, 1], rising) == 37
    # a resource scoring 0 leaves the weight sum too: only memory (60) counts
    assert requested_to_capacity_ratio([0, 60], [100, 100], [1, 1], rising) == 60


@pytest.mark.parametrize("shape", [((50, 7),), ((0, 10), (30, 0)), ((20, 3), (80, 9))])
def test_schedulers_agree_on_rtcr_shapes(shape):
    profile = Profile(strategy="RequestedToCapacityRatio", shape=shape)
    nodes = [Node(f"n{i}", {"cpu": 1000 * (i + 1), "memory": (i + 1) * GI}) for i in range(6)]
    pods = [
        Pod(f"p{i}", (Container("c", requests={"cpu": 150 + 50 * (i % 4)}),)) for i in range(30)
    ]
    fast = Scheduler([Node(n.name, dict(n.allocatable)) for n in nodes], profile, seed=3)
    plain = PlainScheduler(nodes, profile, seed=3)
    a = [d.node for d in fast.schedule(pods)]
    b = [d.node for d in plain.schedule([Pod(p.name, p.containers) for p in pods])]
    assert a == b


# --- weights (§1: validation rejects <= 0 or > 100; score = Σ s*w / Σ w) ------------------


@pytest.mark.parametrize("weight", [0, -1, 101])
def test_bad_weights_are_rejected(weight):
    with pytest.raises(ValueError, match="1..100"):
        check_resources((("cpu", weight),))
    with pytest.raises(ValueError, match="1..100"):
        Profile(resources=(("cpu", 1), ("memory", weight)))


def test_weights_average_with_integer_division():
    check_resources((("cpu", 100),))  # the upper bound is allowed
    # cpu 50, memory 90 -> (50*1 + 90*3) / 4 = 80; (50*2 + 90*1) / 3 = 63.33 -> 63
    assert least_allocated([500, 100], [1000, 1000], [1, 3]) == 80
    assert least_allocated([500, 100], [1000, 1000], [2, 1]) == 63
    assert most_allocated([500, 100], [1000, 1000], [2, 1]) == 36  # (50*2 + 10) / 3


# --- BalancedAllocation with one resource (§2.1: std = 0 unless 2+ fractions) -------------


def test_balanced_allocation_on_one_resource():
    alloc = {"cpu": 1000, "memory": GI}
    one = (("cpu", 1),)
    pod = {"cpu": 500, "memory": GI // 2}
    assert balanced_allocation_score(pod, {}, alloc, resources=one, version="v1.35") == 100
    # v1.36: 50 + (50 + 100 - 100) / 2 = 75, whatever the fill
    assert balanced_allocation_score(pod, {"cpu": 400}, alloc, resources=one) == 75
    assert balanced_allocation([400], [500], [1000], "v1.36") == 75


# --- HPA (§5.1, §5.2) ---------------------------------------------------------------------


def _pods(usages, request=1000, **kw):
    return [hpa.PodSample(u, request, **kw) for u in usages]


def test_hpa_with_every_pod_unready_or_without_metrics_is_an_error():
    unready = _pods([900, 900], ready=False, start_time=hpa.INITIAL_READINESS_DELAY_SECONDS)
    for pods, message in (
        (unready, "did not receive metrics"),
        # the metrics API returned nothing at all (the metrics client's error)
        (_pods([None, None]), "no metrics returned from resource metrics API"),
        ([hpa.PodSample(None, 1000, phase="Pending")] * 2, "no metrics returned"),
    ):
        with pytest.raises(ValueError, match=message):
            hpa.resource_utilization_replicas(2, pods, 50)
        with pytest.raises(ValueError, match=message):
            hpa.plain_metric_replicas(2, pods, 500, resource="cpu")
    with pytest.raises(ValueError, match="no pods returned"):
        hpa.resource_utilization_replicas(0, [], 50)
    # the controller keeps the current count and says why
    scaler = hpa.Autoscaler(hpa.AutoscalerSpec(max_replicas=10, target_utilization=50))
    decision = scaler.reconcile(1000.0, 2, unready)
    assert decision.desired_replicas == 2 and "did not receive metrics" in decision.reason


def test_hpa_unready_pods_count_as_zero_only_on_scale_up():
    # 2 ready pods at 100 % (ratio 2 > 1), 2 Pending: pending count 0 -> 200/400 = 50 % -> 1.0
    pods = _pods([1000, 1000]) + [hpa.PodSample(None, 1000, phase="Pending")] * 2
    assert hpa.resource_utilization_replicas(4, pods, 50).replicas == 4
    # a scale-down ignores them: 2 ready at 10 % -> ceil(0.2 * 2) = 1
    pods = _pods([100, 100]) + [hpa.PodSample(None, 1000, phase="Pending")] * 2
    assert hpa.resource_utilization_replicas(4, pods, 50).replicas == 1


def test_missing_pods_at_ratio_one_change_nothing_on_either_path():
    # calcPlainMetricReplicas `else if ratio > 1` since v1.28 (kubernetes/kubernetes#117845),
    # as GetResourceReplicas: at exactly 1 the missing pods are left out and the ratio stays 1.
    # Before, they counted as 0: 200/10 = 20 -> 0.2 -> ceil(0.2 * 10) = 2.
    pods = _pods([100, 100]) + _pods([None] * 8)
    assert hpa.plain_metric_replicas(10, pods, 100).replicas == 10
    pods = _pods([500, 500]) + _pods([None] * 8)
    assert hpa.resource_utilization_replicas(10, pods, 50).replicas == 10


def test_no_scale_to_zero():
    with pytest.raises(ValueError, match="min_replicas must be >= 1"):
        HorizontalPodAutoscaler("web", "web", max_replicas=5, min_replicas=0)
    manifest = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 0
  maxReplicas: 10
"""
    with pytest.raises(ManifestError, match=r"spec\.minReplicas: 0 must be greater than or equal"):
        load_manifests(manifest)
    # §5.2: a target scaled to 0 by hand with minReplicas != 0: scaling is disabled
    scaler = hpa.Autoscaler(hpa.AutoscalerSpec(max_replicas=10, min_replicas=1))
    decision = scaler.reconcile(0.0, 0, [])
    assert (decision.desired_replicas, decision.reason) == (0, "ScalingDisabled")
    # the clamp never goes below minReplicas
    assert hpa.limit_without_behavior(3, 0, 1, 10) == (1, "TooFewReplicas")
    assert hpa.limit_with_behavior(3, 0, 1, 10)[0] == 1


@pytest.mark.parametrize(
    ("usage", "target", "expected"),
    [
        (550, 50, 10),  # 55 / 50 = 1.1: inside (inclusive) -> current
        (560, 50, 12),  # 1.12 -> ceil(11.2)
        (450, 50, 10),  # 0.9: inside -> current
        (440, 50, 9),  # 0.88 -> ceil(8.8)
        (880, 80, 10),  # 88 / 80 = 1.1
        (720, 80, 10),  # 72 / 80 = 0.9
        (990, 90, 10),  # 99 / 90 = 1.1
    ],
)
def test_tolerance_boundaries_exactly_at_1_1_and_0_9(usage, target, expected):
    rec = hpa.resource_utilization_replicas(10, _pods([usage] * 10), target)
    assert rec.replicas == expected


def test_per_direction_tolerance_boundaries():
    tol = hpa.Tolerances(down=0.2, up=0.05)
    assert tol.within(0.8) and tol.within(1.05)
    assert not tol.within(0.79) and not tol.within(1.06)
    # 53 / 50 = 1.06 > 1.05 -> scale up; 41 / 50 = 0.82 within the 0.2 down tolerance
    assert (
        hpa.resource_utilization_replicas(10, _pods([530] * 10), 50, tolerance=tol).replicas == 11
    )
    assert (
        hpa.resource_utilization_replicas(10, _pods([410] * 10), 50, tolerance=tol).replicas == 10
    )
    assert hpa.object_metric_replicas(4, 105, 100, 4, tolerance=tol) == 4
    assert hpa.average_value_replicas(4, 420, 100, tolerance=tol) == (4, 105)
