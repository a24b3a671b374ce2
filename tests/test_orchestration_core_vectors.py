"""Every scheduler vector from upstream's unit tests, through the public plugin functions.

The vectors come from ../shared/reference/k8s_vectors_sample.json (copied to tests/data);
set MSA_K8S_VECTORS to another file of the same schema (e.g. the full upstream set) to run
that instead. The harness only turns a vector's pods into per-node sums, the way the
scheduler's NodeInfo does; every formula is in msa_course.orchestration.plugins.

Placement vectors (TaintToleration, NodeAffinity, PodTopologySpread, InterPodAffinity; schema
`scheduler_placement_vectors` in docs/k8s_formulas.md §0) are read from the same file when it
has that key; without MSA_K8S_VECTORS, from tests/data/k8s_placement_vectors_sample.json. The
harness turns their nodes and pods (Kubernetes API JSON) into the plugins' NodeInfo with
placement_manifest and runs PreFilter/Filter and PreScore/Score/NormalizeScore.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from msa_course.orchestration import placement_manifest
from msa_course.orchestration.objects import NON_ZERO_DEFAULTS, Container, Pod, pod_requests
from msa_course.orchestration.plugins import (
    ERR_REASON_AFFINITY,
    ERR_REASON_NODE_LABEL_NOT_MATCH,
    NodeInfo,
    balanced_allocation_pre_score,
    balanced_allocation_score,
    fits_request,
    ipa_filter,
    ipa_normalize,
    ipa_pre_filter,
    ipa_pre_score,
    ipa_score,
    node_affinity_filter,
    node_affinity_normalize,
    node_affinity_pre_filter,
    node_affinity_pre_score,
    node_affinity_score,
    node_resources_fit_score,
    pts_filter,
    pts_normalize,
    pts_pre_filter,
    pts_pre_score,
    pts_score,
    taint_toleration_filter,
    taint_toleration_normalize,
    taint_toleration_score,
)

VECTORS = Path(
    os.environ.get("MSA_K8S_VECTORS", Path(__file__).parent / "data" / "k8s_vectors_sample.json")
)
DATA = json.loads(VECTORS.read_text())
if "scheduler_placement_vectors" in DATA or "MSA_K8S_VECTORS" in os.environ:
    PLACEMENT = DATA.get("scheduler_placement_vectors", [])
else:
    SAMPLE = Path(__file__).parent / "data" / "k8s_placement_vectors_sample.json"
    PLACEMENT = json.loads(SAMPLE.read_text())["scheduler_placement_vectors"]
# The vector file's units-in-the-key names -> Kubernetes resource names.
KEYS = {
    "cpu_milli": "cpu",
    "memory_bytes": "memory",
    "ephemeral_storage_bytes": "ephemeral-storage",
}


def _resources(amounts: dict) -> dict[str, int]:
    return {KEYS.get(k, k): v for k, v in amounts.items()}


def _containers(containers: list[dict], nested: bool) -> tuple[Container, ...]:
    return tuple(
        Container(f"c{i}", requests=_resources(c["requests"] if nested else c))
        for i, c in enumerate(containers)
    )


def _request(pod: dict, defaults: bool, nested: bool = True) -> dict[str, int]:
    return pod_requests(
        _containers(pod["containers"], nested),
        _containers(pod.get("init_containers", []), nested),
        NON_ZERO_DEFAULTS if defaults else None,
    )


def _node_requested(vector: dict, node: str, defaults: bool) -> dict[str, int]:
    total: dict[str, int] = {}
    for pod in vector["existing_pods"]:
        if pod["node"] == node:
            for name, amount in _request(pod, defaults).items():
                total[name] = total.get(name, 0) + amount
    return total


def _score(vector: dict, node: dict) -> int:
    resources = [(r["name"], r["weight"]) for r in vector["resources"]]
    allocatable = _resources(node["allocatable"])
    if vector["plugin"] == "NodeResourcesFit":
        return node_resources_fit_score(
            _request(vector["incoming_pod"], defaults=True),
            _node_requested(vector, node["name"], defaults=True),
            allocatable,
            strategy=vector["strategy"],
            resources=resources,
            shape=[(p["utilization"], p["score"]) for p in vector.get("shape", [])] or None,
        )
    version = vector["strategy"].removeprefix("BalancedAllocation_").rstrip("+")
    return balanced_allocation_score(
        _request(vector["incoming_pod"], defaults=False),
        _node_requested(vector, node["name"], defaults=False),
        allocatable,
        resources=resources,
        version=version,
    )


def _expected_prescore(vector: dict) -> str | None:
    """ "Skip"/"Success" if the vector states BalancedAllocation's PreScore status (schema in
    docs/k8s_formulas.md §0); a BalancedAllocation vector with no expected scores means Skip."""
    for key in ("expected_prescore", "expected_pre_score", "expected_prescore_status"):
        if vector.get(key):
            return vector[key]
    if vector["plugin"] == "NodeResourcesBalancedAllocation" and not vector["expected_scores"]:
        return "Skip"
    return None


@pytest.mark.parametrize("vector", DATA.get("scheduler_score_vectors", []), ids=lambda v: v["id"])
def test_score_vector(vector):
    prescore = _expected_prescore(vector)
    if prescore is not None:
        resources = [(r["name"], r["weight"]) for r in vector["resources"]]
        pod = _request(vector["incoming_pod"], defaults=False)
        assert balanced_allocation_pre_score(pod, resources) == prescore, vector["test_name"]
        if prescore == "Skip":
            return
    got = {node["name"]: _score(vector, node) for node in vector["nodes"]}
    assert got == vector["expected_scores"], vector["test_name"]


@pytest.mark.parametrize("vector", DATA.get("scheduler_filter_vectors", []), ids=lambda v: v["id"])
def test_filter_vector(vector):
    existing = vector["existing_pods"]
    used: dict[str, int] = {}
    for pod in existing:
        for name, amount in _request(pod, defaults=False, nested=False).items():
            used[name] = used.get(name, 0) + amount
    result = fits_request(
        _request(vector["incoming_pod"], defaults=False, nested=False),
        used,
        len(existing),
        _resources(vector["node_allocatable"]),
    )
    expected = vector["expected"]
    assert result.fits == expected["fits"]
    assert list(result.reasons) == expected["reasons"]
    for want, got in zip(expected.get("insufficient", []), result.insufficient, strict=True):
        assert (got.resource, got.requested, got.used, got.capacity) == (
            want["resource"],
            want["requested"],
            want["used"],
            want["capacity"],
        )


# --- placement vectors --------------------------------------------------------------------------


def _vector_pod(raw: dict, name: str = "incoming") -> Pod:
    """A pod from a vector's Kubernetes-shaped fields (placement_manifest does the parsing)."""
    spec = {
        "tolerations": raw.get("tolerations"),
        "nodeSelector": raw.get("nodeSelector") or raw.get("node_selector"),
        "affinity": raw.get("affinity"),
        "topologySpreadConstraints": raw.get("topologySpreadConstraints"),
    }
    return Pod(
        raw.get("name", name),
        namespace=raw.get("namespace") or "default",
        labels=dict(raw.get("labels") or {}),
        terminating=bool(raw.get("terminating")),
        **placement_manifest.pod_placement(spec),
    )


