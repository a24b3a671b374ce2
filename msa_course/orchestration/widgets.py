"""Chapter 03's interactives. The bin-packing explorer: the real scheduler's strategies on
a workload you choose, with kubectl's own views of the result beside the chart."""

from __future__ import annotations

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
from msa_course.orchestration.objects import Deployment, Pod, ReplicaSet
from msa_course.orchestration.quantity import format_bytes, format_cpu
from msa_course.orchestration.scheduler import Profile
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
    pods: list[Pod] = []
    for obj in _yaml_objects(text):
        if isinstance(obj, (Deployment, ReplicaSet)):
            pods += [obj.template.instantiate(f"{obj.name}-{i}") for i in range(obj.replicas)]
        elif isinstance(obj, Pod):
            pods.append(Pod(obj.name, obj.containers, obj.init_containers))
        else:
            raise ValueError(
                f"the explorer places Deployments, ReplicaSets and Pods; remove the "
                f"{type(obj).__name__} {obj.name!r}"
            )
    return pods


def _pre(title: str, text: str) -> str:
    return (
        f"<div style='margin-top:0.6em'><b>{html.escape(title)}</b>"
        f"<pre style='font-size:12px;line-height:1.25;margin:0.2em 0'>{html.escape(text)}</pre></div>"
    )


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
        text += _pre("Events of the Pending pods (kubectl describe pod)", "\n".join(events))
    return text


def binpacking_explorer(
    *, pods: int = 200, nodes: int = 20, node_cpu: float = 8, node_memory: float = 32
) -> Explorer:
    """Place a workload on a node pool with the real scheduler and compare strategies.

    Bars: requested share of each node's allocatable CPU and memory. Beside them: nodes used
    against the lower bound, Pending pods with the scheduler's message, `kubectl get pods -o
    wide` and `kubectl describe node`. Defaults: 200 pods on 20 nodes of 8 cores / 32 GiB.
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
        "seed": slider(i, "seed", 0, 0, 20, 1),
        "yaml": widgets.Textarea(
            value=EXAMPLE_YAML,
            description="YAML",
            layout=widgets.Layout(width="40em", height="14em"),
        ),  # fmt: skip
    }

    def render(
        workload, pods, nodes, node_cpu, node_memory, strategy, balanced, describe, seed, yaml
    ):
        chosen = (
            _yaml_pods(yaml) if workload == YAML_CHOICE else make_workload(workload, pods, seed)
        )
        name, shape = STRATEGY_CHOICES[strategy]
        profile = Profile(
            strategy=name, shape=shape, balanced_allocation=BALANCED_CHOICES[balanced]
        )
        result = pack(chosen, node_pool(nodes, node_cpu, node_memory), profile, seed=seed)
        title = (
            f"{name}: {result.nodes_used} of {nodes} nodes used, "
            f"lower bound {max(result.lower_bounds.values())}, {len(result.pending)} Pending"
        )
        side = (
            _summary(result)
            + _pre("kubectl get pods -o wide", get_pods_wide(result))
            + _pre(
                f"kubectl describe node worker-{min(describe, nodes)}",
                describe_node(result, describe),
            )
        )
        return charts.binpacking_figure(result, title), side

    return Explorer(controls, render, title="Bin packing with kube-scheduler", controls_per_row=3)
