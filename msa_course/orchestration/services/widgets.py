"""Chapter 03's Services explorer: send traffic through a Service, break or change the pods
behind it, and see which pod answered, what failed, and what kubectl and kube-proxy show."""

from __future__ import annotations

import html

import ipywidgets as widgets

from msa_course.i18n import N_, tr
from msa_course.orchestration.services import charts
from msa_course.orchestration.widgets import timeline_actions
from msa_course.ui import theme
from msa_course.ui.explorer import Explorer

ACTIONS = (
    N_("Kill a pod"),
    N_("Scale up (+2)"),
    N_("Scale down (-2)"),
    N_("Rolling update"),
    N_("Take a node down"),
)
BIN_SECONDS = 5  # one point of the chart
WARMUP_S = 60  # the pods start and pass readiness before the clients do
SURGE_CHOICES = ("25%", "0", "1", "50%")
_SLIDER = dict(continuous_update=False, style={"description_width": "initial"})


def _cluster(replicas, readiness, startup, drain, max_surge, max_unavailable, seed):
    from msa_course.orchestration.cluster import Cluster
    from msa_course.orchestration.kubelet import Probe
    from msa_course.orchestration.objects import Container, Deployment, Node, PodTemplate
    from msa_course.orchestration.services import Service, ServicePort

    nodes = [Node(f"node-{i}", {"cpu": 4000, "memory": 16 * 2**30}) for i in range(3)]
    web = Container(
        "web",
        "nginx:1.27",
        {"cpu": 250, "memory": 128 * 2**20},
        readiness_probe=Probe() if readiness else None,  # Kubernetes' defaults: every 10 s
        ports={"http": 8080},
    )
    cluster = Cluster(
        nodes, seed=seed, startup_seconds=startup, shutdown_seconds=drain,
        traffic_bin_seconds=BIN_SECONDS,
    )  # fmt: skip
    cluster.apply(
        Deployment(
            "web",
            replicas,
            {"app": "web"},
            PodTemplate({"app": "web"}, (web,)),
            max_surge=_int_or_percent(max_surge),
            max_unavailable=_int_or_percent(max_unavailable),
        ),  # fmt: skip
        Service("web", {"app": "web"}, (ServicePort(80, "http", name="http"),)),
    )
    return cluster


def _int_or_percent(text: str) -> int | str:
    return text if text.endswith("%") else int(text)


def simulate_service(
    actions=(),
    *,
    minutes: int = 5,
    replicas: int = 3,
    readiness: bool = True,
    startup: float = 10,
    drain: float = 5,
    rate: float = 100,
    max_surge: str = "25%",
    max_unavailable: str = "25%",
    seed: int = 0,
):
    """The explorer's run: Deployment "web" behind Service "web" on 3 nodes; after a minute of
    warm-up, clients send `rate` requests a second for `minutes`, while `actions` ((seconds
    after the clients start, action)) happen. Times in the result count from the clients'
    start."""
    if max_surge in ("0", "0%") and max_unavailable in ("0", "0%"):
        raise ValueError(
            tr("maxSurge and maxUnavailable cannot both be 0: the rollout could not move")
        )
    cluster = _cluster(replicas, readiness, startup, drain, max_surge, max_unavailable, seed)
    cluster.run_until(WARMUP_S)
    cluster.send("web", rate)
    end = WARMUP_S + minutes * 60
    version = 27
    for at, action in sorted(actions):
        if at > minutes * 60:
            continue
        cluster.run_until(WARMUP_S + at)
        live = [p for p in cluster.pod_names() if cluster.pod_state(p)["ready"]]
        victim = (live or cluster.pod_names() or [None])[0]
        d = cluster.store.deployment("web")
        if action == "Kill a pod" and victim:
            cluster.delete_pod(victim)
        elif action == "Scale up (+2)":
            cluster.scale("web", d.replicas + 2)
        elif action == "Scale down (-2)":
            cluster.scale("web", max(0, d.replicas - 2))
        elif action == "Rolling update":
            version += 1
            cluster.set_image("web", f"nginx:1.{version}")
        elif action == "Take a node down" and victim:
            node = cluster.pod_state(victim)["node"]
            if cluster.store.nodes[node].up:
                cluster.node_down(node)
        elif action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")
    return cluster.run_until(end)


