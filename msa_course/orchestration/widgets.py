"""Chapter 03's interactives: the self-healing and autoscaling explorers here; the
bin-packing explorer lives in packing_explorer.py and is re-exported."""

from __future__ import annotations

import html

import ipywidgets as widgets

from msa_course.i18n import N_, menu, tr
from msa_course.orchestration import charts
from msa_course.orchestration.packing_explorer import (
    BALANCED_CHOICES,
    EXAMPLE_YAML,
    STRATEGY_CHOICES,
    TABLE_ROWS,
    YAML_CHOICE,
    binpacking_explorer,
    describe_node,
    get_pods_wide,
)
from msa_course.orchestration.placement import LABEL_ZONE
from msa_course.ui import theme
from msa_course.ui.explorer import Explorer

__all__ = [
    "BALANCED_CHOICES",
    "EXAMPLE_YAML",
    "FAULTS",
    "STRATEGY_CHOICES",
    "TABLE_ROWS",
    "YAML_CHOICE",
    "autoscaling_explorer",
    "binpacking_explorer",
    "describe_node",
    "get_pods_wide",
    "load_curve",
    "self_healing_explorer",
    "simulate_autoscaling",
    "simulate_faults",
]


# --- Self-healing and horizontal autoscaling (issue 6) ------------------------------------------
_SLIDER = dict(continuous_update=False, style={"description_width": "initial"})
FAULTS = (
    N_("Kill a pod"),
    N_("Crash-loop a container"),
    N_("Fail a liveness probe"),
    N_("Take a node down"),
    N_("Take a zone down"),
)
RESET = N_("Reset")
ZONES = ("zone-a", "zone-b", "zone-c")  # two nodes each: node-0 and node-1 in zone-a, ...
PLACEMENTS = {  # how the scheduler places the Deployment's 4 pods (issue 20's availability lesson)
    N_("default profile"): "default",
    N_("spread over zones (maxSkew 1)"): "zones",
    N_("packed (MostAllocated)"): "packed",
}


def _pre(command: str, rows, note: str = "") -> str:
    """A kubectl command (as typed, in English), an optional note after it, and its table."""
    from msa_course.orchestration.cluster import format_table

    after = f" {html.escape(note)}" if note else ""
    return (
        f"<p style='margin:0.6em 0 0.2em'><b><code>{html.escape(command)}</code>{after}</b></p>"
        + theme.pre_html(format_table(rows))
    )


