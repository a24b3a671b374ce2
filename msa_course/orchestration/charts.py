"""Figures for chapter 03 (orchestration): model results in, plotly figures out."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from msa_course.i18n import N_, tr
from msa_course.orchestration.binpacking import PackResult
from msa_course.ui import theme


def binpacking_figure(result: PackResult, title: str) -> go.Figure:
    """Per node, the share of allocatable CPU and memory that bound pods request (%).

    Always two bar traces (CPU, memory), so an explorer can update them in place. Built as
    dicts (theme.from_dicts): the explorer redraws it on every control change.
    """
    sched = result.scheduler
    names = [n.name for n in sched.nodes]
    data = []
    pods = tr("pods")
    for resource, label, name, colour in (
        ("cpu", "CPU", N_("CPU requested"), "blue"),
        ("memory", tr("memory"), N_("memory requested"), "orange"),
    ):
        row = sched.resources.index(resource)
        data.append(
            dict(
                type="bar",
                x=names,
                y=100 * sched.requested[row] / sched.allocatable[row],
                name=tr(name),
                marker=dict(color=theme.PALETTE[colour]),
                customdata=sched.pod_count,
                hovertemplate=(
                    f"%{{x}}<br>{label}: %{{y:.0f}}%<br>{pods}: %{{customdata}}<extra></extra>"
                ),
            )
        )
    full = dict(type="line", xref="paper", x0=0, x1=1, y0=100, y1=100)
    layout = dict(
        height=440,
        title=dict(text=title),
        xaxis=dict(title=dict(text=tr("node"), standoff=12), tickangle=-45),
        yaxis=dict(title=dict(text=tr("requested / allocatable (%)")), range=[0, 105]),
        barmode="group",
        bargap=0.25,
        shapes=[dict(full, line=dict(dash="dash", color=theme.PALETTE["grey"]))],
        margin=dict(b=110),  # room for slanted node names below the bars, then the axis title
    )
    theme.register()
    return theme.from_dicts(data, layout)


# --- Self-healing and autoscaling timelines (issue 6) ------------------------------------------
# They read a Cluster's `history` (cluster.Sample, one per change) and draw steps: the state
# between two events is constant.


def _title_and_legend_on_top(layout: dict, title: str, legend_rows: int) -> None:
    """Title, then the legend, then the first subplot's title, each in its own band.

    The theme's legend sits just above the plot area, where a subplot's title also goes; in
    a multi-panel figure they overlap. Placing both in container coordinates keeps them apart.
    """
    height = layout["height"]
    legend_top = 48
    layout["title"] = dict(text=title, yref="container", y=1 - 12 / height, yanchor="top")
    layout["legend"] = dict(yref="container", y=1 - legend_top / height, yanchor="top")
    layout["margin"] = dict(t=legend_top + 28 * legend_rows + 34)


def _log_ticks(low: float, high: float) -> list[float]:
    """Round ticks between low and high for a log axis in a ~160 px panel: 1-2-5 per decade
    over about one decade, 1-3 up to two and a half, then one a decade, so that no two labels
    touch (1-2-5 over two decades put 50 on 100)."""
    decades = math.log10(high / low)
    marks = (1, 2, 5) if decades <= 1.2 else (1, 3) if decades <= 2.5 else (1,)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    every = (m * 10**e for e in range(first, last + 1) for m in marks)
    return [t for t in every if low <= t <= high]


def _line(axes: tuple[str, str], x, y, name: str, **props) -> dict:
    """A scatter trace on the subplot whose axis references are `axes`."""
    return dict(type="scatter", x=x, y=y, name=name, xaxis=axes[0], yaxis=axes[1], **props)


def _timeline_step(axes, x, y, name, color, dash=None, width=3, axis_end=None) -> dict:
    if axis_end is not None and x and x[-1] < axis_end:
        x, y = [*x, axis_end], [*y, y[-1]]
    line = dict(color=color, width=width, shape="hv", **({"dash": dash} if dash else {}))
    return _line(axes, x, y, name, mode="lines", line=line)


# Both timelines are built as dicts on theme.subplot_layout and validated once, in one
# go.Figure: explorers redraw them on every control change (issue 19).


def self_healing_chart(
    history: list,
    faults: list | tuple = (),
    *,
    end: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """Top: desired vs Ready pods; bottom: container restarts and pods in CrashLoopBackOff.

    `faults` are (time in s, label) markers drawn as vertical lines on both panels (the label
    in English, shown through `tr()`).
    """
    title = tr("Self-healing: desired and ready pods") if title is None else title
    layout, cells = theme.subplot_layout(
        rows=2,
        titles=(tr("pods"), tr("restarts and back-off")),
        height=560,
        shared_xaxes=True,
        vertical_spacing=0.12,
    )
    (top_axes,), (low_axes,) = cells
    minutes = [s.time / 60 for s in history]
    end_min = None if end is None else end / 60
    grey, green = theme.PALETTE["grey"], theme.PALETTE["green"]
    red, orange = theme.PALETTE["vermillion"], theme.PALETTE["orange"]
    data = [
        _timeline_step(
            top_axes, minutes, [s.desired for s in history], tr("desired"), grey, "dash", 3, end_min
        ),
        _timeline_step(
            top_axes, minutes, [s.ready for s in history], tr("Ready"), green, None, 3, end_min
        ),
        _timeline_step(
            low_axes,
            minutes,
            [s.restarts for s in history],
            tr("restarts (total)"),
            red,
            None,
            3,
            end_min,
        ),
        _timeline_step(
            low_axes,
            minutes,
            [s.waiting for s in history],
            tr("in CrashLoopBackOff"),
            orange,
            "dot",
            3,
            end_min,
        ),
    ]
    top = max([s.desired for s in history] + [1]) + 1
    high = max([s.restarts for s in history] + [1])
    xs = [x for t, _ in faults for x in (t / 60, t / 60, None)]
    for axes, y in ((top_axes, top), (low_axes, high)):
        data.append(
            dict(
                type="scatter",
                x=xs,
                y=[v for _ in faults for v in (0, y, None)],
                mode="lines",
                line=dict(color=theme.PALETTE["blue"], width=1, dash="dot"),
                hoverinfo="skip",
                showlegend=False,
                xaxis=axes[0],
                yaxis=axes[1],
            )
        )
    data.append(
        dict(
            type="scatter",
            x=[t / 60 for t, _ in faults],
            y=[top] * len(faults),
            mode="text",
            text=[tr(label) for _, label in faults],
            textposition="top right",
            textfont=dict(size=12, color=theme.PALETTE["blue"]),
            name=tr("faults"),
            showlegend=False,
            xaxis=top_axes[0],
            yaxis=top_axes[1],
        )
    )
    _title_and_legend_on_top(layout, title, legend_rows=1)
    # whole-number ticks: pods and restarts are counts
    layout[theme.axis_key(top_axes[1])].update(
        title=dict(text=tr("pods")), range=[0, top + 1], dtick=max(1, (top + 1) // 6)
    )
    layout[theme.axis_key(low_axes[1])].update(
        title=dict(text=tr("count")), range=[0, high * 1.1], dtick=max(1, round(high / 5))
    )
    layout[theme.axis_key(low_axes[0])]["title"] = dict(text=tr("simulated time (minutes)"))
    if end_min is not None:
        for axes in (top_axes, low_axes):
            layout[theme.axis_key(axes[0])]["range"] = [0, end_min]
    return theme.from_dicts(data, layout)


def autoscaling_chart(
    times: list,
    needed: list,
    replicas: list,
    ready: list,
    utilization: list,
    latency_ms: list,
    *,
    target: int,
    max_replicas: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """Three panels over time (minutes): replicas against the pods the load needs at the
    target (load / (target x request)) and the HPA's maxReplicas ceiling; per-pod CPU as % of
    its request against the target; mean response time from the queueing model."""
    title = tr("Horizontal scaling: load, replicas, CPU and latency") if title is None else title
    layout, cells = theme.subplot_layout(
        rows=3,
        titles=(tr("pods"), tr("CPU per pod (% of its request)"), tr("mean latency (M/M/1 model)")),
        height=680,
        shared_xaxes=True,
        vertical_spacing=0.08,
    )
    (pods,), (cpu,), (lat,) = cells
    minutes = [t / 60 for t in times]
    ends = [minutes[0], minutes[-1]]
    colour = theme.PALETTE
    data = [
        _line(
            pods,
            minutes,
            needed,
            tr("pods needed"),
            line=dict(color=colour["grey"], width=2),
            fill="tozeroy",
            fillcolor="rgba(153,153,153,0.2)",
        ),
        _line(
            pods,
            minutes,
            replicas,
            tr("replicas (HPA)"),
            line=dict(color=colour["blue"], width=3, shape="hv"),
        ),
        _line(
            pods,
            minutes,
            ready,
            tr("Ready pods"),
            line=dict(color=colour["green"], width=2, dash="dot", shape="hv"),
        ),
    ]
    if max_replicas is not None:
        data.append(
            _line(
                pods,
                ends,
                [max_replicas, max_replicas],
                tr("maxReplicas ({count})", count=max_replicas),
                mode="lines",
                line=dict(color=colour["black"], dash="dot", width=1.5),
            )
        )
    data += [
        _line(
            cpu, minutes, utilization, tr("CPU per pod"), line=dict(color=colour["orange"], width=3)
        ),
        _line(
            cpu,
            ends,
            [target, target],
            tr("HPA target ({target}%)", target=target),
            mode="lines",
            line=dict(color=colour["vermillion"], dash="dash", width=2),
        ),
        _line(
            lat, minutes, latency_ms, tr("mean latency"), line=dict(color=colour["purple"], width=3)
        ),
    ]
    _title_and_legend_on_top(layout, title, legend_rows=3)  # 3 rows in a notebook-wide figure
    layout[theme.axis_key(pods[1])].update(title=dict(text=tr("pods")), rangemode="tozero")
    layout[theme.axis_key(cpu[1])].update(title=dict(text=tr("% of request")), rangemode="tozero")
    shown = [v for v in latency_ms if v is not None]
    if shown and max(shown) > 10 * min(shown):  # an overload: seconds next to milliseconds
        ticks = _log_ticks(min(shown), max(shown))
        latency_axis = dict(type="log", tickvals=ticks, ticktext=ticks)
    else:
        latency_axis = dict(type="linear", rangemode="tozero")
    layout[theme.axis_key(lat[1])].update(latency_axis, title=dict(text="ms"))
    layout[theme.axis_key(lat[0])]["title"] = dict(text=tr("simulated time (minutes)"))
    return theme.from_dicts(data, layout)