def _bins(cluster) -> list:
    """The traffic bins with times counted from the clients' start."""
    return [(t - WARMUP_S, *rest) for t, *rest in cluster.traffic.stats["web"].bins]


def _summary(cluster) -> str:
    s = cluster.traffic.stats["web"]
    failed = 100 * s.failed / s.sent if s.sent else 0.0
    rows = [[tr("POD"), "READY", tr("REQUESTS"), tr("SHARE")]]
    for pod, count in sorted(s.answered.items(), key=lambda kv: -kv[1]):
        state = cluster.pod_state(pod)["ready"] if pod in cluster.store.pods else None
        ready = tr("gone") if state is None else ("1/1" if state else "0/1")
        rows.append([pod, ready, f"{count:,}", f"{100 * count / s.sent:.1f}%"])
    counts = tr(
        "<b>{sent}</b> requests sent, <b>{answered}</b> answered, <b>{failed}</b> failed "
        "({percent} %): {refused} refused (no endpoint), {unanswered} unanswered (the chosen "
        "pod did not answer).",
        sent=f"{s.sent:,}",
        answered=f"{sum(s.answered.values()):,}",
        failed=f"{s.failed:,}",
        percent=f"{failed:.1f}",
        refused=f"{s.refused:,}",
        unanswered=f"{s.unanswered:,}",
    )
    return f"<p>{counts}</p>" + _pre(tr("Requests answered, per pod"), rows)


def _pre(title: str, rows, command: str = "") -> str:
    """A table under its title; `command` is the kubectl command that prints it (as typed,
    in English, set as code)."""
    from msa_course.orchestration.cluster import format_table

    head = html.escape(title) + (f" (<code>{html.escape(command)}</code>)" if command else "")
    return f"<p style='margin:0.6em 0 0.2em'><b>{head}</b></p>" + theme.pre_html(format_table(rows))


def _kubectl_get(cluster) -> str:
    """`kubectl get svc,endpointslices`: two kinds, so each name carries its kind."""
    from msa_course.orchestration.cluster import format_table

    svc = cluster.get_services()
    svc = [svc[0], *[[f"service/{r[0]}", *r[1:]] for r in svc[1:]]]
    eps = cluster.get_endpointslices()
    eps = [eps[0], *[[f"endpointslice.discovery.k8s.io/{r[0]}", *r[1:]] for r in eps[1:]]]
    return format_table(svc) + "\n\n" + format_table(eps)


def _rules(cluster) -> str:
    from msa_course.orchestration import kubeproxy

    route = cluster.kube_proxy.routes["web"][None]
    rules = cluster.kube_proxy.rules("web")
    shown = [kubeproxy.as_saved(r) for r in rules if r.startswith("-A KUBE-SVC-")]
    if not shown:
        shown = [r for r in rules if "REJECT" in r]
    note = " " + tr("(all terminating: the serving-terminating fallback)") if route.fallback else ""
    command = html.escape("$ iptables-save -t nat | grep -- '-A KUBE-SVC'")
    return (
        f"<p style='margin:0.6em 0 0.2em'><b><code>{command}</code></b>{note}</p>"
        + theme.pre_html("\n".join(shown), size_px=11)
    )


