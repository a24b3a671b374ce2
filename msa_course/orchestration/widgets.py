"""Chapter 03's interactives. The bin-packing explorer: the real scheduler's strategies on
a workload you choose, with kubectl's own views of the result beside the chart."""

from __future__ import annotations

import dataclasses
import functools
import html

import ipywidgets as widgets

from msa_course.orchestration import charts
from msa_course.orchestration.binpacking import (
    PACKING_SHAPE,
    WORKLOADS,
    PackResult,
    node_pool,
    pack,
)
from msa_course.orchestration.binpacking import workload as make_workload
from msa_course.orchestration.explain_panel import explanation_html
from msa_course.orchestration.objects import Deployment, Pod, ReplicaSet
from msa_course.orchestration.placement import LabelSelector
from msa_course.orchestration.quantity import format_bytes, format_cpu
from msa_course.orchestration.scheduler import Profile
from msa_course.ui import theme
from msa_course.ui.explorer import Explorer

YAML_CHOICE = "Deployment YAML (below)"
STRATEGY_CHOICES = {
    "LeastAllocated (default: spread)": ("LeastAllocated", None),
    "MostAllocated (pack)": ("MostAllocated", None),
    "RequestedToCapacityRatio 0->0, 100->10": ("RequestedToCapacityRatio", PACKING_SHAPE),
}
BALANCED_CHOICES = {
    "v1.36+ (change in balance)": "v1.36",
    "v1.35 (balance after)": "v1.35",
    "off": None,
}
TABLE_ROWS = 25  # rows of `get pods` shown; the rest are counted
EXAMPLE_YAML = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 60
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        resources:
          requests: {cpu: 500m, memory: 512Mi}
          limits: {memory: 512Mi}
"""

_STYLE = {"description_width": "11em"}
_LAYOUT = widgets.Layout(width="26em")


@functools.lru_cache(maxsize=8)
def _yaml_objects(text: str) -> tuple:
    """Validated objects of a YAML text; cached so other controls don't re-validate it."""
    from msa_course.orchestration.manifests import load_manifests

    return tuple(load_manifests(text))


def _yaml_pods(text: str) -> list[Pod]:
    """The pods a YAML text makes; a Deployment's or ReplicaSet's are owned by it (`owner`),
    so the scheduler spreads them by default (`_owner_selector`)."""
    pods: list[Pod] = []
    for obj in _yaml_objects(text):
        if isinstance(obj, (Deployment, ReplicaSet)):
            for i in range(obj.replicas):
                pod = obj.template.instantiate(f"{obj.name}-{i}", obj.namespace)
                pod.owner = f"{type(obj).__name__}/{obj.name}"
                pods.append(pod)
        elif isinstance(obj, Pod):
            pods.append(dataclasses.replace(obj, node_name=None))
        else:
            raise ValueError(
                f"the explorer places Deployments, ReplicaSets and Pods; remove the "
                f"{type(obj).__name__} {obj.name!r}"
            )
    return pods


def _owner_selector(text: str):
    """The YAML's owners' selectors for the system default spreading (None for bare pods)."""
    selectors = {
        f"{type(obj).__name__}/{obj.name}": LabelSelector(obj.selector)
        for obj in _yaml_objects(text)
        if isinstance(obj, (Deployment, ReplicaSet))
    }
    return lambda pod: selectors.get(pod.owner)


def _text_panel(title: str, text: str) -> str:
    return f"<div style='margin-top:0.6em'><b>{html.escape(title)}</b>{theme.pre_html(text)}</div>"


