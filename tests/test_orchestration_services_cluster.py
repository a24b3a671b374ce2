"""Services in the simulated cluster: EndpointSlices, kube-proxy's routes, requests answered
and failed, DNS, kubectl's tables, and the YAML that makes them."""

from __future__ import annotations

import ipaddress
import math

import pytest

from msa_course.orchestration import kubeproxy, load_manifests, services
from msa_course.orchestration.cluster import POD_STARTUP_SECONDS, Cluster, mapping_of
from msa_course.orchestration.kubelet import Probe
from msa_course.orchestration.objects import Container, Deployment, Node, PodTemplate
from msa_course.orchestration.services import Service, ServiceError, ServicePort

GI = 2**30


def make(replicas=3, nodes=3, readiness=True, seed=0, **kw) -> Cluster:
    probe = Probe(period_seconds=2) if readiness else None
    web = Container("web", "nginx:1.27", {"cpu": 250}, readiness_probe=probe, ports={"http": 8080})
    c = Cluster([Node(f"node-{i}", {"cpu": 4000, "memory": 16 * GI}) for i in range(nodes)],
                seed=seed, **kw)  # fmt: skip
    c.apply(
        Deployment("web", replicas, {"app": "web"}, PodTemplate({"app": "web"}, (web,))),
        Service("web", {"app": "web"}, (ServicePort(80, "http", name="http"),)),
    )
    return c


def stats(c: Cluster):
    return c.traffic.stats["web"]


def test_endpoints_follow_pods_and_their_readiness():
    c = make()
    assert c.get_endpoints("web")[1:] == [] or c.now == 0
    c.run_until(1)  # bound, IP given, container still being created
    rows = mapping_of(c.get_endpoints("web"))
    assert len(rows) == 3 and {r["READY"] for r in rows} == {"false"}
    assert c.kube_proxy.routes["web"][None].pods == ()
    c.run_until(POD_STARTUP_SECONDS)
    rows = mapping_of(c.get_endpoints("web"))
    assert {(r["READY"], r["SERVING"], r["TERMINATING"]) for r in rows} == {
        ("true", "true", "false")
    }
    assert {r["POD"] for r in rows} == set(c.pod_names())
    (slice_row,) = mapping_of(c.get_endpointslices())
    assert slice_row["NAME"].startswith("web-") and slice_row["PORTS"] == "8080"
    assert slice_row["ENDPOINTS"].count(",") == 2 and slice_row["ADDRESSTYPE"] == "IPv4"


def test_pod_ips_come_from_each_nodes_range_and_are_unique():
    c = make(replicas=9).run_until(10)
    ips = {}
    for row in mapping_of(c.get_endpoints("web")):
        node = int(row["NODE"].split("-")[1])
        assert row["ADDRESS"].startswith(f"10.244.{node}.")
        ips[row["ADDRESS"]] = row["POD"]
    assert len(ips) == 9


def test_requests_spread_evenly_over_ready_pods():
    c = make(replicas=4).run_until(10)
    c.send("web", 1000)
    c.run_until(10 + 60)
    s = stats(c)
    assert s.failed == 0 and sum(s.answered.values()) == s.sent
    share = 1 / 4
    for count in s.answered.values():  # binomial: within 5 standard deviations of n/4
        assert abs(count - s.sent * share) < 5 * math.sqrt(s.sent * share * (1 - share))


def test_no_endpoint_means_refused_and_one_replica_crash_fails_requests():
    c = make(replicas=1).run_until(10)
    c.send("web", 100)
    c.run_until(20)
    (pod,) = c.pod_names()
    c.crash_loop(pod, run_seconds=0, crashes=3)  # restarts at once, after 10 s, after 20 s
    c.run_until(60)
    s = stats(c)
    assert 100 * 30 * 0.8 < s.refused < 100 * 30 * 1.2  # REJECT: no endpoint for 30 s
    assert s.unanswered == 0
    before = s.refused
    c.run_until(100)
    assert stats(c).refused == before  # restarted and Ready again


def test_readiness_gates_traffic_during_start_up():
    """An app that needs 8 s to start: with a readiness probe no request reaches it early;
    without one the pod is Ready at once and the early requests fail."""
    for readiness, expect_failures in ((True, False), (False, True)):
        c = make(replicas=2, readiness=readiness, startup_seconds=8).run_until(30)
        c.send("web", 200)
        c.scale("web", 4)
        c.run_until(60)
        assert (stats(c).unanswered > 0) is expect_failures, readiness


