"""Figures for the virtualisation model: memory by stack layer, density and cold starts."""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go

from msa_course.i18n import N_, tr, wrap
from msa_course.ui import theme
from msa_course.virtualization.density import Density
from msa_course.virtualization.stacks import Stack

LAYER_COLOURS = {  # bottom first: what the host pays once, then what each instance pays
    "host OS": theme.PALETTE["grey"],
    "hypervisor": theme.PALETTE["purple"],
    "container engine": theme.PALETTE["sky"],
    "VMM process": theme.PALETTE["orange"],
    "guest OS": theme.PALETTE["vermillion"],
    "application": theme.PALETTE["green"],
}
PER_HOST = ("host OS", "hypervisor", "container engine")
KIND_COLOURS = {
    "vm": theme.PALETTE["vermillion"],
    "microvm": theme.PALETTE["orange"],
    "container": theme.PALETTE["blue"],
}


def stack_chart(stacks: list[Stack], instances: int, app_mib: float) -> go.Figure:
    """Stacked bars: memory each layer takes for `instances` copies of an app, per stack."""
    if instances == 1:
        title = tr("Memory for 1 instance of a {app:g} MiB app", app=app_mib)
    else:
        title = tr(
            "Memory for {count} instances of a {app:g} MiB app", count=instances, app=app_mib
        )
    fig = theme.figure(title, "", tr("memory (MiB)"))
    names = [tr(s.name) for s in stacks]
    memory = [s.memory_mib(instances, app_mib) for s in stacks]
    for layer in LAYER_COLOURS:  # the layers that cost memory, bottom first
        paid = tr("once per host") if layer in PER_HOST else tr("per instance")
        name = f"{tr(layer)} ({paid})"
        fig.add_trace(
            go.Bar(
                name=name,
                x=names,
                y=[m.get(layer, 0.0) for m in memory],
                marker_color=LAYER_COLOURS[layer],
                marker_pattern_shape="/" if layer in PER_HOST else "",
                hovertemplate="%{x}<br>" + name + ": %{y:,.0f} MiB<extra></extra>",
            )
        )
    fig.update_yaxes(tickformat=",", automargin=True)
    # the stack names wrap: they stay level and whole on a narrow page
    fig.update_xaxes(tickvals=names, ticktext=[_wrap(n, 20) for n in names], tickangle=0)
    fig.update_layout(
        barmode="stack",  # the legend reads top-down like the bars, beside the plot
        legend=dict(orientation="v", traceorder="reversed", x=1.02, y=1, yanchor="top"),
        margin=dict(r=20, t=70),
    )
    return fig


def _wrap(text: str, columns: int) -> str:
    """`i18n.wrap`, breaking before a parenthesis too: "VM(Firecracker)" breaks as well."""
    return wrap(re.sub(r"(?<=\S)\(", " (", text), columns)


def density_chart(results: dict[str, Density], start_instances: int) -> go.Figure:
    """Two panels: instances per host, and seconds to cold-start `start_instances` of them."""
    titles = (
        tr("Instances that fit on the host"),
        tr("Cold start of {count}", count=start_instances),
    )
    fig = theme.subplots(1, 2, titles, 440)
    fig.update_layout(showlegend=False)
    names = [tr(d.isolation.name) for d in results.values()]
    colours = [KIND_COLOURS.get(k, theme.PALETTE["grey"]) for k in results]
    counts = [d.instances for d in results.values()]
    limits = [f"{d.instances}<br>{tr(RAN_OUT[d.limited_by])}" for d in results.values()]
    fig.add_trace(
        go.Bar(
            x=names,
            y=counts,
            marker_color=colours,
            text=limits,
            textposition="auto",
            textangle=0,
            insidetextanchor="middle",
        ),
        1,
        1,
    )
    starts = [d.cold_start_s(start_instances) for d in results.values()]
    fig.add_trace(
        go.Bar(
            x=names,
            y=starts,
            marker_color=colours,
            text=[f"{s:.2f} s" if s < 10 else f"{s:.0f} s" for s in starts],
            textposition="auto",
        ),
        1,
        2,
    )
    # level and whole: "microVM (Firecracker)" on two lines, not turned and cut off
    fig.update_xaxes(tickvals=names, ticktext=[_wrap(n, 12) for n in names], tickangle=0)
    fig.update_yaxes(title_text=tr("instances"), row=1, col=1)
    fig.update_yaxes(
        title_text=tr("seconds (log scale)"),
        type="log",
        # from 0.05 s, below every start time: a log axis fitted to the bars would start near
        # the shortest one and draw it as almost nothing
        range=[math.log10(0.05), math.log10(max(max(starts), 0.1) * 2)],
        tickvals=LOG_TICKS,
        ticktext=[f"{t:g}" for t in LOG_TICKS],
        row=1,
        col=2,
    )
    return fig