def get_pods_wide(result: PackResult) -> str:
    """`kubectl get pods -o wide` as text (pod IPs from each node's 10.244.N.0/24 range, as
    kubeadm with flannel allocates; bound pods are shown Running, ages omitted)."""
    from msa_course.orchestration.cluster import format_table

    index = {n.name: i for i, n in enumerate(result.scheduler.nodes)}
    next_ip = [2] * len(index)
    rows = [["NAME", "READY", "STATUS", "RESTARTS", "IP", "NODE", "NOMINATED NODE"]]
    for pod in result.pods:
        if pod.node_name is None:
            rows.append([pod.name, "0/1", "Pending", "0", "<none>", "<none>", "<none>"])
            continue
        i = index[pod.node_name]
        rows.append(
            [pod.name, "1/1", "Running", "0", f"10.244.{i}.{next_ip[i]}", pod.node_name, "<none>"]
        )
        next_ip[i] += 1
    shown = rows[: TABLE_ROWS + 1]
    more = len(rows) - len(shown)
    return format_table(shown) + (f"\n... {more} more pods" if more else "")


def describe_node(result: PackResult, number: int) -> str:
    """The pods and "Allocated resources" parts of `kubectl describe node` (percentages
    truncated as kubectl does)."""
    from msa_course.orchestration.cluster import format_table

    sched = result.scheduler
    node = sched.nodes[min(max(number, 1), len(sched.nodes)) - 1]
    pods = sched.pods_on(node.name)
    alloc = node.allocatable
    lines = [f"Name:               {node.name}", "Allocatable:"]
    lines += [f"  cpu:                {format_cpu(alloc['cpu'])}"]
    lines += [f"  memory:             {format_bytes(alloc['memory'])}"]
    lines += [f"  pods:               {alloc['pods']}"]
    table = [
        ["Namespace", "Name", "CPU Requests", "CPU Limits", "Memory Requests", "Memory Limits"]
    ]
    for pod in pods:
        req = pod.requests()
        lim: dict[str, int] = {}
        for c in pod.containers:
            for k, v in c.limits.items():
                lim[k] = lim.get(k, 0) + v
        table.append([
            pod.namespace,
            pod.name,
            _share(req.get("cpu", 0), alloc["cpu"], format_cpu),
            _share(lim.get("cpu", 0), alloc["cpu"], format_cpu),
            _share(req.get("memory", 0), alloc["memory"], format_bytes),
            _share(lim.get("memory", 0), alloc["memory"], format_bytes),
        ])  # fmt: skip
    lines.append(f"Non-terminated Pods:          ({len(pods)} in total)")
    lines += ["  " + row for row in format_table(table).splitlines()[: TABLE_ROWS + 1]]
    cpu = sum(p.requests().get("cpu", 0) for p in pods)
    memory = sum(p.requests().get("memory", 0) for p in pods)
    lines += [
        "Allocated resources:",
        "  (Total limits may be over 100 percent, i.e., overcommitted.)",
        "  Resource           Requests",
        "  --------           --------",
        f"  cpu                {_share(cpu, alloc['cpu'], format_cpu)}",
        f"  memory             {_share(memory, alloc['memory'], format_bytes)}",
    ]
    return "\n".join(lines)


def _share(amount: int, allocatable: int, fmt) -> str:
    return f"{fmt(amount)} ({int(amount / allocatable * 100)}%)"


def _summary(result: PackResult) -> str:
    bounds = result.lower_bounds
    worst = max(bounds, key=bounds.get)
    pending = result.pending
    text = (
        f"<p><b>{result.nodes_used}</b> nodes used; lower bound <b>{bounds[worst]}</b> "
        f"(ceil of total {worst} requests / one node's allocatable; cpu {bounds['cpu']}, "
        f"memory {bounds['memory']}, pods {bounds['pods']}). "
        f"<b>{len(pending)}</b> pod(s) Pending.</p>"
    )
    if pending:
        messages: dict[str, int] = {}
        for d in pending:
            messages[d.message] = messages.get(d.message, 0) + 1
        events = [
            f"Warning  FailedScheduling  default-scheduler  {m}  (x{n} pods)"
            for m, n in messages.items()
        ]
        text += _text_panel("Events of the Pending pods (kubectl describe pod)", "\n".join(events))
    return text


