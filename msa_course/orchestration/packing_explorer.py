"""Chapter 03's bin-packing explorer: the real scheduler's strategies on a workload you
choose, with kubectl's own views of the result and why a chosen pod went where it did beside
the chart. (Moved out of widgets.py, which re-exports it.)"""

from __future__ import annotations

import dataclasses
import functools
import html

import ipywidgets as widgets

from msa_course.i18n import N_, menu, tr
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
from msa_course.ui.explorer import Explorer, slider

YAML_CHOICE = N_("Deployment YAML (below)")
STRATEGY_CHOICES = {  # menu label (English, shown through tr()) -> (strategy, shape)
    N_("LeastAllocated (default: spread)"): ("LeastAllocated", None),
    N_("MostAllocated (pack)"): ("MostAllocated", None),
    "RequestedToCapacityRatio 0->0, 100->10": ("RequestedToCapacityRatio", PACKING_SHAPE),
}
BALANCED_CHOICES = {
    N_("v1.36+ (change in balance)"): "v1.36",
    N_("v1.35 (balance after)"): "v1.35",
    N_("off"): None,
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
_slider = functools.partial(slider, style=_STYLE, layout=_LAYOUT)
_dropdown = functools.partial(widgets.Dropdown, style=_STYLE, layout=_LAYOUT)


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
                tr(
                    "the explorer places Deployments, ReplicaSets and Pods; remove the "
                    "{kind} {name}",
                    kind=type(obj).__name__,
                    name=repr(obj.name),
                )
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


def _text_panel(title: str, text: str, *, command: bool = False) -> str:
    """A titled block of fixed-width text; a `command` title (kubectl ..., typed as it is in
    English) is set as code."""
    head = f"<code>{html.escape(title)}</code>" if command else html.escape(title)
    return f"<div style='margin-top:0.6em'><b>{head}</b>{theme.pre_html(text)}</div>"


def get_pods_wide(result: PackResult) -> str:
    """`kubectl get pods -o wide` as text (pod IPs from each node's 10.244.N.0/24 range, as
    kubeadm with flannel allocates; bound pods are shown Running, ages omitted)."""
    from msa_course.orchestration.cluster import format_table

    index = {n.name: i for i, n in enumerate(result.scheduler.nodes)}
    next_ip = [2] * len(index)
    rows = [
        ["NAME", "READY", "STATUS", "RESTARTS", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    ]
    for pod in result.pods:
        if pod.node_name is None:
            rows.append([pod.name, "0/1", "Pending", "0", "<none>", "<none>", "<none>", "<none>"])
            continue
        i = index[pod.node_name]
        rows.append(
            [
                pod.name,
                "1/1",
                "Running",
                "0",
                f"10.244.{i}.{next_ip[i]}",
                pod.node_name,
                "<none>",
                "<none>",
            ]
        )
        next_ip[i] += 1
    shown = rows[: TABLE_ROWS + 1]
    more = len(rows) - len(shown)
    return format_table(shown) + ("\n" + tr("... {count} more pods", count=more) if more else "")


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
        "<p>"
        + tr(
            "<b>{used}</b> nodes used; lower bound <b>{bound}</b> (ceil of total {resource} "
            "requests / one node's allocatable; cpu {cpu}, memory {memory}, pods {pods}). "
            "<b>{pending}</b> pod(s) Pending.",
            used=result.nodes_used,
            bound=bounds[worst],
            resource=worst,
            cpu=bounds["cpu"],
            memory=bounds["memory"],
            pods=bounds["pods"],
            pending=len(pending),
        )
        + "</p>"
    )
    if pending:
        messages: dict[str, int] = {}
        for d in pending:
            messages[d.message] = messages.get(d.message, 0) + 1
        events = [
            f"Warning  FailedScheduling  default-scheduler  {m}  (x{n} pods)"
            for m, n in messages.items()
        ]
        title = tr("Events of the Pending pods (kubectl describe pod)")
        text += _text_panel(title, "\n".join(events))
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
    i, f = widgets.IntSlider, widgets.FloatSlider

    controls = {
        "workload": _dropdown(
            options=menu([*WORKLOADS, YAML_CHOICE]), value=WORKLOADS[0], description=tr("workload")
        ),
        "pods": _slider(i, tr("pods (generated)"), pods, 0, 600, 10),
        "nodes": _slider(i, tr("nodes"), nodes, 1, 60, 1),
        "node_cpu": _slider(f, tr("node CPU (cores)"), node_cpu, 1, 64, 1),
        "node_memory": _slider(f, tr("node memory (GiB)"), node_memory, 1, 256, 1),
        "strategy": _dropdown(options=menu(STRATEGY_CHOICES), description="NodeResourcesFit"),
        "balanced": _dropdown(options=menu(BALANCED_CHOICES), description="BalancedAllocation"),
        "describe": _slider(i, tr("describe node #"), 1, 1, 60, 1),
        "explain": _slider(i, tr("explain pod #"), 1, 1, 600, 1),
        "seed": _slider(i, tr("seed"), 0, 0, 20, 1),
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
        title = tr(
            "{strategy}: {used} of {nodes} nodes used, lower bound {bound}, {pending} Pending",
            strategy=name,
            used=result.nodes_used,
            nodes=nodes,
            bound=max(result.lower_bounds.values()),
            pending=len(result.pending),
        )
        why = explanation_html(result.explain(min(explain, len(chosen)) - 1)) if chosen else ""
        side = (
            _summary(result)
            + why
            + _text_panel("kubectl get pods -o wide", get_pods_wide(result), command=True)
            + _text_panel(
                f"kubectl describe node worker-{min(describe, nodes)}",
                describe_node(result, describe),
                command=True,
            )
        )
        return charts.binpacking_figure(result, title), side

    return Explorer(
        controls,
        render,
        title=tr("Bin packing with kube-scheduler"),
        controls_per_row=3,
        static=[  # chapter 03's two Notices on it, in their order
            (
                tr("LeastAllocated (the default), explaining pod 2."),
                {"strategy": "LeastAllocated (default: spread)", "explain": 2},
            ),
            (
                tr("MostAllocated, explaining pod 2."),
                {"strategy": "MostAllocated (pack)", "explain": 2},
            ),
            (tr("600 pods: more than the nodes can hold."), {"pods": 600}),
            (
                tr("MostAllocated, explaining pod 150."),
                {"strategy": "MostAllocated (pack)", "explain": 150},
            ),
        ],
    )