def _vector_nodes(vector: dict) -> list[NodeInfo]:
    """NodeInfo per node (labels as given: no hostname label is added), with its pods."""
    pods: dict[str, list[Pod]] = {}
    for i, raw in enumerate(vector.get("existing_pods", [])):
        if raw.get("node"):
            pods.setdefault(raw["node"], []).append(_vector_pod(raw, f"existing-{i}"))
    return [
        NodeInfo(
            n["name"],
            dict(n.get("labels") or {}),
            placement_manifest.taints(n.get("taints")),
            pods.get(n["name"], []),
            bool(n.get("unschedulable")),
        )
        for n in vector["nodes"]
    ]


_RESOLVABLE = {
    "TaintToleration": lambda reason: False,
    "NodeAffinity": lambda reason: False,
    "PodTopologySpread": lambda reason: reason != ERR_REASON_NODE_LABEL_NOT_MATCH,
    "InterPodAffinity": lambda reason: reason != ERR_REASON_AFFINITY,
}


def _placement_filter(vector: dict, pod: Pod, nodes: list[NodeInfo], default) -> dict | str:
    plugin = vector["plugin"]
    if plugin == "TaintToleration":
        return {n.name: taint_toleration_filter(n.taints, pod.tolerations) for n in nodes}
    if plugin == "NodeAffinity":
        if node_affinity_pre_filter(pod) == "Skip":
            return "Skip"
        return {n.name: node_affinity_filter(pod, n.labels, n.name) for n in nodes}
    if plugin == "PodTopologySpread":
        state = pts_pre_filter(pod, nodes, default)
        return "Skip" if state is None else {n.name: pts_filter(state, pod, n) for n in nodes}
    state = ipa_pre_filter(pod, nodes)
    return "Skip" if state is None else {n.name: ipa_filter(state, n) for n in nodes}


