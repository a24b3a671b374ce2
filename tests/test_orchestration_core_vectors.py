"""Every scheduler vector from upstream's unit tests, through the public plugin functions.

The vectors come from ../shared/reference/k8s_vectors_sample.json (copied to tests/data);
set MSA_K8S_VECTORS to another file of the same schema (e.g. the full upstream set) to run
that instead. The harness only turns a vector's pods into per-node sums, the way the
scheduler's NodeInfo does; every formula is in msa_course.orchestration.plugins.

Placement vectors (TaintToleration, NodeAffinity, PodTopologySpread, InterPodAffinity; schema
`scheduler_placement_vectors` in docs/k8s_formulas.md §0) are read from the same file when it
has that key; without MSA_K8S_VECTORS, from tests/data/k8s_placement_vectors_sample.json. The
harness turns their nodes and pods (Kubernetes API JSON) into the plugins' NodeInfo with
placement_manifest and runs PreFilter/Filter and PreScore/Score/NormalizeScore the way a
scheduling cycle does (scheduler/cycle.py: placement_filters, placement_score), status codes
by the scheduler's own rule (helpers.filter_code).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import filter_code

from msa_course.orchestration import placement_manifest
from msa_course.orchestration.objects import NON_ZERO_DEFAULTS, Container, Pod, pod_requests
from msa_course.orchestration.plugins import (
    NodeInfo,
    balanced_allocation_pre_score,
    balanced_allocation_score,
    fits_request,
    node_resources_fit_score,
)
from msa_course.orchestration.scheduler.cycle import placement_filters, placement_score

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


def _placement_filter(vector: dict, pod: Pod, nodes: list[NodeInfo], default) -> dict | str:
    check = placement_filters(pod, nodes, default)[vector["plugin"]]
    return "Skip" if check is None else {n.name: check(n) for n in nodes}


def _placement_scores(vector: dict, pod: Pod, nodes: list[NodeInfo], default) -> dict | str:
    names = vector.get("candidates") or [n.name for n in nodes]
    candidates = [n for name in names for n in nodes if n.name == name]
    weight = vector.get("hard_pod_affinity_weight", 1)
    scored = placement_score(vector["plugin"], pod, candidates, nodes, default, weight)
    return "Skip" if scored is None else dict(zip(names, scored[1], strict=True))


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
                codes = {node: filter_code(vector["plugin"], r) for node, r in got.items()}
                assert codes == vector["expected_filter_codes"], name
    if "expected_prescore" in vector or "expected_scores" in vector:
        got = _placement_scores(vector, pod, nodes, default)
        if vector.get("expected_prescore") == "Skip":
            assert got == "Skip", name
        else:
            assert got == vector["expected_scores"], name
