"""Figures for chapter 03 (orchestration): model results in, plotly figures out."""

from __future__ import annotations

import plotly.graph_objects as go

from msa_course.orchestration.binpacking import PackResult
from msa_course.ui import theme


def binpacking_figure(result: PackResult, title: str) -> go.Figure:
    """Per node, the share of allocatable CPU and memory that bound pods request (%).

    Always two bar traces (CPU, memory), so an explorer can update them in place.
    """
    sched = result.scheduler
    names = [n.name for n in sched.nodes]
    fig = theme.figure(title, "node", "requested / allocatable (%)", height=440)
    bars = []
    for resource, label, colour in (("cpu", "CPU", "blue"), ("memory", "memory", "orange")):
        row = sched.resources.index(resource)
        bars.append(
            go.Bar(
                x=names,
                y=100 * sched.requested[row] / sched.allocatable[row],
                name=f"{label} requested",
                marker_color=theme.PALETTE[colour],
                customdata=sched.pod_count,
                hovertemplate=f"%{{x}}<br>{label}: %{{y:.0f}}%<br>pods: %{{customdata}}<extra></extra>",
            )
        )
    fig.add_traces(bars)
    full = dict(type="line", xref="paper", x0=0, x1=1, y0=100, y1=100, line_dash="dash")
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        yaxis_range=[0, 105],
        shapes=[dict(full, line_color=theme.PALETTE["grey"])],
        margin=dict(b=110),  # room for slanted node names below the bars, then the axis title
    )
    fig.update_xaxes(tickangle=-45, title_standoff=12)
    return fig


# --- Self-healing and autoscaling timelines (issue 6) ------------------------------------------
# They read a Cluster's `history` (cluster.Sample, one per change) and draw steps: the state
# between two events is constant.


def _title_and_legend_on_top(fig: go.Figure, title: str, legend_rows: int) -> None:
    """Title, then the legend, then the first subplot's title, each in its own band.

    The theme's legend sits just above the plot area, where a subplot's title also goes; in
    a multi-panel figure they overlap. Placing both in container coordinates keeps them apart.
    """
    height = fig.layout.height
    legend_top = 48
    fig.update_layout(
        title=dict(text=title, yref="container", y=1 - 12 / height, yanchor="top"),
        legend=dict(yref="container", y=1 - legend_top / height, yanchor="top"),
        margin=dict(t=legend_top + 28 * legend_rows + 34),
    )


def _timeline_step(fig, x, y, name, color, row, dash=None, width=3, axis_end=None):
    if axis_end is not None and x and x[-1] < axis_end:
        x, y = [*x, axis_end], [*y, y[-1]]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            name=name,
            mode="lines",
            line=dict(color=color, width=width, dash=dash),
            line_shape="hv",
        ),
        row=row,
        col=1,
    )