def _healing_cluster(period: int, threshold: int, seed: int, placement: str = "default"):
    from msa_course.orchestration.cluster import Cluster
    from msa_course.orchestration.kubelet import Probe
    from msa_course.orchestration.objects import Container, Deployment, Node, PodTemplate
    from msa_course.orchestration.placement import LabelSelector, TopologySpreadConstraint
    from msa_course.orchestration.scheduler import Profile

    probe = Probe(period_seconds=period, failure_threshold=threshold)
    nodes = [
        Node(f"node-{i}", {"cpu": 4000, "memory": 16 * 2**30}, {LABEL_ZONE: ZONES[i // 2]})
        for i in range(6)
    ]
    web = Container(
        "web",
        "nginx:1.27",
        {"cpu": 500, "memory": 256 * 2**20},
        liveness_probe=probe,
        readiness_probe=probe,
    )
    spread = ()
    if placement == "zones":  # nodeTaintsPolicy Honor: a dead zone's tainted nodes stop counting
        spread = (
            TopologySpreadConstraint(
                1,
                LABEL_ZONE,
                "DoNotSchedule",
                LabelSelector({"app": "web"}),
                None,
                "Honor",
                "Honor",
            ),
        )
    # a packing profile: MostAllocated, and no default spreading to pull the pods apart
    profile = (
        Profile(strategy="MostAllocated", pod_topology_spread_weight=0)
        if placement == "packed"
        else None
    )
    cluster = Cluster(nodes, seed=seed, profile=profile)
    template = PodTemplate({"app": "web"}, (web,), topology_spread_constraints=spread)
    cluster.apply(Deployment("web", 4, {"app": "web"}, template))
    return cluster


def zone_counts(cluster) -> dict[str, int]:
    """Pods not being deleted per zone (the zones of the explorer's nodes)."""
    zone_of = {n.name: n.labels.get(LABEL_ZONE) for n in cluster.scheduler.nodes}
    counts = dict.fromkeys(ZONES, 0)
    for name in cluster.pod_names():
        node = cluster.pod_state(name)["node"]
        if node in zone_of:
            counts[zone_of[node]] += 1
    return counts


def simulate_faults(
    faults,
    minutes: int = 15,
    period: int = 10,
    threshold: int = 3,
    seed=0,
    placement: str = "default",
    before_faults=None,
):
    """Run the explorer's cluster (6 nodes in 3 zones, Deployment "web" of 4 pods placed as
    `placement` says: PLACEMENTS) with `faults`, a list of (seconds, fault) pairs; the victim
    is the oldest live pod (or its node, or its node's zone). `before_faults(cluster)` is
    called just before the first fault (or at the end, when there is none)."""
    cluster = _healing_cluster(period, threshold, seed, placement)
    end = minutes * 60
    for k, (at, fault) in enumerate(sorted(faults)):
        if at > end:
            continue
        cluster.run_until(at)
        if k == 0 and before_faults is not None:
            before_faults(cluster)
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
        elif fault == "Take a zone down":  # every node of the victim's zone stops at once
            zone = _zone_of(cluster, cluster.pod_state(victim)["node"])
            for node in cluster.scheduler.nodes:
                if _zone_of(cluster, node.name) == zone and cluster.node_ready(node.name):
                    cluster.node_down(node.name)
        else:
            raise ValueError(f"fault must be one of {FAULTS}, got {fault!r}")
    cluster.run_until(end)
    if before_faults is not None and not any(at <= end for at, _ in faults):
        before_faults(cluster)
    return cluster


def timeline_actions(timeline: list, labels, at: widgets.Widget) -> dict:
    """An explorer's buttons for a timeline it re-runs from the start: each label's button
    adds (the `at` control's value, label) to `timeline`; RESET empties it."""

    def add(label):
        return lambda: timeline.append((at.value, label))

    return {**{label: add(label) for label in labels}, RESET: timeline.clear}


def _zone_of(cluster, node_name: str) -> str | None:
    node = next(n for n in cluster.scheduler.nodes if n.name == node_name)
    return node.labels.get(LABEL_ZONE)


def self_healing_explorer(seed: int = 0) -> Explorer:
    """Break a 4-pod Deployment and watch Kubernetes restore it, on Kubernetes' own clock.

    Each button adds a fault at the time set by "fault at (s)"; the timeline re-runs from
    t = 0 with every fault so far. The side panel is `kubectl get` at the end of the window.
    """
    faults: list[tuple[int, str]] = [(60, "Take a node down")]
    controls = {
        "at": widgets.IntSlider(60, 0, 1200, 10, description=tr("fault at (s)"), **_SLIDER),
        "minutes": widgets.IntSlider(15, 2, 30, 1, description=tr("window (min)"), **_SLIDER),
        "period": widgets.IntSlider(10, 1, 30, 1, description=tr("probe periodSeconds"), **_SLIDER),
        "threshold": widgets.IntSlider(3, 1, 10, 1, description=tr("failureThreshold"), **_SLIDER),
        "placement": widgets.Dropdown(
            options=menu(PLACEMENTS), description=tr("placement"), style=_SLIDER["style"]
        ),
    }

    def render(at, minutes, period, threshold, placement):
        return _healing_view(faults, minutes, period, threshold, seed, PLACEMENTS[placement])

    return Explorer(
        controls,
        render,
        title=tr("Self-healing on a simulated clock"),
        actions=timeline_actions(faults, FAULTS, controls["at"]),
        controls_per_row=4,
        static=_healing_states(seed),
    )


def _healing_states(seed: int) -> list:
    """Chapter 03's two Notices on the self-healing explorer, in their order: each fault at
    60 s, as its Try this makes it."""

    def view(fault: str, period: int = 10, placement: str = "default"):
        return lambda: _healing_view([(60, fault)], 15, period, 3, seed, placement)

    zone = "Take a zone down"
    return [
        (tr("A container crash-loops from 60 s."), view("Crash-loop a container")),
        (tr("A node goes down at 60 s."), view("Take a node down")),
        (tr("A liveness probe fails at 60 s."), view("Fail a liveness probe")),
        (
            tr("A liveness probe fails at 60 s, with periodSeconds 30."),
            view("Fail a liveness probe", period=30),
        ),
        (
            tr("A zone goes down at 60 s; the pods packed (MostAllocated)."),
            view(zone, placement="packed"),
        ),
        (
            tr("A zone goes down at 60 s; the pods spread over zones (maxSkew 1)."),
            view(zone, placement="zones"),
        ),
        (tr("A zone goes down at 60 s; the pods placed by the default profile."), view(zone)),
    ]


def _healing_view(
    faults, minutes: int, period: int, threshold: int, seed: int, placement: str = "default"
):
    """The self-healing explorer's figure and `kubectl get` panel for a list of faults."""
    before: dict[str, int] = {}
    cluster = simulate_faults(
        faults, minutes, period, threshold, seed, placement, lambda c: before.update(zone_counts(c))
    )
    labels = [(t, f) for t, f in sorted(faults) if t <= minutes * 60]
    fig = charts.self_healing_chart(cluster.history, labels, end=minutes * 60)
    where = ", ".join(f"{zone} {count}" for zone, count in before.items())
    zones = tr("Pods per zone before the first fault: {where}.", where=where)
    at_end = tr(
        "At t = {minutes} min ({count} fault(s) injected):", minutes=minutes, count=len(faults)
    )
    side = (
        f"<p>{zones}</p><p>{at_end}</p>"
        + _pre("$ kubectl get pods -o wide", cluster.get_pods())
        + _pre("$ kubectl get deploy", cluster.get_deployments())
        + _pre("$ kubectl get events", cluster.get_events(last=12), tr("(last 12)"))
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
    pods, web = cluster.store.pods, cluster.store.deployment("web")
    for t in range(0, minutes * 60 + 1, 30):
        cluster.run_until(WARMUP_S + t)
        ready = sum(r.ready and r.deleting is None for r in pods.values())  # READY pods
        per_pod = curve(t) / ready if ready else math.inf
        series["t"].append(t)
        series["needed"].append(curve(t) / (request_milli * target / 100))
        series["replicas"].append(web.replicas)  # what the HPA set (kubectl get hpa REPLICAS)
        series["ready"].append(ready)
        used = min(per_pod, limit_milli)  # a container cannot use more than its CPU limit
        series["util"].append(None if not ready else 100 * used / request_milli)
        series["latency"].append(mm1_latency_ms(service_ms, per_pod / limit_milli))
    return series, cluster


def autoscaling_explorer(seed: int = 0) -> Explorer:
    """Shape a load curve and tune the HPA; watch replicas, CPU per pod and latency follow."""
    f, i = widgets.FloatSlider, widgets.IntSlider
    controls = {
        "base": f(2.0, min=0.5, max=10, step=0.5, description=tr("base load (cores)"), **_SLIDER),
        "peak": f(4.0, min=1, max=8, step=0.5, description=tr("peak (x base)"), **_SLIDER),
        "duration": i(20, 0, 40, 1, description=tr("peak lasts (min)"), **_SLIDER),
        "target": i(50, 10, 100, 5, description=tr("target CPU (%)"), **_SLIDER),
        "tolerance": f(0.1, min=0, max=0.5, step=0.05, description=tr("tolerance"), **_SLIDER),
        "window": i(300, 0, 900, 30, description=tr("scale-down window (s)"), **_SLIDER),
        "up_pods": i(4, 1, 20, 1, description=tr("scale-up Pods/15 s"), **_SLIDER),
        "up_percent": i(100, 10, 500, 10, description=tr("scale-up Percent/15 s"), **_SLIDER),
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
        peak_note = tr(
            "Peak replicas {peak} of maxReplicas {most}; worst mean latency {worst} ms "
            "(M/M/1 model, 20 ms service time, one core per pod).",
            peak=max(series["replicas"]),
            most=MAX_REPLICAS,
            worst=f"{max(series['latency']):.0f}",
        )
        side = (
            f"<p>{peak_note}</p>"
            + _pre("$ kubectl get hpa", cluster.get_hpa())
            + _pre(
                "$ kubectl get events",
                [cluster.get_events()[0]]
                + [r for r in cluster.get_events()[1:] if r[2] == "SuccessfulRescale"][-8:],
                tr("(rescales)"),
            )
        )
        return fig, side

    return Explorer(
        controls,
        render,
        title=tr("Horizontal Pod Autoscaler on a load curve"),
        controls_per_row=4,
        static=[  # chapter 03's Notice, in its order
            (tr("Peak 3x, the other settings as they start."), {"peak": 3.0}),
            (
                tr("Peak 3x, scale-up 1 Pod or 10 % per 15 s."),
                {"peak": 3.0, "up_pods": 1, "up_percent": 10},
            ),
            (tr("Peak 3x, scale-down window 0 s."), {"peak": 3.0, "window": 0}),
            (tr("Peak 3x, scale-down window 900 s."), {"peak": 3.0, "window": 900}),
            (
                tr("Base load 4 cores, peak 8x: more than maxReplicas can carry."),
                {"base": 4.0, "peak": 8.0},
            ),
        ],
    )
