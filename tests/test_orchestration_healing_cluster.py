"""The simulated cluster's controllers: invariants as properties, Kubernetes' timings as tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_course.orchestration import kubelet
from msa_course.orchestration.cluster import (
    DEFAULT_TOLERATION_SECONDS,
    NODE_MONITOR_GRACE_PERIOD_SECONDS,
    NODE_MONITOR_PERIOD_SECONDS,
    POD_STARTUP_SECONDS,
    Cluster,
    format_table,
    human_duration,
    mapping_of,
    replacement_time,
)
from msa_course.orchestration.objects import (
    Container,
    Deployment,
    HorizontalPodAutoscaler,
    MetricTarget,
    Node,
    PodTemplate,
)

GI = 2**30


def make(replicas=3, nodes=3, cpu=4000, request=500, seed=0) -> Cluster:
    """A Deployment "web" whose container has Kubernetes' default liveness/readiness probes."""
    probe = kubelet.Probe()
    web = Container("web", "nginx:1.27", {"cpu": request}, liveness_probe=probe,
                    readiness_probe=probe)  # fmt: skip
    template = PodTemplate({"app": "web"}, (web,))
    cluster = Cluster([Node(f"node-{i}", {"cpu": cpu, "memory": 16 * GI}) for i in range(nodes)],
                      seed=seed)  # fmt: skip
    cluster.apply(Deployment("web", replicas, {"app": "web"}, template))
    return cluster


def ready(cluster: Cluster) -> int:
    return sum(cluster.pod_state(p)["ready"] for p in cluster.pod_names())


def events(cluster: Cluster, reason: str):
    return [e for e in cluster.events() if e.reason == reason]


def test_node_lifecycle_defaults():
    assert NODE_MONITOR_GRACE_PERIOD_SECONDS == 50
    assert NODE_MONITOR_PERIOD_SECONDS == 5
    assert DEFAULT_TOLERATION_SECONDS == 300


def test_pods_start_and_become_ready():
    c = make().run_until(POD_STARTUP_SECONDS)
    assert ready(c) == 3
    assert [r["STATUS"] for r in mapping_of(c.get_pods())] == ["Running"] * 3


def test_deleted_pod_is_replaced_at_once():
    c = make().run_until(60)
    victim = c.pod_names()[0]
    c.delete_pod(victim)
    assert victim not in c.pod_names() and len(c.pod_names()) == 3
    assert ready(c) == 2
    c.advance(POD_STARTUP_SECONDS)
    assert ready(c) == 3
    assert any(e.message.startswith("Created pod:") and e.last == 60 for e in c.events())


def test_crash_loop_restarts_in_place_with_backoff():
    c = make().run_until(100)
    pod = c.pod_names()[0]
    c.crash_loop(pod, run_seconds=0)
    expected = [100 + t for t in kubelet.restart_times(9)]
    seen = []
    t = 100.0
    while len(seen) < 8:
        state = c.pod_state(pod)
        if state["waiting_until"] is not None and (not seen or seen[-1] != state["waiting_until"]):
            seen.append(state["waiting_until"])
        t += 1
        c.run_until(t)
    # restart 1 is immediate; every later one waits 10, 20, 40 ... capped at 300 s
    assert seen == expected[1:9]
    assert pod in c.pod_names()  # the ReplicaSet does not replace a crash-looping pod
    assert any(e.reason == "BackOff" for e in c.events())


def test_failed_liveness_probe_restarts_after_three_periods():
    c = make().run_until(100.5)
    pod = c.pod_names()[0]
    started = POD_STARTUP_SECONDS  # probes at 2, 12, 22 ...: fails at 102, 112, 122
    c.fail_liveness(pod)
    c.run_until(121)
    assert c.pod_state(pod)["restarts"] == 0
    c.run_until(122)
    assert c.pod_state(pod)["restarts"] == 1
    assert kubelet.Probe().failure_detected_at(started, 100.5) == 122
    (killing,) = events(c, "Killing")
    assert killing.message == "Container web failed liveness probe, will be restarted"


def test_failed_readiness_removes_pod_from_ready_without_restart():
    c = make().run_until(100.5)
    pod = c.pod_names()[0]
    c.fail_readiness(pod, seconds=60)
    c.run_until(122)
    assert not c.pod_state(pod)["ready"] and c.pod_state(pod)["restarts"] == 0
    c.run_until(200)
    assert c.pod_state(pod)["ready"]