def binpacking_explorer(
    *, pods: int = 200, nodes: int = 20, node_cpu: float = 16, node_memory: float = 64
) -> Explorer:
    """Place a workload on a node pool with the real scheduler and compare strategies.

    Bars: requested share of each node's allocatable CPU and memory. Beside them: nodes used
    against the lower bound, Pending pods with the scheduler's message, why pod #k went where
    it did (every node's Filter verdict and every plugin's score: explain_panel.py), `kubectl
    get pods -o wide` and `kubectl describe node`. Defaults: 200 pods on 20 nodes of 16 cores
    / 64 GiB.
    """
    i, f, d = widgets.IntSlider, widgets.FloatSlider, widgets.Dropdown

    def slider(kind, description, value, low, high, step):
        return kind(value=value, min=low, max=high, step=step, description=description,
                    style=_STYLE, layout=_LAYOUT, continuous_update=False)  # fmt: skip

    controls = {
        "workload": d(
            options=[*WORKLOADS, YAML_CHOICE],
            value=WORKLOADS[0],
            description="workload",
            style=_STYLE,
            layout=_LAYOUT,
        ),  # fmt: skip
        "pods": slider(i, "pods (generated)", pods, 0, 600, 10),
        "nodes": slider(i, "nodes", nodes, 1, 60, 1),
        "node_cpu": slider(f, "node CPU (cores)", node_cpu, 1, 64, 1),
        "node_memory": slider(f, "node memory (GiB)", node_memory, 1, 256, 1),
        "strategy": d(
            options=list(STRATEGY_CHOICES),
            description="NodeResourcesFit",
            style=_STYLE,
            layout=_LAYOUT,
        ),  # fmt: skip
        "balanced": d(
            options=list(BALANCED_CHOICES),
            description="BalancedAllocation",
            style=_STYLE,
            layout=_LAYOUT,
        ),  # fmt: skip
        "describe": slider(i, "describe node #", 1, 1, 60, 1),
        "explain": slider(i, "explain pod #", 1, 1, 600, 1),
        "seed": slider(i, "seed", 0, 0, 20, 1),
        "yaml": widgets.Textarea(
            value=EXAMPLE_YAML,
            description="YAML",
            layout=widgets.Layout(width="40em", height="14em"),
        ),  # fmt: skip
    }

    def render(
        workload,
        pods,
        nodes,
        node_cpu,
        node_memory,
        strategy,
        balanced,
        describe,
        explain,
        seed,
        yaml,
    ):
        owners = None
        if workload == YAML_CHOICE:
            chosen, owners = _yaml_pods(yaml), _owner_selector(yaml)
        else:
            chosen = make_workload(workload, pods, seed)
        name, shape = STRATEGY_CHOICES[strategy]
        profile = Profile(
            strategy=name, shape=shape, balanced_allocation=BALANCED_CHOICES[balanced]
        )
        pool = node_pool(nodes, node_cpu, node_memory)
        result = pack(chosen, pool, profile, seed=seed, default_selector=owners)
        title = (
            f"{name}: {result.nodes_used} of {nodes} nodes used, "
            f"lower bound {max(result.lower_bounds.values())}, {len(result.pending)} Pending"
        )
        why = explanation_html(result.explain(min(explain, len(chosen)) - 1)) if chosen else ""
        side = (
            _summary(result)
            + why
            + _text_panel("kubectl get pods -o wide", get_pods_wide(result))
            + _text_panel(
                f"kubectl describe node worker-{min(describe, nodes)}",
                describe_node(result, describe),
            )
        )
        return charts.binpacking_figure(result, title), side

    return Explorer(
        controls,
        render,
        title="Bin packing with kube-scheduler",
        controls_per_row=3,
        # chapter 03's Notice: MostAllocated packs the default mix onto the lower bound
        static={"strategy": "MostAllocated (pack)"},
    )


