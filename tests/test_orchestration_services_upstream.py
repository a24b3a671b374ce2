"""Services' decisions against upstream's own test tables, through the public functions.

The cases are in tests/data/k8s_service_vectors.json (each named as upstream names it; see
docs/k8s_formulas.md §9 for the schema). Set MSA_K8S_SERVICE_VECTORS to another file of the
same schema (e.g. a held-back set) to run that instead. Cases whose behaviour upstream has
since changed carry "skip" with the reason and are reported as skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from msa_course.orchestration import kubeproxy
from msa_course.orchestration.controllers.endpointslice import (
    endpoint_conditions,
    should_pod_be_in_endpoints,
)

VECTORS = Path(
    os.environ.get(
        "MSA_K8S_SERVICE_VECTORS", Path(__file__).parent / "data" / "k8s_service_vectors.json"
    )
)
DATA = json.loads(VECTORS.read_text())


def _cases(key: str):
    return [
        pytest.param(
            c,
            id=f"{c['id']} {c.get('test_name', '')}",
            marks=[pytest.mark.skip(reason=c["skip"])] if c.get("skip") else [],
        )
        for c in DATA[key]["cases"]
    ]


@pytest.mark.parametrize("v", _cases("endpoint_condition_vectors"))
def test_pod_to_endpoint_conditions(v):
    got = endpoint_conditions(v["pod_ready"], v["terminating"], v["publish_not_ready_addresses"])
    assert (got.ready, got.serving, got.terminating) == (
        v["expected"]["ready"],
        v["expected"]["serving"],
        v["expected"]["terminating"],
    )


@pytest.mark.parametrize("v", _cases("should_pod_be_in_endpoints_vectors"))
def test_should_pod_be_in_endpoints(v):
    got = should_pod_be_in_endpoints(
        phase=v["phase"],
        has_ip=v["has_ip"],
        terminating=v["terminating"],
        include_terminating=v["include_terminating"],
    )
    assert got is v["expected"]


def _endpoints(v):
    return [
        kubeproxy.ProxyEndpoint(
            e["endpoint"],
            ready=e.get("ready", False),
            serving=e.get("serving", False),
            terminating=e.get("terminating", False),
            is_local=e.get("is_local", False),
            zone_hints=frozenset(e.get("zone_hints", [])),
            node_hints=frozenset(e.get("node_hints", [])),
        )
        for e in v["endpoints"]
    ]


def _same(expected, got) -> bool:
    """Upstream's checkExpectedEndpoints: the same set; an expected nil wants nil."""
    if expected is None:
        return got is None
    return sorted(expected) == sorted(e.endpoint for e in got or ())


@pytest.mark.parametrize("v", _cases("categorize_endpoints_vectors"))
def test_categorize_endpoints(v):
    svc = v["service"]
    got = kubeproxy.categorize_endpoints(
        _endpoints(v),
        internal_local=svc.get("internal_local", False),
        external_local=svc.get("external_local", False),
        externally_accessible=svc.get("externally_accessible", False),
        node_name=v.get("node_name", ""),
        zone=v["node_labels"].get(kubeproxy.ZONE_LABEL, ""),
    )
    want = v["expected"]
    assert _same(want["cluster"], got.cluster), "cluster endpoints"
    assert _same(want["local"], got.local), "local endpoints"
    assert _same(want["all"], got.all_reachable), "all reachable endpoints"
    assert got.has_any is want["has_any"]


@pytest.mark.parametrize("v", _cases("probability_vectors"))
def test_compute_probability(v):
    assert kubeproxy.compute_probability(v["n"]) == v["expected"]


def test_compute_probability_falls_as_n_grows():
    """TestComputeProbability's second half: strictly decreasing from n = 2 to 100000."""
    values = [float(kubeproxy.compute_probability(n)) for n in range(2, 100001)]
    assert all(a > b for a, b in zip(values, values[1:]))


@pytest.mark.parametrize("v", _cases("chain_name_vectors"))
def test_chain_names(v):
    if v["endpoint"] is None:
        got = kubeproxy.service_chain_name(v["service_port_name"], v["protocol"])
    else:
        got = kubeproxy.endpoint_chain_name(v["service_port_name"], v["endpoint"], v["protocol"])
    assert got == v["expected"]


def test_the_chain_names_every_cluster_has():
    """KUBE-SVC-NPX46M4PTMTKRN6Y (default/kubernetes:https) and KUBE-SVC-TCOU7JCQXEZGVUNU
    (kube-system/kube-dns:dns, udp) appear in every kubeadm cluster's iptables-save."""
    assert kubeproxy.service_chain_name("default/kubernetes:https") == "KUBE-SVC-NPX46M4PTMTKRN6Y"
    assert (
        kubeproxy.service_chain_name("kube-system/kube-dns:dns", "udp")
        == "KUBE-SVC-TCOU7JCQXEZGVUNU"
    )


# ------------------------------------------------------------------ against the real iptables
def _iptables_save(rules: list[str], chains: list[str]) -> list[str]:
    """Load kube-proxy's rules into a fresh network namespace with iptables-restore and read
    them back with iptables-save (nothing on this machine's own tables changes)."""
    restore = "\n".join(["*nat", *(f":{c} - [0:0]" for c in chains), *rules, "COMMIT", ""])
    script = "iptables-restore && iptables-save -t nat"
    out = subprocess.run(
        ["unshare", "--net", "sh", "-c", script],
        input=restore,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        pytest.skip(f"cannot run iptables in a private network namespace: {out.stderr.strip()}")
    return [line for line in out.stdout.splitlines() if line.startswith("-A ")]


needs_iptables = pytest.mark.skipif(
    not (shutil.which("iptables-restore") and shutil.which("unshare")),
    reason="iptables-restore/unshare not installed (Debian: apt install iptables util-linux)",
)


@needs_iptables
@pytest.mark.parametrize("n", [1, 2, 3, 7, 12, 100])
def test_iptables_save_prints_the_probabilities_back_as_predicted(n):
    name = "default/web:http"
    endpoints = [f"10.244.{i // 250}.{2 + i % 250}:8080" for i in range(n)]
    rules = kubeproxy.service_chain_rules(name, "10.96.12.34", 80, endpoints)
    svc_rules = [r for r in rules if r.startswith("-A KUBE-SVC-")]
    chains = [kubeproxy.service_chain_name(name)] + [
        kubeproxy.endpoint_chain_name(name, e) for e in endpoints
    ]
    saved = [line for line in _iptables_save(svc_rules, chains) if line.startswith("-A KUBE-SVC-")]
    assert saved == [kubeproxy.as_saved(r) for r in svc_rules]


def test_shares_use_the_stored_values_and_add_up():
    rules = kubeproxy.service_chain_rules("default/web", "10.96.0.20", 80, ["10.244.0.2:80"])
    assert not [r for r in rules if "statistic" in r]  # one endpoint: no coin to toss
    assert kubeproxy.saved_probability("0.3333333333") == "0.33333333349"
    assert kubeproxy.endpoint_shares(1) == [1.0]
    first = kubeproxy.endpoint_shares(3)[0]
    assert first == round(2**31 / 3) / 2**31 != 1 / 3
    for n in (2, 3, 7, 100, 1000):
        shares = kubeproxy.endpoint_shares(n)
        assert abs(sum(shares) - 1) < 1e-12 and max(shares) - min(shares) < 1e-6
