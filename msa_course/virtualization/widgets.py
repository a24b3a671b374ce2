"""Explorers for chapter 02's first half: the stacks, and density with start-up time."""

from __future__ import annotations

import html

import ipywidgets as widgets

from msa_course.ui.explorer import Explorer
from msa_course.virtualization import charts
from msa_course.virtualization.density import Host, Service, compare
from msa_course.virtualization.stacks import ISOLATIONS, STACKS

_SLIDER = dict(continuous_update=False, style={"description_width": "initial"})


def stack_explorer(instances: int = 4, app_mib: int = 256) -> Explorer:
    """Toggle the three stacks; see each one's layers and what it costs for N instances."""
    controls = {key: widgets.Checkbox(value=True, description=s.name) for key, s in STACKS.items()}
    controls["instances"] = widgets.IntSlider(instances, 1, 32, description="instances", **_SLIDER)
    controls["app_mib"] = widgets.IntSlider(
        app_mib, 32, 2048, step=32, description="app memory (MiB)", **_SLIDER
    )

    def render(instances, app_mib, **shown):
        chosen = [STACKS[k] for k, on in shown.items() if on]
        if not chosen:
            raise ValueError("tick at least one stack to compare")
        return charts.stack_chart(chosen, instances, app_mib), _stack_table(chosen, instances)

    return Explorer(controls, render, title="Three stacks: hypervisors and containers")


def _stack_table(stacks, instances: int) -> str:
    parts = []
    for stack in stacks:
        rows = "".join(
            f"<tr><td>{html.escape(x.name)}</td><td>{html.escape(x.examples)}</td>"
            f"<td>{'×' + str(instances) if x.per_instance else 'once per host'}</td>"
            f"<td>{x.memory_mib:g} MiB</td><td>{html.escape(x.note)}</td></tr>"
            for x in reversed(stack.layers)
            if x.name != "application"
        )
        iso = ISOLATIONS[stack.isolation]
        notes = "".join(f"<br><i>{html.escape(n)}</i>" for n in stack.notes)
        parts.append(
            f"<h4>{html.escape(stack.name)}</h4><p>{html.escape(stack.summary)} "
            f"({html.escape(stack.products)}). Start-up: {html.escape(iso.start.label())}.{notes}"
            "</p><table><tr><th>layer (top first)</th><th>examples</th><th>paid</th>"
            f"<th>memory each</th><th>source</th></tr>{rows}</table>"
        )
    return "".join(parts)


def density_explorer(
    cores: int = 16, memory_gib: int = 64, cpu: float = 0.5, memory_mib: int = 1024
) -> Explorer:
    """Host and service sliders -> instances per host and cold-start time, VM vs microVM vs
    container, with which resource ran out first."""
    controls = {
        "cores": widgets.IntSlider(cores, 1, 128, description="host cores", **_SLIDER),
        "memory_gib": widgets.IntSlider(
            memory_gib, 1, 512, description="host memory (GiB)", **_SLIDER
        ),
        "cpu": widgets.FloatSlider(
            cpu, min=0.05, max=8, step=0.05, description="service CPU (cores)", **_SLIDER
        ),
        "memory_mib": widgets.IntSlider(
            memory_mib, 16, 16384, step=16, description="service memory (MiB)", **_SLIDER
        ),
        "guest_os_mib": widgets.IntSlider(
            int(ISOLATIONS["vm"].guest_os_mib.value),
            0,
            4096,
            step=32,
            description="full VM guest OS (MiB)",
            **_SLIDER,
        ),
        "start": widgets.IntSlider(100, 1, 1000, description="instances to cold-start", **_SLIDER),
    }

    def render(cores, memory_gib, cpu, memory_mib, guest_os_mib, start):
        isolations = dict(ISOLATIONS)
        isolations["vm"] = ISOLATIONS["vm"].with_changes(guest_os_mib=guest_os_mib)
        results = compare(Host(cores, memory_gib), Service("service", cpu, memory_mib), isolations)
        side = "".join(
            f"<p><b>{html.escape(d.isolation.name)}</b>: {html.escape(d.explain())} "
            f"Starting {start}: {d.cold_start_s(start):.2f} s "
            f"({html.escape(d.isolation.start.label())}).</p>"
            for d in results.values()
        )
        return charts.density_chart(results, start), side

    return Explorer(controls, render, title="How many fit, and how fast they start")
