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
    for resource, label, colour in (("cpu", "CPU", "blue"), ("memory", "memory", "orange")):
        row = sched.resources.index(resource)
        share = 100 * sched.requested[row] / sched.allocatable[row]
        fig.add_trace(
            go.Bar(
                x=names,
                y=share,
                name=f"{label} requested",
                marker_color=theme.PALETTE[colour],
                customdata=sched.pod_count,
                hovertemplate=f"%{{x}}<br>{label}: %{{y:.0f}}%<br>pods: %{{customdata}}<extra></extra>",
            )
        )
    fig.add_hline(y=100, line_dash="dash", line_color=theme.PALETTE["grey"])
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(range=[0, 105])
    return fig