# --- Self-healing and horizontal autoscaling (issue 6) ------------------------------------------
_SLIDER = dict(continuous_update=False, style={"description_width": "initial"})
FAULTS = ("Kill a pod", "Crash-loop a container", "Fail a liveness probe", "Take a node down")


def _pre(title: str, rows) -> str:
    from msa_course.orchestration.cluster import format_table

    return f"<p style='margin:0.6em 0 0.2em'><b>{html.escape(title)}</b></p>" + theme.pre_html(
        format_table(rows)
    )


def _healing_cluster(period: int, threshold: int, seed: int):
    from msa_course.orchestration.cluster import Cluster
    from msa_course.orchestration.kubelet import Probe
    from msa_course.orchestration.objects import Container, Deployment, Node, PodTemplate

    probe = Probe(period_seconds=period, failure_threshold=threshold)
    nodes = [Node(f"node-{i}", {"cpu": 4000, "memory": 16 * 2**30}) for i in range(3)]
    web = Container(
        "web",
        "nginx:1.27",
        {"cpu": 500, "memory": 256 * 2**20},
        liveness_probe=probe,
        readiness_probe=probe,
    )
    cluster = Cluster(nodes, seed=seed)
    template = PodTemplate({"app": "web"}, (web,))
    cluster.apply(Deployment("web", 4, {"app": "web"}, template))
    return cluster


def simulate_faults(faults, minutes: int = 15, period: int = 10, threshold: int = 3, seed=0):
    """Run the explorer's cluster (3 nodes, Deployment "web" of 4 pods) with `faults`, a list
    of (seconds, fault) pairs; the victim is the oldest live pod (or its node)."""
    cluster = _healing_cluster(period, threshold, seed)
    end = minutes * 60
    for at, fault in sorted(faults):
        if at > end:
            continue
        cluster.run_until(at)
        live = [p for p in cluster.pod_names() if cluster.pod_state(p)["container"] == "Running"]
        live = [p for p in live if cluster.node_ready(cluster.pod_state(p)["node"])]
        victim = (live or cluster.pod_names())[0]
        if fault == "Kill a pod":
            cluster.delete_pod(victim)
        elif fault == "Crash-loop a container":
            cluster.crash_loop(victim, run_seconds=5)
        elif fault == "Fail a liveness probe":
            cluster.fail_liveness(victim)
        elif fault == "Take a node down":
            node = cluster.pod_state(victim)["node"]
            if cluster.node_ready(node):
                cluster.node_down(node)
        else:
            raise ValueError(f"fault must be one of {FAULTS}, got {fault!r}")
    return cluster.run_until(end)


def self_healing_explorer(seed: int = 0) -> Explorer:
    """Break a 4-pod Deployment and watch Kubernetes restore it, on Kubernetes' own clock.

    Each button adds a fault at the time set by "fault at (s)"; the timeline re-runs from
    t = 0 with every fault so far. The side panel is `kubectl get` at the end of the window.
    """
    faults: list[tuple[int, str]] = [(60, "Take a node down")]
    controls = {
        "at": widgets.IntSlider(60, 0, 1200, 10, description="fault at (s)", **_SLIDER),
        "minutes": widgets.IntSlider(15, 2, 30, 1, description="window (min)", **_SLIDER),
        "period": widgets.IntSlider(10, 1, 30, 1, description="probe periodSeconds", **_SLIDER),
        "threshold": widgets.IntSlider(3, 1, 10, 1, description="failureThreshold", **_SLIDER),
    }

    def render(at, minutes, period, threshold):
        return _healing_view(faults, minutes, period, threshold, seed)

    def add(fault):
        def action():
            faults.append((controls["at"].value, fault))

        return action

    actions = {f: add(f) for f in FAULTS}
    actions["Reset"] = faults.clear
    return Explorer(
        controls,
        render,
        title="Self-healing on a simulated clock",
        actions=actions,
        controls_per_row=4,
        # chapter 03's Notice starts with the crash loop: one container crash-looping at 60 s
        static=lambda: _healing_view([(60, "Crash-loop a container")], 15, 10, 3, seed),
    )