def test_node_failure_timeline_matches_defaults():
    c = make(replicas=3, nodes=3).run_until(200)
    node = c.pod_state(c.pod_names()[0])["node"]
    on_node = [p for p in c.pod_names() if c.pod_state(p)["node"] == node]
    c.node_down(node)
    evict = replacement_time(200, heartbeat_offset=3 * int(node.split("-")[1]) % 10)
    detect = evict - DEFAULT_TOLERATION_SECONDS
    assert 200 + NODE_MONITOR_GRACE_PERIOD_SECONDS - 10 < detect <= 200 + 50 + 5
    c.run_until(detect - 1)
    assert c.node_ready(node)
    c.run_until(detect)
    assert not c.node_ready(node) and ready(c) == 3 - len(on_node)
    c.run_until(evict - 1)
    assert all(p in c.pod_names() for p in on_node)  # still tolerated
    c.run_until(evict)
    assert not any(p in c.pod_names() for p in on_node)
    c.advance(POD_STARTUP_SECONDS)
    assert ready(c) == 3
    for p in c.pod_names():
        assert c.pod_state(p)["node"] != node
    statuses = {r["NAME"]: r["STATUS"] for r in mapping_of(c.get_pods())}
    assert all(statuses[p] == "Terminating" for p in on_node)
    c.node_up(node)
    c.advance(NODE_MONITOR_PERIOD_SECONDS)
    assert c.node_ready(node)
    assert not set(on_node) & {r["NAME"] for r in mapping_of(c.get_pods())}  # deletion confirmed


def test_unschedulable_pod_stays_pending_with_reason():
    c = make(replicas=3, nodes=1, cpu=1000, request=400).run_until(10)
    rows = mapping_of(c.get_pods())
    assert sorted(r["STATUS"] for r in rows) == ["Pending", "Running", "Running"]
    (failed,) = events(c, "FailedScheduling")
    assert failed.message == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod."
    )


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 12),
    st.lists(
        st.tuples(st.sampled_from(["delete", "crash", "node"]), st.integers(0, 50)), max_size=6
    ),
    st.integers(0, 3),
)
def test_replicaset_converges_when_capacity_allows(replicas, faults, seed):
    c = make(replicas=replicas, nodes=4, cpu=8000, request=500, seed=seed).run_until(30)
    downed = []
    for kind, k in faults:
        pods = c.pod_names()
        if kind == "delete" and pods:
            c.delete_pod(pods[k % len(pods)])
        elif kind == "crash" and pods:
            c.crash_loop(pods[k % len(pods)], run_seconds=1, crashes=2)
        elif kind == "node" and len(downed) < 2:
            name = f"node-{k % 4}"
            if name not in downed:
                c.node_down(name)
                downed.append(name)
        c.advance(5)
    c.advance(1000)  # past grace + toleration + back-off
    assert len(c.pod_names()) == replicas
    assert ready(c) == replicas
    for p in c.pod_names():  # no live pod bound to a NotReady node after eviction
        assert c.node_ready(c.pod_state(p)["node"])


def test_rolling_update_respects_surge_and_unavailable():
    c = make(replicas=8, nodes=4, cpu=8000).run_until(30)
    old = set(c.pod_names())
    c.set_image("web", "nginx:1.28")
    for t in range(31, 120):
        c.run_until(t)
        assert len(c.pod_names()) <= 8 + 2  # maxSurge 25 % of 8 = 2
        assert ready(c) >= 8 - 2  # maxUnavailable 25 % of 8 = 2
    assert not old & set(c.pod_names()) and ready(c) == 8
    rs = mapping_of(c.get_replicasets())
    assert sorted(r["DESIRED"] for r in rs) == ["0", "8"]


def test_hpa_scales_up_on_load_and_down_after_the_window():
    c = make(replicas=2, nodes=4, cpu=8000, request=500)
    c.load["web"] = lambda t: 900 if t < 1200 else 100  # millicores
    c.apply(HorizontalPodAutoscaler("web", "web", max_replicas=10, min_replicas=1,
                                    metrics=(MetricTarget("cpu", "Utilization", 50),)))  # fmt: skip
    c.run_until(600)
    first = c.decisions[-1]
    assert first.utilization is not None
    scaled = events(c, "SuccessfulRescale")
    assert scaled and "above target" in scaled[0].message
    replicas = int(mapping_of(c.get_hpa())[0]["REPLICAS"])
    assert replicas > 2
    c.run_until(1200 + 240)  # load drops at 1200; the 300 s window holds the replicas
    assert int(mapping_of(c.get_hpa())[0]["REPLICAS"]) == replicas
    c.run_until(1200 + 400)
    assert int(mapping_of(c.get_hpa())[0]["REPLICAS"]) < replicas


def test_tables_have_kubectl_headers():
    c = make().run_until(10)
    assert c.get_pods()[0] == [
        "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
        "READINESS GATES",
    ]  # fmt: skip
    assert c.get_deployments()[0] == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert c.get_replicasets()[0] == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert c.get_events()[0] == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert "web" in format_table(c.get_deployments())


@pytest.mark.parametrize(
    "seconds,text",
    [
        (45, "45s"),
        (119, "119s"),
        (130, "2m10s"),
        (600, "10m"),
        (3 * 3600 + 300, "3h5m"),
        (30 * 3600, "30h"),
        (50 * 3600, "2d2h"),
    ],
)
def test_human_duration_matches_kubectl(seconds, text):
    assert human_duration(seconds) == text


def test_bad_faults_are_clear_errors():
    c = make()
    with pytest.raises(ValueError, match="no running pod"):
        c.delete_pod("nope")
    with pytest.raises(ValueError, match="no node"):
        c.node_down("node-9")
    with pytest.raises(ValueError, match="time runs forward"):
        c.run_until(-1)