RAN_OUT = {
    "cpu": N_("CPU ran out"),
    "memory": N_("memory ran out"),
    "cpu and memory": N_("CPU and memory ran out"),
}
# 1-2-5 steps, labelled in full: a log axis with bare "2" and "5" ticks reads as linear.
LOG_TICKS = [m * 10.0**e for e in range(-2, 4) for m in (1, 2, 5)]


def boxes_chart(columns: dict[str, list[tuple]], title: str, height: int = 460) -> go.Figure:
    """Columns of labelled boxes stacked bottom first: {column: [(label, colour), ...]}; a box
    may carry a third item, its height in boxes (default 1)."""
    fig = theme.figure(title, height=height)
    levels = max(len(boxes) for boxes in columns.values())
    names = list(columns)
    for level in range(levels):
        here = [
            boxes[level] if level < len(boxes) else ("", "white", 0) for boxes in columns.values()
        ]
        fig.add_trace(
            go.Bar(
                x=names,
                y=[box[2] if len(box) > 2 else 1 for box in here],
                text=[box[0] for box in here],
                marker=dict(color=[box[1] for box in here], line=dict(color="white", width=3)),
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                textfont=dict(color=[_ink(box[1]) for box in here]),
                hoverinfo="text",
                showlegend=False,
            )
        )
    fig.update_layout(barmode="stack", bargap=0.15, uniformtext=dict(minsize=12, mode="show"))
    fig.update_yaxes(visible=False)
    fig.update_xaxes(showgrid=False, ticks="", side="top")
    return fig


def _ink(colour: str) -> str:
    """Black text on light boxes, white on dark ones."""
    dark = {theme.PALETTE[k] for k in ("blue", "vermillion", "green", "purple", "black")}
    return "white" if colour in dark else "black"


PLATFORM_COLOURS = {
    "hardware": theme.PALETTE["grey"],
    "kernel": theme.PALETTE["blue"],
    "hypervisor": theme.PALETTE["purple"],
    "engine": theme.PALETTE["sky"],
    "emulator": theme.PALETTE["orange"],
    "container": theme.PALETTE["green"],
    "no": theme.PALETTE["vermillion"],
}


def platform_chart(machine: str, image: str, verdict) -> go.Figure:
    """The stack an image runs on, from the hardware up; red when it cannot run."""
    boxes = []
    for layer in verdict.stack:
        kind = next(
            (k for k in ("hardware", "kernel", "hypervisor", "engine", "emulator") if k in layer),
            "container",
        )
        boxes.append((tr(layer), PLATFORM_COLOURS[kind]))
    if not verdict.runs:
        boxes.append((tr("{image}: cannot run here", image=tr(image)), PLATFORM_COLOURS["no"]))
    title = tr("{image}: {how}", image=tr(image), how=tr(verdict.how))
    return boxes_chart({tr(machine): boxes}, title, height=520)


