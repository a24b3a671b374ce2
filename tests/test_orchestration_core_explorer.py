"""The bin-packing explorer and its model: driven as a learner would."""

from __future__ import annotations

import html

import pytest

from msa_course.orchestration.binpacking import lower_bound, node_pool, pack, workload
from msa_course.orchestration.scheduler import Profile
from msa_course.orchestration.widgets import YAML_CHOICE, binpacking_explorer


def test_lower_bound_is_ceil_of_total_over_capacity():
    pods = workload("uniform web pods", 10)  # 10 x 250m / 256Mi
    assert lower_bound(pods, {"cpu": 1000, "memory": 2**30, "pods": 110}) == {
        "cpu": 3,
        "memory": 3,
        "pods": 1,
    }


def test_packing_uses_fewer_nodes_than_spreading_and_never_beats_the_bound():
    pods = workload("mixed microservices", 200, seed=1)
    nodes = node_pool(20, 16, 64)
    spread = pack(pods, nodes, Profile(strategy="LeastAllocated"))
    packed = pack(pods, nodes, Profile(strategy="MostAllocated"))
    bound = max(spread.lower_bounds.values())
    assert spread.nodes_used == 20
    assert bound <= packed.nodes_used < spread.nodes_used
    assert not spread.pending and not packed.pending


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="workload must be one of"):
        workload("gpu farm", 3)
    with pytest.raises(ValueError, match="node count must be at least 1"):
        node_pool(0, 4, 16)


def test_explorer_updates_figure_and_kubectl_panels():
    ex = binpacking_explorer()
    cpu_before = list(ex.figure.data[0].y)
    assert len(ex.figure.data) == 2 and len(cpu_before) == 20
    assert "kubectl get pods -o wide" in ex.side.value
    assert "Allocated resources:" in ex.side.value
    ex.controls["strategy"].value = "MostAllocated (pack)"
    assert list(ex.figure.data[0].y) != cpu_before
    assert "MostAllocated" in ex.figure.layout.title.text
    assert sum(1 for y in ex.figure.data[0].y if y > 0) < 20  # some nodes left empty
    ex.controls["nodes"].value = 3
    ex.controls["node_cpu"].value = 2
    assert ex.message.value == ""
    assert "FailedScheduling" in ex.side.value
    assert "nodes are available:" in ex.side.value and "Insufficient cpu" in ex.side.value
    assert len(ex.figure.data[0].y) == 3


def test_explorer_yaml_mode_and_errors():
    ex = binpacking_explorer()
    ex.controls["workload"].value = YAML_CHOICE
    assert "web-59" in ex.side.value or "... " in ex.side.value
    count = ex.update_count
    ex.controls["yaml"].value = ex.controls["yaml"].value.replace("cpu: 500m", "cpu: 2 cores")
    assert "'2 cores' is not a valid quantity" in html.unescape(ex.message.value)
    assert ex.update_count == count  # the figure keeps the last good state
    ex.controls["yaml"].value = "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n" + (
        "status: {allocatable: {cpu: '1', memory: 1Gi}}\n"
    )
    assert "places Deployments, ReplicaSets and Pods" in ex.message.value


SPREAD_YAML = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      tolerations: [{key: dedicated, operator: Exists}]
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
         labelSelector: {matchLabels: {app: web}}}
      containers:
      - name: app
        image: nginx
        resources: {requests: {cpu: 100m, memory: 64Mi}}
"""


def test_explorer_explains_the_chosen_pod_and_follows_the_profile():
    ex = binpacking_explorer()
    assert "Why pod jvm-0 went where it did (LeastAllocated)" in html.unescape(ex.side.value)
    ex.controls["explain"].value = 57
    side = html.unescape(ex.side.value)
    assert "Why pod " in side and "-56 went where it did" in side
    assert "kubectl describe pod" in side and "Successfully assigned default/" in side
    ex.controls["strategy"].value = "MostAllocated (pack)"
    assert "went where it did (MostAllocated)" in html.unescape(ex.side.value)
    # a Deployment's replicas carry their spread constraint into the scheduler
    ex.controls["workload"].value = YAML_CHOICE
    ex.controls["yaml"].value = SPREAD_YAML
    ex.controls["nodes"].value = 3
    ex.controls["explain"].value = 2  # web-1: web-0's node already has one more than the others
    side = html.unescape(ex.side.value)
    assert ex.message.value == ""
    assert "PodTopologySpread: node(s) didn't match pod topology spread constraints" in side
