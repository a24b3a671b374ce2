"""Every scheduler vector from upstream's unit tests, through the public plugin functions.

The vectors come from ../shared/reference/k8s_vectors_sample.json (copied to tests/data);
set MSA_K8S_VECTORS to another file of the same schema (e.g. the full upstream set) to run
that instead. The harness only turns a vector's pods into per-node sums, the way the
scheduler's NodeInfo does; every formula is in msa_course.orchestration.plugins.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from msa_course.orchestration.objects import NON_ZERO_DEFAULTS, Container, pod_requests
from msa_course.orchestration.plugins import (
    balanced_allocation_pre_score,
    balanced_allocation_score,
    fits_request,
    node_resources_fit_score,
)

VECTORS = Path(
    os.environ.get("MSA_K8S_VECTORS", Path(__file__).parent / "data" / "k8s_vectors_sample.json")
)
DATA = json.loads(VECTORS.read_text())
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


@pytest.mark.parametrize("vector", DATA["scheduler_score_vectors"], ids=lambda v: v["id"])
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


@pytest.mark.parametrize("vector", DATA["scheduler_filter_vectors"], ids=lambda v: v["id"])
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