def self_healing_chart(
    history: list,
    faults: list | tuple = (),
    *,
    end: float | None = None,
    title: str = "Self-healing: desired and ready pods",
) -> go.Figure:
    """Top: desired vs Ready pods; bottom: container restarts and pods in CrashLoopBackOff.

    `faults` are (time in s, label) markers drawn as vertical lines on both panels.
    """
    fig = theme.subplots(
        rows=2,
        titles=("pods", "restarts and back-off"),
        height=560,
        shared_xaxes=True,
        vertical_spacing=0.12,
    )
    minutes = [s.time / 60 for s in history]
    end_min = None if end is None else end / 60
    _timeline_step(
        fig,
        minutes,
        [s.desired for s in history],
        "desired",
        theme.PALETTE["grey"],
        1,
        "dash",
        3,
        end_min,
    )
    _timeline_step(
        fig,
        minutes,
        [s.ready for s in history],
        "Ready",
        theme.PALETTE["green"],
        1,
        None,
        3,
        end_min,
    )
    _timeline_step(
        fig,
        minutes,
        [s.restarts for s in history],
        "restarts (total)",
        theme.PALETTE["vermillion"],
        2,
        None,
        3,
        end_min,
    )
    _timeline_step(
        fig,
        minutes,
        [s.waiting for s in history],
        "in CrashLoopBackOff",
        theme.PALETTE["orange"],
        2,
        "dot",
        3,
        end_min,
    )
    top = max([s.desired for s in history] + [1]) + 1
    high = max([s.restarts for s in history] + [1])
    xs = [x for t, _ in faults for x in (t / 60, t / 60, None)]
    for row, y in ((1, top), (2, high)):
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[v for _ in faults for v in (0, y, None)],
                mode="lines",
                line=dict(color=theme.PALETTE["blue"], width=1, dash="dot"),
                hoverinfo="skip",
                showlegend=False,
            ),
            row=row,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=[t / 60 for t, _ in faults],
            y=[top] * len(faults),
            mode="text",
            text=[label for _, label in faults],
            textposition="top right",
            textfont=dict(size=12, color=theme.PALETTE["blue"]),
            name="faults",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    _title_and_legend_on_top(fig, title, legend_rows=1)
    # whole-number ticks: pods and restarts are counts
    fig.update_yaxes(
        title_text="pods", range=[0, top + 1], dtick=max(1, (top + 1) // 6), row=1, col=1
    )
    fig.update_yaxes(
        title_text="count", range=[0, high * 1.1], dtick=max(1, round(high / 5)), row=2, col=1
    )
    fig.update_xaxes(title_text="simulated time (minutes)", row=2, col=1)
    if end_min is not None:
        fig.update_xaxes(range=[0, end_min])
    return fig


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
    title: str = "Horizontal scaling: load, replicas, CPU and latency",
) -> go.Figure:
    """Three panels over time (minutes): replicas against the pods the load needs at the
    target (load / (target x request)) and the HPA's maxReplicas ceiling; per-pod CPU as % of
    its request against the target; mean response time from the queueing model."""
    fig = theme.subplots(
        rows=3,
        titles=("pods", "CPU per pod (% of its request)", "mean latency (M/M/1 model)"),
        height=680,
        shared_xaxes=True,
        vertical_spacing=0.08,
    )
    minutes = [t / 60 for t in times]
    fig.add_trace(
        go.Scatter(
            x=minutes,
            y=needed,
            name="pods needed",
            line=dict(color=theme.PALETTE["grey"], width=2),
            fill="tozeroy",
            fillcolor="rgba(153,153,153,0.2)",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=minutes,
            y=replicas,
            name="replicas (HPA)",
            line_shape="hv",
            line=dict(color=theme.PALETTE["blue"], width=3),
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=minutes,
            y=ready,
            name="Ready pods",
            line_shape="hv",
            line=dict(color=theme.PALETTE["green"], width=2, dash="dot"),
        ),
        row=1,
        col=1,
    )
    if max_replicas is not None:
        fig.add_trace(
            go.Scatter(
                x=[minutes[0], minutes[-1]],
                y=[max_replicas, max_replicas],
                mode="lines",
                name=f"maxReplicas ({max_replicas})",
                line=dict(color=theme.PALETTE["black"], dash="dot", width=1.5),
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=minutes,
            y=utilization,
            name="CPU per pod",
            line=dict(color=theme.PALETTE["orange"], width=3),
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[minutes[0], minutes[-1]],
            y=[target, target],
            mode="lines",
            name=f"HPA target ({target}%)",
            line=dict(color=theme.PALETTE["vermillion"], dash="dash", width=2),
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=minutes,
            y=latency_ms,
            name="mean latency",
            line=dict(color=theme.PALETTE["purple"], width=3),
        ),
        row=3,
        col=1,
    )
    _title_and_legend_on_top(fig, title, legend_rows=3)  # 3 rows in a notebook-wide figure
    fig.update_yaxes(title_text="pods", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="% of request", rangemode="tozero", row=2, col=1)
    shown = [v for v in latency_ms if v is not None]
    if shown and max(shown) > 10 * min(shown):  # an overload: seconds next to milliseconds
        ticks = [10, 20, 50, 100, 200, 500, 1000, 2000]
        fig.update_yaxes(type="log", tickvals=ticks, ticktext=ticks, row=3, col=1)
    else:
        fig.update_yaxes(type="linear", rangemode="tozero", row=3, col=1)
    fig.update_yaxes(title_text="ms", row=3, col=1)
    fig.update_xaxes(title_text="simulated time (minutes)", row=3, col=1)
    return fig
