"""Kubernetes quantities and manifests: valid forms parse exactly, bad ones explain themselves."""

from __future__ import annotations

from fractions import Fraction

import pytest

from msa_course.orchestration import kubelet
from msa_course.orchestration.manifests import ManifestError, load_manifests
from msa_course.orchestration.objects import Deployment, HorizontalPodAutoscaler, Node, Pod
from msa_course.orchestration.quantity import (
    format_bytes,
    format_cpu,
    parse_quantity,
    to_int,
    to_milli,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Fraction(1, 10)),
        ("0.5", Fraction(1, 2)),
        ("1", 1),
        ("256Mi", 256 * 2**20),
        ("1G", 10**9),
        ("1e3", 1000),
        ("1E3", 1000),
        ("1E", 10**18),
        ("2Ki", 2048),
        (".5", Fraction(1, 2)),
        ("+3", 3),
        ("-1", -1),
        ("1.5Gi", 3 * 2**29),
        (2, 2),
        (0.25, Fraction(1, 4)),
    ],
)
def test_valid_quantities_parse_exactly(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "text", ["2 cores", "", "1.5.0", "10mi", "1e", "1Kb", "m", " 1", "abc", True]
)
def test_invalid_quantities_name_the_text(text):
    with pytest.raises(ValueError, match="not a valid quantity"):
        parse_quantity(text)


def test_conversions_round_up_like_the_api():
    assert to_milli("250m") == 250
    assert to_milli("0.1") == 100
    assert to_milli("0.0001") == 1  # MilliValue rounds up
    assert to_milli(1) == 1000
    assert to_int("256Mi") == 268435456
    assert to_int("1k") == 1000
    assert to_int("0.5") == 1
    assert format_cpu(1500) == "1500m" and format_cpu(2000) == "2"
    assert format_bytes(268435456) == "256Mi" and format_bytes(1000) == "1000"


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      initContainers:
      - name: migrate
        image: busybox
        resources: {requests: {cpu: "1", memory: 64Mi}}
      containers:
      - name: app
        image: nginx:1.27
        resources:
          requests: {cpu: 250m, memory: 256Mi}
          limits: {cpu: 500m, memory: 512Mi}
      - name: log
        image: busybox
        resources:
          limits: {cpu: 100m, memory: 64Mi}