def _healing_view(faults, minutes: int, period: int, threshold: int, seed: int):
    """The self-healing explorer's figure and `kubectl get` panel for a list of faults."""
    cluster = simulate_faults(faults, minutes, period, threshold, seed)
    labels = [(t, f) for t, f in sorted(faults) if t <= minutes * 60]
    fig = charts.self_healing_chart(cluster.history, labels, end=minutes * 60)
    side = (
        f"<p>At t = {minutes} min ({len(faults)} fault(s) injected):</p>"
        + _pre("$ kubectl get pods", cluster.get_pods())
        + _pre("$ kubectl get deploy", cluster.get_deployments())
        + _pre("$ kubectl get events (last 12)", cluster.get_events(last=12))
    )
    return fig, side


MAX_REPLICAS = 30  # the explorer's HPA spec.maxReplicas
WARMUP_S = 60  # the autoscaling run's pods start and pass readiness before the plot begins


def load_curve(
    base_cores: float, peak: float, start_min: float, duration_min: float, ramp_min: float = 2.0
):
    """Demand in millicores over time: `base_cores`, rising to `peak` x base over `ramp_min`
    at `start_min`, holding for `duration_min`, then falling back."""
    if base_cores <= 0 or peak < 1 or duration_min < 0:
        raise ValueError(
            f"need base > 0 cores, peak >= 1 and duration >= 0 min, got base={base_cores}, "
            f"peak={peak}, duration={duration_min}"
        )
    a, b = start_min * 60, (start_min + ramp_min) * 60
    c, d = b + duration_min * 60, b + (duration_min + ramp_min) * 60
    extra = (peak - 1) * base_cores * 1000

    def demand(t: float) -> float:
        if t <= a or t >= d:
            level = 0.0
        elif t < b:
            level = (t - a) / (b - a)
        elif t <= c:
            level = 1.0
        else:
            level = (d - t) / (d - c)
        return base_cores * 1000 + extra * level

    return demand


def simulate_autoscaling(
    base_cores=2.0,
    peak=4.0,
    start_min=10,
    duration_min=20,
    target=50,
    tolerance=0.1,
    window=300,
    up_pods=4,
    up_percent=100,
    min_replicas=2,
    max_replicas=None,
    minutes=60,
    request_milli=500,
    limit_milli=1000,
    service_ms=20.0,
    seed=0,
):
    """The autoscaling explorer's run: a Deployment (cpu request 500m) with an HPA on a load
    curve; returns the series the chart draws, one point every 30 s (the HPA syncs every 15 s).

    The plot starts WARMUP_S after the Deployment is created, once its pods are Ready, so the
    first point shows a running service rather than pods still starting."""
    import math

    from msa_course.orchestration import objects
    from msa_course.orchestration.cluster import Cluster, mm1_latency_ms

    max_replicas = MAX_REPLICAS if max_replicas is None else max_replicas
    nodes = [objects.Node(f"node-{i}", {"cpu": 8000, "memory": 32 * 2**30}) for i in range(10)]
    container = objects.Container("web", "nginx:1.27", {"cpu": request_milli}, {"cpu": limit_milli})
    template = objects.PodTemplate({"app": "web"}, (container,))
    up = objects.HPAScalingRules(
        (
            objects.HPAScalingPolicy("Pods", up_pods, 15),
            objects.HPAScalingPolicy("Percent", up_percent, 15),
        ),
        stabilization_window_seconds=0,
        tolerance=tolerance,
    )
    down = objects.HPAScalingRules(
        (objects.HPAScalingPolicy("Percent", 100, 15),),
        stabilization_window_seconds=window,
        tolerance=tolerance,
    )
    curve = load_curve(base_cores, peak, start_min, duration_min)

    def demand(t: float) -> float:  # cluster time runs WARMUP_S ahead of the plotted time
        return curve(t - WARMUP_S)

    # start sized for the base load, as a Deployment that has been running a while would be
    at_target = request_milli * target / 100
    initial = min(max(min_replicas, math.ceil(base_cores * 1000 / at_target)), max_replicas)
    cluster = Cluster(nodes, seed=seed)
    cluster.load["web"] = demand
    cluster.apply(
        objects.Deployment("web", initial, {"app": "web"}, template),
        objects.HorizontalPodAutoscaler(
            "web",
            "web",
            max_replicas=max_replicas,
            min_replicas=min_replicas,
            metrics=(objects.MetricTarget("cpu", "Utilization", target),),
            scale_up=up,
            scale_down=down,
        ),
    )
    series = {k: [] for k in ("t", "needed", "replicas", "ready", "util", "latency")}
    for t in range(0, minutes * 60 + 1, 30):
        cluster.run_until(WARMUP_S + t)
        ready = sum(cluster.pod_state(p)["ready"] for p in cluster.pod_names())
        per_pod = curve(t) / ready if ready else math.inf
        series["t"].append(t)
        series["needed"].append(curve(t) / (request_milli * target / 100))
        series["replicas"].append(int(cluster.get_hpa()[1][5]))
        series["ready"].append(ready)
        used = min(per_pod, limit_milli)  # a container cannot use more than its CPU limit
        series["util"].append(None if not ready else 100 * used / request_milli)
        series["latency"].append(mm1_latency_ms(service_ms, per_pod / limit_milli))
    return series, cluster