def service_view(actions, minutes, replicas, readiness, startup, drain, rate, surge, unavailable,
                 seed):  # fmt: skip
    """The figure and side panel for one run (also the chapter's static edition)."""
    cluster = simulate_service(
        actions, minutes=minutes, replicas=replicas, readiness=readiness, startup=startup,
        drain=drain, rate=rate, max_surge=surge, max_unavailable=unavailable, seed=seed,
    )  # fmt: skip
    shown = [(t, a) for t, a in sorted(actions) if t <= minutes * 60]
    probe = tr("readinessProbe every 10 s") if readiness else tr("no readinessProbe")
    title = tr(
        "{rate} requests/s to Service web ({probe}, app starts in {startup} s)",
        rate=f"{rate:g}",
        probe=probe,
        startup=f"{startup:g}",
    )
    fig = charts.service_traffic_chart(
        _bins(cluster), BIN_SECONDS, end=minutes * 60, markers=shown, title=title
    )
    svc = cluster.store.services["web"]
    clients = tr(
        "Clients call <code>http://web</code>: the pod's resolver tries <code>{name}</code> "
        "first and gets the ClusterIP <code>{ip}</code>; kube-proxy's rules pick a pod.",
        name=svc.dns_name,
        ip=svc.cluster_ip,
    )
    side = (
        _summary(cluster)
        + f"<p>{clients}</p>"
        + "<p style='margin:0.6em 0 0.2em'><b><code>$ kubectl get svc,endpointslices</code></b></p>"
        + theme.pre_html(_kubectl_get(cluster))
        + _pre(
            tr("Endpoint conditions"),
            cluster.get_endpoints("web"),
            "kubectl get endpointslices -o yaml",
        )
        + _rules(cluster)
    )
    return fig, side


def service_explorer(seed: int = 0) -> Explorer:
    """Send traffic through a Service; kill, scale or roll out the pods behind it.

    Each button adds an action at "action at (s)" after the clients start; the run repeats
    from the start with every action so far. The side panel is the end of the window.
    """
    actions: list[tuple[int, str]] = [(60, "Rolling update")]
    i, f = widgets.IntSlider, widgets.FloatSlider
    controls = {
        "at": i(60, 0, 600, 5, description=tr("action at (s)"), **_SLIDER),
        "minutes": i(4, 1, 10, 1, description=tr("window (min)"), **_SLIDER),
        "replicas": i(3, 1, 8, 1, description=tr("replicas"), **_SLIDER),
        "rate": f(100, min=10, max=1000, step=10, description=tr("requests/s"), **_SLIDER),
        "readiness": widgets.Checkbox(True, description=tr("readinessProbe"), indent=False),
        "startup": i(10, 0, 25, 1, description=tr("app starts in (s)"), **_SLIDER),
        "drain": i(5, 0, 30, 1, description=tr("app drains after SIGTERM (s)"), **_SLIDER),
        "surge": widgets.Dropdown(options=SURGE_CHOICES, value="25%", description="maxSurge"),
        "unavailable": widgets.Dropdown(
            options=SURGE_CHOICES, value="25%", description="maxUnavailable"
        ),
    }

    def render(at, minutes, replicas, rate, readiness, startup, drain, surge, unavailable):
        return service_view(actions, minutes, replicas, readiness, startup, drain, rate, surge,
                            unavailable, seed)  # fmt: skip

    return Explorer(
        controls,
        render,
        title=tr("Communication and load balancing through a Service"),
        actions=timeline_actions(actions, ACTIONS, controls["at"]),
        controls_per_row=3,
        static=_notice_states(seed),
    )


def _notice_states(seed: int) -> list:
    """Chapter 03's Notice, in its order: each action at 60 s, as its Try this makes it."""

    def view(action, replicas=3, readiness=True, startup=10, drain=5, surge="25%", down="25%"):
        return lambda: service_view([(60, action)], 4, replicas, readiness, startup, drain, 100,
                                    surge, down, seed)  # fmt: skip

    update, kill = "Rolling update", "Kill a pod"
    return [
        (tr("A rolling update at 60 s, with the readiness probe."), view(update)),
        (tr("The same rolling update without the readiness probe."), view(update, readiness=False)),
        (
            tr("One replica, killed at 60 s; its app exits at once."),
            view(kill, replicas=1, drain=0),
        ),
        (
            tr("One replica, killed at 60 s; its app keeps serving for 20 s after SIGTERM."),
            view(kill, replicas=1, drain=20),
        ),
        (tr("A node goes down at 60 s."), view("Take a node down")),
        (
            tr(
                "A rolling update with maxSurge 0, maxUnavailable 1 and an app that starts in 25 s, "
                "with the readiness probe."
            ),
            view(update, startup=25, surge="0", down="1"),
        ),
        (
            tr("The same without the readiness probe."),
            view(update, readiness=False, startup=25, surge="0", down="1"),
        ),
    ]