@pytest.mark.parametrize("readiness", [True, False])
def test_rolling_update_with_and_without_readiness(readiness):
    c = make(replicas=4, readiness=readiness, startup_seconds=6).run_until(30)
    c.send("web", 400)
    c.run_until(40)
    c.set_image("web", "nginx:1.28")
    for t in range(41, 120):
        c.run_until(t)
        assert len(c.pod_names()) <= 4 + 1  # maxSurge 25 % of 4 rounds up to 1
    s = stats(c)
    assert len({p.rsplit("-", 2)[1] for p in s.answered}) == 2  # both ReplicaSets answered
    if readiness:
        assert s.failed == 0
    else:
        assert s.unanswered > 0 and s.refused == 0


def test_node_failure_fails_requests_until_the_node_is_marked_not_ready():
    c = make(replicas=3, nodes=3).run_until(100)
    c.send("web", 300)
    node = c.pod_state(c.pod_names()[0])["node"]
    c.node_down(node)
    c.run_until(100 + 70)  # NotReady after 50 s (+ status and monitor intervals)
    lost = stats(c).unanswered
    assert 0.2 * 300 * 40 < lost < 0.45 * 300 * 70  # about a third of 40..65 s of requests
    c.run_until(400)
    assert stats(c).unanswered == lost  # kube-proxy dropped the pod when it turned NotReady
    rows = mapping_of(c.get_endpoints("web"))
    assert any(r["NODE"] == node and r["READY"] == "false" for r in rows)


def test_terminating_pods_serve_only_when_no_pod_is_ready():
    """KEP-1669: a deleted pod that is still serving takes traffic only when no endpoint is
    Ready anywhere (here: the only replica, while its replacement starts)."""
    c = make(replicas=1, startup_seconds=10, shutdown_seconds=20).run_until(30)
    (old,) = c.pod_names()
    c.send("web", 100)
    c.delete_pod(old)
    c.run_until(31)
    rows = {r["POD"]: r for r in mapping_of(c.get_endpoints("web"))}
    assert (rows[old]["READY"], rows[old]["SERVING"], rows[old]["TERMINATING"]) == (
        "false",
        "true",
        "true",
    )
    assert c.kube_proxy.routes["web"][None].fallback
    c.run_until(41)  # the replacement (started at 32, app up at 42) is not Ready yet
    s = stats(c)
    assert s.failed == 0 and s.answered == {old: s.sent}
    served_by_old = s.answered[old]
    c.run_until(60)  # the new pod is Ready at 42; the old app exits at 50
    (new,) = c.pod_names()
    assert stats(c).failed == 0 and stats(c).answered[new] > 0
    assert stats(c).answered[old] - served_by_old < 100 * 2  # at most the last second or so


def test_terminating_pod_gets_no_traffic_while_others_are_ready():
    c = make(replicas=3, shutdown_seconds=20).run_until(30)
    c.send("web", 300)
    victim = c.pod_names()[0]
    c.delete_pod(victim)
    c.run_until(31)
    before = stats(c).answered.get(victim, 0)
    c.run_until(45)
    assert stats(c).answered.get(victim, 0) == before
    assert "Terminating" in {r["STATUS"] for r in mapping_of(c.get_pods())}
    c.run_until(60)
    assert victim not in {r["NAME"] for r in mapping_of(c.get_pods())}  # gone after 20 s


def test_kube_proxy_rules_match_the_route():
    c = make(replicas=3).run_until(10)
    route = c.kube_proxy.routes["web"][None]
    svc = c.store.services["web"]
    rules = kubeproxy.service_chain_rules(
        svc.port_name(svc.ports[0]), svc.cluster_ip, 80, route.endpoints
    )
    assert f"-d {svc.cluster_ip} --dport 80" in rules[0]
    assert [r.split(" -> ")[1].split('"')[0] for r in rules if " -> " in r] == sorted(
        route.endpoints
    )
    assert "--probability 0.3333333333" in rules[1] and "--probability 0.5000000000" in rules[2]


def test_traffic_is_deterministic_for_a_seed():
    def run(seed):
        c = make(seed=seed).run_until(10)
        c.send("web", lambda t: 100 + 50 * math.sin(t / 30))
        c.delete_pod(c.pod_names()[1])
        c.run_until(200)
        return stats(c).sent, sorted(stats(c).answered.values())

    assert run(1) == run(1) and run(1) != run(2)


def test_traffic_bins_add_up():
    c = make(traffic_bin_seconds=10).run_until(10)
    c.send("web", 50)
    c.run_until(100)
    s = stats(c)
    assert [b[0] for b in s.bins] == list(range(10, 100, 10))
    assert sum(sum(b[1].values()) + b[2] + b[3] for b in s.bins) == s.sent