def image_picture() -> go.Figure:
    """The source's picture of a Docker image (base image, OS, runtime, application, bottom
    first), beside the same layers in a real image, above the host's kernel it runs on."""
    p = theme.PALETTE
    source = [
        (tr("host kernel (not in the image)"), p["blue"]),
        (tr("base image (기반 이미지)"), p["grey"]),
        (tr("operating system (운영체제)"), p["sky"]),
        (tr("runtime (런타임)"), p["orange"]),
        (tr("application (애플리케이션)"), p["green"]),
        (tr("writable layer (each container)"), "#dddddd"),
    ]
    real = [
        (tr("host kernel: every container shares it"), p["blue"]),
        (
            tr(
                "FROM python:3.12-slim brings the bottom layers:<br>Debian's files (no kernel) "
                "and Python 3.12"
            ),
            p["sky"],
            3,
        ),  # fmt: skip
        (tr("COPY, RUN pip install: your code"), p["green"]),
        (tr("files the container writes"), "#dddddd"),
    ]
    return boxes_chart(
        {tr("The source's picture"): source, tr("A real image, python:3.12-slim"): real},
        tr("A Docker image is a stack of layers, bottom first"),
        height=480,
    )


def cgroup_chart(
    cpus: float,
    busy_threads: float,
    limit_mib: float,
    start_mib: float,
    growth: float,
    timeline,
    oom_minute,
) -> go.Figure:
    """Two panels: cores in use under cpu.max (throttling), memory against memory.max (OOM)."""
    t, used = timeline
    if busy_threads == 1:
        cpu_title = tr("CPU: --cpus {cpus:g}, 1 busy thread", cpus=cpus)
    else:
        cpu_title = tr(
            "CPU: --cpus {cpus:g}, {threads:g} busy threads", cpus=cpus, threads=busy_threads
        )
    memory_title = tr("Memory: --memory {limit:g}m", limit=limit_mib)
    fig = theme.subplots(1, 2, (cpu_title, memory_title), 440)
    fig.add_trace(
        go.Scatter(x=t, y=used, mode="lines", line_shape="hv", fill="tozeroy",
                   line_color=theme.PALETTE["blue"], name=tr("cores in use")), 1, 1)  # fmt: skip
    fig.add_trace(
        go.Scatter(x=[t[0], t[-1]], y=[cpus, cpus], mode="lines",
                   name=tr("--cpus (average allowed)"),
                   line=dict(color=theme.PALETTE["vermillion"], dash="dash")), 1, 1)  # fmt: skip
    end = 10.0 if oom_minute is None else min(10.0, oom_minute)
    minutes = [0.0, end]
    fig.add_trace(
        go.Scatter(x=minutes, y=[start_mib, start_mib + growth * end], mode="lines",
                   line_color=theme.PALETTE["green"], name=tr("memory in use")), 1, 2)  # fmt: skip
    fig.add_trace(
        go.Scatter(x=[0, 10], y=[limit_mib, limit_mib], mode="lines", name="memory.max",
                   line=dict(color=theme.PALETTE["vermillion"], dash="dash")), 1, 2)  # fmt: skip
    if oom_minute is not None and oom_minute <= 10:
        fig.add_trace(
            go.Scatter(x=[oom_minute], y=[limit_mib], mode="markers", cliponaxis=False,
                       marker=dict(symbol="x", size=16, color=theme.PALETTE["black"]),
                       name=tr("OOM kill")), 1, 2)  # fmt: skip
        # the words in the panel's lower right, which the rising line never reaches (it
        # starts at start_mib), with an arrow to the mark: beside the mark they sat on the line
        fig.add_annotation(
            x=oom_minute, y=limit_mib, ax=9.8, ay=limit_mib * 0.4, axref="x2", ayref="y2",
            xanchor="right", align="right", showarrow=True, arrowhead=0, standoff=12,
            text=tr("OOM-killed at {minute:.1f} min<br>(exit code 137)", minute=oom_minute),
            row=1, col=2,
        )  # fmt: skip
    fig.update_xaxes(title_text=tr("time (ms)"), row=1, col=1)
    fig.update_yaxes(title_text=tr("cores"), rangemode="tozero", row=1, col=1)
    fig.update_xaxes(title_text=tr("time (minutes)"), range=[0, 10], row=1, col=2)
    fig.update_yaxes(title_text=tr("memory (MiB)"), rangemode="tozero", row=1, col=2)
    fig.update_layout(showlegend=False)
    return fig