def _deployment(name: str, **probes) -> Deployment:
    container = Container(name, "nginx:1.27", {"cpu": 500}, **probes)
    return Deployment(name, 1, {"app": name}, PodTemplate({"app": name}, (container,)))


def test_each_pod_uses_its_own_probes():
    fast = kubelet.Probe(period_seconds=5, failure_threshold=2)
    slow_ready = kubelet.Probe(initial_delay_seconds=30)
    c = Cluster([Node("node-0", {"cpu": 4000, "memory": 16 * GI})])
    c.apply(_deployment("fast", liveness_probe=fast, readiness_probe=slow_ready))
    c.apply(_deployment("plain", liveness_probe=kubelet.Probe(), readiness_probe=kubelet.Probe()))
    (f,), (p,) = c.pod_names("fast"), c.pod_names("plain")
    c.run_until(POD_STARTUP_SECONDS)
    assert c.pod_state(p)["ready"] and not c.pod_state(f)["ready"]  # default: first probe at 0
    c.run_until(POD_STARTUP_SECONDS + 30)
    assert c.pod_state(f)["ready"]
    c.run_until(100.5)
    c.fail_liveness(f)
    c.fail_liveness(p)
    # own probe: runs at 2 + 5k, fails at 102 and 107; default: 102, 112, 122
    assert fast.failure_detected_at(POD_STARTUP_SECONDS, 100.5) == 107
    c.run_until(107)
    assert c.pod_state(f)["restarts"] == 1 and c.pod_state(p)["restarts"] == 0
    c.run_until(122)
    assert c.pod_state(p)["restarts"] == 1


def test_a_container_without_probes_has_none():
    """As in Kubernetes: no readiness probe means Ready once the container runs; no liveness
    probe means a hung app is never restarted; the cluster adds no probes of its own."""
    c = Cluster([Node("node-0", {"cpu": 4000, "memory": 16 * GI})])
    c.apply(_deployment("own", liveness_probe=kubelet.Probe()), _deployment("none"))
    (own,), (none,) = c.pod_names("own"), c.pod_names("none")
    c.run_until(POD_STARTUP_SECONDS - 1)
    assert not c.pod_state(none)["ready"]
    c.run_until(POD_STARTUP_SECONDS)
    assert c.pod_state(none)["ready"] and c.pod_state(own)["ready"]
    c.run_until(50)
    c.fail_liveness(own)  # its own probe is enough
    with pytest.raises(ValueError, match="has no liveness probe"):
        c.fail_liveness(none)
    with pytest.raises(ValueError, match="has no readiness probe"):
        c.fail_readiness(own)
    c.run_until(500)
    assert c.pod_state(own)["restarts"] == 1 and c.pod_state(none)["restarts"] == 0


def test_silent_node_is_tainted_unreachable_not_not_ready():
    c = make(replicas=1, nodes=1).run_until(100)
    c.node_down("node-0")
    c.run_until(100 + NODE_MONITOR_GRACE_PERIOD_SECONDS + 15)
    node = c.scheduler.nodes[0]
    assert node.taints == (
        "node.kubernetes.io/unreachable:NoSchedule",
        "node.kubernetes.io/unreachable:NoExecute",
    )
    c.run_until(500)  # the pod is evicted; its replacement has nowhere to go
    (failed, *_) = events(c, "FailedScheduling")
    assert failed.message == (  # v1.35+: the reason no longer names the taint (#134740)
        "0/1 nodes are available: 1 node(s) had untolerated taint(s). preemption: 0/1 nodes "
        "are available: 1 Preemption is not helpful for scheduling."
    )
    c.node_up("node-0")
    c.advance(NODE_MONITOR_PERIOD_SECONDS)
    assert node.taints == () and node.reachable


def test_hpa_sees_usage_throttled_at_the_cpu_limit():
    """metrics-server reports what a container used, and CFS throttling stops it at its limit:
    with request 500m and limit 1000m the HPA can never see more than 200 %."""
    template = PodTemplate(
        {"app": "web"}, (Container("web", "nginx:1.27", {"cpu": 500}, {"cpu": 1000}),)
    )
    c = Cluster([Node(f"node-{i}", {"cpu": 8000, "memory": 16 * GI}) for i in range(2)], seed=0)
    c.apply(Deployment("web", 2, {"app": "web"}, template))
    c.load["web"] = lambda t: 8000  # far more than two pods could use
    c.apply(HorizontalPodAutoscaler("web", "web", max_replicas=10, min_replicas=1,
                                    metrics=(MetricTarget("cpu", "Utilization", 50),)))  # fmt: skip
    c.run_until(600)
    seen = [d.utilization for d in c.decisions if d.utilization is not None]
    assert seen and max(seen) == 200


def test_get_nodes_counts_pods_and_cpu_requests():
    c = make(replicas=3, nodes=3, cpu=4000, request=500).run_until(POD_STARTUP_SECONDS)
    rows = mapping_of(c.get_nodes())
    assert sum(int(r["PODS"]) for r in rows) == 3
    assert {r["STATUS"] for r in rows} == {"Ready"}
    assert all(r["CPU REQUESTS"] in ("0%", "12%", "25%", "37%") for r in rows)