def test_more_than_100_endpoints_make_a_second_slice():
    c = Cluster([Node(f"n{i}", {"cpu": 64000, "memory": 256 * GI}) for i in range(4)])
    t = PodTemplate({"app": "big"}, (Container("big", "nginx", {"cpu": 100}),))
    c.apply(Deployment("big", 150, {"app": "big"}, t))
    c.apply(Service("big", {"app": "big"}, (ServicePort(80),)))
    c.run_until(10)
    rows = mapping_of(c.get_endpointslices())
    assert len(rows) == 2 and all(r["ENDPOINTS"].endswith(" more...") for r in rows)
    assert rows[0]["ENDPOINTS"].endswith("+ 97 more...") and rows[1]["ENDPOINTS"].endswith(
        "+ 47 more..."
    )
    assert len(c.kube_proxy.routes["big"][None].pods) == 150


def test_get_svc_shows_types_ports_and_pending_load_balancer():
    c = make()
    c.apply(
        Service("np", {"app": "web"}, (ServicePort(80, 8080),), type="NodePort"),
        Service("lb", {"app": "web"}, (ServicePort(443, 8443, name="https"),), type="LoadBalancer"),
    )
    rows = {r["NAME"]: r for r in mapping_of(c.get_services())}
    assert rows["web"]["TYPE"] == "ClusterIP" and rows["web"]["EXTERNAL-IP"] == "<none>"
    assert rows["web"]["PORT(S)"] == "80/TCP"
    node_port = int(rows["np"]["PORT(S)"].split(":")[1].split("/")[0])
    assert 30000 <= node_port <= 32767
    assert rows["lb"]["EXTERNAL-IP"] == "<pending>" and rows["lb"]["PORT(S)"].startswith("443:")
    ips = {ipaddress.ip_address(r["CLUSTER-IP"]) for r in rows.values()}
    assert len(ips) == 3 and all(ip in ipaddress.ip_network(services.SERVICE_CIDR) for ip in ips)


def test_dns_names_and_search_path():
    assert services.dns_name("web", "shop") == "web.shop.svc.cluster.local"
    assert services.lookup_names("web", "default")[0] == "web.default.svc.cluster.local"
    assert services.lookup_names("web.shop", "default")[:2] == [
        "web.shop.default.svc.cluster.local",
        "web.shop.svc.cluster.local",
    ]
    assert services.lookup_names("web.shop.svc.cluster.local.") == ["web.shop.svc.cluster.local"]


@pytest.mark.parametrize(
    "kwargs,path",
    [
        (dict(ports=()), "spec.ports"),
        (dict(ports=(ServicePort(80), ServicePort(81))), "spec.ports[0].name"),
        (dict(ports=(ServicePort(70000),)), "spec.ports[0].port"),
        (dict(ports=(ServicePort(80, node_port=30080),)), "spec.ports[0].nodePort"),
        (dict(ports=(ServicePort(80, node_port=80),), type="NodePort"), "spec.ports[0].nodePort"),
        (dict(type="ExternalName"), "spec.type"),
        (dict(type="Loadbalancer"), "spec.type"),
        (dict(external_traffic_policy="Local"), "spec.externalTrafficPolicy"),
    ],
)
def test_invalid_services_name_the_field(kwargs, path):
    fields = {"name": "web", "selector": {"app": "web"}, "ports": (ServicePort(80),), **kwargs}
    with pytest.raises(ServiceError) as err:
        Service(**fields)
    assert err.value.path == path and path in str(err.value)


SERVICE_YAML = """
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: http
"""


def test_service_from_yaml_runs_in_the_cluster():
    assert load_manifests(SERVICE_YAML.replace("  type: NodePort\n", ""))[0].type == "ClusterIP"
    (svc,) = load_manifests(SERVICE_YAML)
    assert svc.type == "NodePort" and svc.ports[0].target == "http"
    c = make(replicas=2)
    del c.store.services["web"]
    c.apply(svc)
    c.run_until(10)
    assert {r["ADDRESS"].count(".") for r in mapping_of(c.get_endpoints("web"))} == {3}
    assert mapping_of(c.get_endpointslices())[0]["PORTS"] == "8080"  # the named port


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ("port: 80", "port: 0", "spec.ports[0].port"),
        ("type: NodePort", "type: ExternalName", "spec.type"),
        ("  selector: {app: web}\n", "  sessionAffinity: ClientIP\n", "spec.sessionAffinity"),
        ("    port: 80\n", "    port: 80\n    nodePort: 80\n", "spec.ports[0].nodePort"),
    ],
)
def test_bad_service_yaml_names_the_field(old, new, expected):
    text = SERVICE_YAML.replace(old, new)
    with pytest.raises(ValueError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        load_manifests(text)


def test_send_checks_its_input():
    c = make()
    with pytest.raises(ValueError, match="no service named"):
        c.send("nope", 10)
    with pytest.raises(ValueError, match="requests per second"):
        c.send("web", -1)