def autoscaling_explorer(seed: int = 0) -> Explorer:
    """Shape a load curve and tune the HPA; watch replicas, CPU per pod and latency follow."""
    f, i = widgets.FloatSlider, widgets.IntSlider
    controls = {
        "base": f(2.0, min=0.5, max=10, step=0.5, description="base load (cores)", **_SLIDER),
        "peak": f(4.0, min=1, max=8, step=0.5, description="peak (x base)", **_SLIDER),
        "duration": i(20, 0, 40, 1, description="peak lasts (min)", **_SLIDER),
        "target": i(50, 10, 100, 5, description="target CPU (%)", **_SLIDER),
        "tolerance": f(0.1, min=0, max=0.5, step=0.05, description="tolerance", **_SLIDER),
        "window": i(300, 0, 900, 30, description="scale-down window (s)", **_SLIDER),
        "up_pods": i(4, 1, 20, 1, description="scale-up Pods/15 s", **_SLIDER),
        "up_percent": i(100, 10, 500, 10, description="scale-up Percent/15 s", **_SLIDER),
    }

    def render(base, peak, duration, target, tolerance, window, up_pods, up_percent):
        series, cluster = simulate_autoscaling(
            base, peak, 10, duration, target, tolerance, window, up_pods, up_percent, seed=seed
        )
        fig = charts.autoscaling_chart(
            series["t"],
            series["needed"],
            series["replicas"],
            series["ready"],
            series["util"],
            series["latency"],
            target=target,
            max_replicas=MAX_REPLICAS,
        )
        worst = max(series["latency"])
        side = (
            f"<p>Peak replicas {max(series['replicas'])} of maxReplicas {MAX_REPLICAS}; worst mean latency {worst:.0f} ms "
            "(M/M/1 model, 20 ms service time, one core per pod).</p>"
            + _pre("$ kubectl get hpa", cluster.get_hpa())
            + _pre(
                "$ kubectl get events (rescales)",
                [cluster.get_events()[0]]
                + [r for r in cluster.get_events()[1:] if r[2] == "SuccessfulRescale"][-8:],
            )
        )
        return fig, side

    return Explorer(
        controls,
        render,
        title="Horizontal Pod Autoscaler on a load curve",
        controls_per_row=4,
        static={"peak": 3.0},  # chapter 03's Notice: the timings at peak 3x
    )
