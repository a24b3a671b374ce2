"""Simulated hours per second of the chapter 03 cluster, and explorer update latency.

Scenario (the issue's bar): 10 nodes of 8 CPU / 32 GiB, one Deployment of 100 pods with
liveness and readiness probes (1 s resolution: every timing is an exact second), an HPA
(min 100, max 150, cpu 60 %) driven by a daily load curve, and a fault every 10 minutes
(a pod killed, a crash loop, a failed probe or a node down for 10 minutes), for 24 simulated
hours; then the same with a Service in front of the pods and clients sending it 1,000 to
3,000 requests a second (issue 15's bar: under 1.1 s).
Run: .venv-dev/bin/python benchmarks/bench_cluster_sim.py
"""

from __future__ import annotations

import math
import statistics
import time

import msa_course
from msa_course.orchestration.cluster import Cluster
from msa_course.orchestration.kubelet import Probe
from msa_course.orchestration.objects import (
    Container,
    Deployment,
    HorizontalPodAutoscaler,
    MetricTarget,
    Node,
    PodTemplate,
)
from msa_course.orchestration.services import Service, ServicePort

GI = 2**30
DAY = 24 * 3600


def build(seed: int = 0, service: bool = False) -> Cluster:
    nodes = [Node(f"node-{i}", {"cpu": 8000, "memory": 32 * GI}) for i in range(10)]
    template = PodTemplate(
        {"app": "web"},
        (
            Container(
                "web",
                "nginx:1.27",
                {"cpu": 500, "memory": 512 * 2**20},
                liveness_probe=Probe(),  # the container's own probes, Kubernetes' defaults
                readiness_probe=Probe(),
            ),
        ),
    )
    cluster = Cluster(nodes, seed=seed)
    cluster.load["web"] = lambda t: 100 * 300 * (1 + 0.5 * math.sin(2 * math.pi * t / DAY))
    cluster.apply(
        Deployment("web", 100, {"app": "web"}, template),
        HorizontalPodAutoscaler(
            "web",
            "web",
            max_replicas=150,
            min_replicas=100,
            metrics=(MetricTarget("cpu", "Utilization", 60),),
        ),
    )
    if service:
        cluster.apply(Service("web", {"app": "web"}, (ServicePort(80, 8080, name="http"),)))
        cluster.send("web", lambda t: 2000 * (1 + 0.5 * math.sin(2 * math.pi * t / DAY)))
    return cluster


def run_day(seed: int = 0, service: bool = False) -> tuple[float, float, Cluster]:
    cluster = build(seed, service)
    start, cpu = time.perf_counter(), time.process_time()
    t, k = 0, 0
    while t + 600 < DAY:
        t += 600
        cluster.run_until(t)
        pods = cluster.pod_names()
        victim = pods[k % len(pods)]
        action = k % 4
        if action == 0:
            cluster.delete_pod(victim)
        elif action == 1:
            cluster.crash_loop(victim, run_seconds=3, crashes=4)
        elif action == 2:
            cluster.fail_liveness(victim)
        else:
            node = f"node-{k % 10}"
            cluster.node_down(node)
            cluster.run_until(t + 599)
            cluster.node_up(node)
        k += 1
    cluster.run_until(DAY)
    return time.perf_counter() - start, time.process_time() - cpu, cluster


def explorer_latency() -> dict[str, tuple[float, float]]:
    """Median (wall ms, CPU ms) per explorer update; CPU time is the honest figure on a
    shared machine, where wall time includes waiting for a core."""
    from msa_course.orchestration import widgets
    from msa_course.orchestration.services.widgets import service_explorer

    out = {}
    for name, make, control, values in (
        ("self_healing_explorer", widgets.self_healing_explorer, "minutes", [5, 10, 15, 20, 30]),
        ("autoscaling_explorer", widgets.autoscaling_explorer, "peak", [2, 3, 4, 5, 6]),
        ("service_explorer", service_explorer, "rate", [50, 100, 200, 300, 400]),
    ):
        ex = make()
        wall, cpu = [], []
        for _ in range(3):
            for v in values:
                start, start_cpu = time.perf_counter(), time.process_time()
                ex.controls[control].value = v
                wall.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
        out[name] = (statistics.median(wall) * 1000, statistics.median(cpu) * 1000)
    return out


def main() -> None:
    seconds, cpu, cluster = run_day()
    hours = DAY / 3600
    print(
        f"24 h, 100 pods, 10 nodes, probes + HPA + 143 faults: {seconds:.2f} s wall, "
        f"{cpu:.2f} s CPU ({hours / cpu:,.0f} simulated hours per CPU second)"
    )
    print(
        f"  events logged: {sum(e.count for e in cluster.events())}, "
        f"samples: {len(cluster.history)}, HPA syncs: {len(cluster.decisions)}"
    )
    seconds, cpu, cluster = run_day(service=True)
    traffic = cluster.traffic.stats["web"]
    print(
        f"  + Service and traffic: {seconds:.2f} s wall, {cpu:.2f} s CPU; "
        f"{traffic.sent:,} requests, {traffic.refused:,} refused, "
        f"{traffic.unanswered:,} unanswered"
    )
    try:
        msa_course.setup_notebook()
        for name, (wall, cpu) in explorer_latency().items():
            print(f"{name}: median update {wall:.1f} ms wall, {cpu:.1f} ms CPU")
    except ImportError as err:
        print(f"explorers not measured: {err}")


if __name__ == "__main__":
    main()