"""

NODE_AND_HPA = """
apiVersion: v1
kind: Node
metadata: {name: worker-1}
spec: {unschedulable: true}
status:
  capacity: {cpu: "8", memory: 32Gi, pods: "110"}
  allocatable: {cpu: 7800m, memory: 31Gi, pods: "110"}
  conditions: [{type: Ready, status: "False"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 60}
---
apiVersion: v1
kind: Pod
metadata: {name: solo}
spec:
  nodeName: worker-1
  containers: [{name: c, image: nginx}]
"""


def test_deployment_becomes_objects_with_defaults():
    (dep,) = load_manifests(DEPLOYMENT)
    assert isinstance(dep, Deployment)
    assert dep.replicas == 3 and dep.selector == {"app": "web"}
    app, log = dep.template.containers
    assert app.requests == {"cpu": 250, "memory": 256 * 2**20}
    assert log.requests == {"cpu": 100, "memory": 64 * 2**20}  # request defaults to the limit
    pod = dep.template.instantiate("web-1")
    # max(app containers 350m, init container 1000m) for cpu; memory 320Mi vs 64Mi
    assert pod.requests() == {"cpu": 1000, "memory": 320 * 2**20}


def test_node_hpa_and_pod():
    node, hpa, pod = load_manifests(NODE_AND_HPA)
    assert isinstance(node, Node) and node.allocatable == {
        "cpu": 7800,
        "memory": 31 * 2**30,
        "pods": 110,
    }
    assert node.unschedulable and not node.ready
    assert isinstance(hpa, HorizontalPodAutoscaler)
    assert (hpa.min_replicas, hpa.max_replicas, hpa.metrics[0].value) == (2, 10, 60)
    assert hpa.scale_down.stabilization_window_seconds == 60
    assert [p.type for p in hpa.scale_up.policies] == ["Pods", "Percent"]  # API default
    assert isinstance(pod, Pod) and pod.node_name == "worker-1"
    assert pod.scoring_requests() == {"cpu": 100, "memory": 200 * 2**20}
    assert pod.requests() == {}


def test_hpa_without_behavior_keeps_none():
    text = NODE_AND_HPA.split("---")[1].replace(
        "  behavior:\n    scaleDown: {stabilizationWindowSeconds: 60}\n", ""
    )
    (hpa,) = load_manifests(text)
    assert hpa.scale_up is None and hpa.scale_down is None


def test_file_path(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(DEPLOYMENT)
    assert load_manifests(str(path))[0].name == "web"
    assert load_manifests(path)[0].name == "web"


BAD = {
    "yaml syntax": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n spec: {}\n", "line"),
    "wrong apiVersion": (
        DEPLOYMENT.replace("apps/v1", "apps/v1beta1"),
        "document 1 (Deployment web): apiVersion: apps/v1beta1 does not serve Deployment"
        " in Kubernetes 1.36; write apiVersion: apps/v1",
    ),
    "negative replicas": (
        DEPLOYMENT.replace("replicas: 3", "replicas: -2"),
        "spec.replicas: -2 must be greater than or equal to 0",
    ),
    "2 cores": (
        DEPLOYMENT.replace("cpu: 250m", "cpu: 2 cores"),
        "document 1 (Deployment web): spec.template.spec.containers[0].resources.requests.cpu:"
        " '2 cores' is not a valid quantity",
    ),
    "unsupported kind": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {}\n",
        "kind ConfigMap is valid Kubernetes but this simulator runs only",
    ),
    "typo kind": (
        "apiVersion: apps/v1\nkind: Deploymnt\nmetadata: {name: w}\n",
        "did you mean Deployment",
    ),
    "unknown field": (
        DEPLOYMENT.replace("resources:\n          requests", "resource:\n          requests"),
        "spec.template.spec.containers[0]: unknown field 'resource' (did you mean 'resources'?)",
    ),
    "quoted replicas": (
        DEPLOYMENT.replace("replicas: 3", "replicas: '3'"),
        "spec.replicas: '3' should",
    ),
    "missing containers": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n",
        "document 1 (Pod p): spec: field containers is required here",
    ),
    "selector mismatch": (
        DEPLOYMENT.replace("matchLabels: {app: web}", "matchLabels: {app: api}"),
        "spec.template.metadata.labels",
    ),
    "request over limit": (
        DEPLOYMENT.replace("cpu: 250m", "cpu: 750m"),
        "resources.requests.cpu: must be less than or equal to the cpu limit (500m)",
    ),
    "missing kind": ("apiVersion: v1\nmetadata: {name: p}\n", "document 1: kind is missing"),
    "node without size": (
        "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n",
        "status.allocatable: is required here",
    ),
    "not a mapping": ("- just\n- a list\n", "expected a mapping"),
    "empty": ("\n---\n", "empty"),
    "bad memory in second document": (
        NODE_AND_HPA.replace("memory: 31Gi", "memory: 31GB"),
        "document 1 (Node worker-1): status.allocatable.memory: '31GB' is not a valid quantity",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_manifest_explains_itself(case):
    text, expected = BAD[case]
    with pytest.raises(ManifestError) as caught:
        load_manifests(text)
    assert expected in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_every_bad_document_is_reported():
    text = DEPLOYMENT.replace("cpu: 250m", "cpu: lots") + "---\napiVersion: v1\nkind: Secret\n"
    with pytest.raises(ManifestError) as caught:
        load_manifests(text)
    assert len(caught.value.problems) == 2
    assert caught.value.problems[1].startswith("document 2 (Secret <no name>)")


PROBED_POD = """
apiVersion: v1
kind: Pod
metadata: {name: probed}
spec:
  containers:
  - name: app
    image: nginx:1.27
    livenessProbe: {httpGet: {path: /healthz, port: 80}, periodSeconds: 5, failureThreshold: 2}
    readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 7, successThreshold: 0}
  - name: sidecar
    image: busybox
"""


def test_probes_are_read_with_kubernetes_defaults():
    (pod,) = load_manifests(PROBED_POD)
    app, sidecar = pod.containers
    # unset fields and 0 take the API defaults (timeout 1, period 10, success 1, failure 3)
    assert app.liveness_probe == kubelet.Probe(period_seconds=5, failure_threshold=2)
    assert app.readiness_probe == kubelet.Probe(initial_delay_seconds=7)
    assert sidecar.liveness_probe is None and sidecar.readiness_probe is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("failureThreshold: 2}", "failureThreshold: 2, successThreshold: 3}",
         "containers[0].livenessProbe.successThreshold: must be 1 for a liveness probe"),
        ("{httpGet: {path: /healthz, port: 80}, ", "{",
         "containers[0].livenessProbe: must specify exactly one handler"),
        ("initialDelaySeconds: 7", "initialDelaySeconds: -1",
         "containers[0].readinessProbe.initialDelaySeconds: must be a whole number >= 0"),
    ],
    ids=["liveness success", "no handler", "negative delay"],
)  # fmt: skip
def test_bad_probes_name_the_field(old, new, expected):
    with pytest.raises(ManifestError) as caught:
        load_manifests(PROBED_POD.replace(old, new))
    assert f"document 1 (Pod probed): spec.{expected}" in str(caught.value)


def test_node_ready_unknown_is_unreachable():
    text = NODE_AND_HPA.split("---")[0].replace('status: "False"', 'status: "Unknown"')
    (node,) = load_manifests(text)
    assert not node.ready and not node.reachable
    assert "node.kubernetes.io/unreachable:NoExecute" in node.taints
    (node,) = load_manifests(NODE_AND_HPA.split("---")[0])
    assert node.reachable and "node.kubernetes.io/not-ready:NoExecute" in node.taints
