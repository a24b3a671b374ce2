"""Placement fields from manifests: taints, tolerations, nodeSelector, affinity, spreading."""

from __future__ import annotations

import textwrap

import pytest

from msa_course.orchestration.manifests import ManifestError, load_manifests
from msa_course.orchestration.placement import (
    LABEL_ZONE,
    LabelSelector,
    Taint,
    Toleration,
    TopologySpreadConstraint,
)

NODE = """
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {topology.kubernetes.io/zone: a}}
spec:
  taints: [{key: dedicated, value: gpu, effect: NoSchedule}]
status: {allocatable: {cpu: "4", memory: 8Gi}}
"""

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      TOLERATIONS
      nodeSelector: {disk: ssd}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 50
            podAffinityTerm:
              labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector: {matchLabels: {app: web}}
      containers: [{name: c, image: nginx}]
"""
TOLERATION = "tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]"


def _load(tmp_path, text):
    path = tmp_path / "m.yaml"
    path.write_text(textwrap.dedent(text))
    return load_manifests(path)


def test_placement_fields_are_read(tmp_path):
    node, deployment = _load(tmp_path, NODE + "---" + DEPLOYMENT.replace("TOLERATIONS", TOLERATION))
    assert node.spec_taints == (Taint("dedicated", "gpu", "NoSchedule"),)
    pod = deployment.template.instantiate("web-1")
    assert pod.tolerations == (Toleration("dedicated", "Equal", "gpu", "NoSchedule"),)
    assert pod.node_selector == {"disk": "ssd"}
    assert pod.affinity.node_affinity.required[0].match_expressions[0].values == ("amd64",)
    assert pod.affinity.pod_anti_affinity.preferred[0].weight == 50
    assert pod.topology_spread_constraints == (
        TopologySpreadConstraint(1, LABEL_ZONE, "DoNotSchedule", LabelSelector({"app": "web"})),
    )


@pytest.mark.parametrize(
    ("tolerations", "message"),
    [
        (
            "tolerations: [{key: a, operator: Exists, value: b}]",
            "spec.template.spec.tolerations[0]: a toleration with operator Exists must have no "
            "value",
        ),
        (
            "tolerations: [{operator: Equal, value: b}]",
            "spec.template.spec.tolerations[0]: a toleration with an empty key must use operator "
            "Exists",
        ),
    ],
)
def test_bad_toleration_names_its_field(tmp_path, tolerations, message):
    with pytest.raises(ManifestError) as raised:
        _load(tmp_path, DEPLOYMENT.replace("TOLERATIONS", tolerations))
    assert message in str(raised.value)


def test_namespace_selector_is_refused_with_a_way_out(tmp_path):
    text = DEPLOYMENT.replace("TOLERATIONS", "").replace(
        "topologyKey: kubernetes.io/hostname",
        "topologyKey: kubernetes.io/hostname\n              namespaceSelector: {}",
    )
    with pytest.raises(ManifestError) as raised:
        _load(tmp_path, text)
    assert "podAffinityTerm.namespaceSelector: not simulated" in str(raised.value)