def _placement_scores(vector: dict, pod: Pod, nodes: list[NodeInfo], default) -> dict | str:
    plugin = vector["plugin"]
    names = vector.get("candidates") or [n.name for n in nodes]
    candidates = [n for name in names for n in nodes if n.name == name]
    if plugin == "TaintToleration":
        raw = [taint_toleration_score(n.taints, pod.tolerations) for n in candidates]
        normalized = taint_toleration_normalize(raw)
    elif plugin == "NodeAffinity":
        if node_affinity_pre_score(pod) == "Skip":
            return "Skip"
        normalized = node_affinity_normalize(
            [node_affinity_score(pod, n.labels, n.name) for n in candidates]
        )
    elif plugin == "PodTopologySpread":
        state = pts_pre_score(pod, candidates, nodes, default)
        if state is None:
            return "Skip"
        raw = [pts_score(state, pod, n) for n in candidates]
        normalized = pts_normalize(state, names, raw)
    else:
        state = ipa_pre_score(pod, nodes, vector.get("hard_pod_affinity_weight", 1))
        if state is None:
            return "Skip"
        normalized = ipa_normalize([ipa_score(state, n) for n in candidates])
    return dict(zip(names, normalized, strict=True))


def _code(plugin: str, reason: str | None) -> str:
    if reason is None:
        return "Success"
    return "Unschedulable" if _RESOLVABLE[plugin](reason) else "UnschedulableAndUnresolvable"


@pytest.mark.parametrize("vector", PLACEMENT, ids=lambda v: v["id"])
def test_placement_vector(vector):
    pod = _vector_pod(vector["incoming_pod"])
    nodes = _vector_nodes(vector)
    raw_default = vector.get("default_selector")
    default = placement_manifest.label_selector(raw_default, "default_selector")
    name = vector["test_name"]
    wants_filter = any(
        k in vector for k in ("expected_filter", "expected_filter_codes", "expected_prefilter")
    )
    if wants_filter:
        got = _placement_filter(vector, pod, nodes, default)
        if vector.get("expected_prefilter") == "Skip":
            assert got == "Skip", name
        else:
            assert got != "Skip", name
            if "expected_filter" in vector:
                assert got == vector["expected_filter"], name
            if "expected_filter_codes" in vector:
                codes = {node: _code(vector["plugin"], r) for node, r in got.items()}
                assert codes == vector["expected_filter_codes"], name
    if "expected_prescore" in vector or "expected_scores" in vector:
        got = _placement_scores(vector, pod, nodes, default)
        if vector.get("expected_prescore") == "Skip":
            assert got == "Skip", name
        else:
            assert got == vector["expected_scores"], name
