"""Figures for the virtualisation model: memory by stack layer, density and cold starts."""

from __future__ import annotations

import plotly.graph_objects as go

from msa_course.ui import theme
from msa_course.virtualization.density import Density
from msa_course.virtualization.stacks import Stack

LAYER_COLOURS = {
    "VMM process": theme.PALETTE["orange"],
    "guest OS": theme.PALETTE["vermillion"],
    "application": theme.PALETTE["green"],
}
KIND_COLOURS = {
    "vm": theme.PALETTE["vermillion"],
    "microvm": theme.PALETTE["orange"],
    "container": theme.PALETTE["blue"],
}


def stack_chart(stacks: list[Stack], instances: int, app_mib: float) -> go.Figure:
    """Stacked bars: memory each layer takes for `instances` copies of an app, per stack."""
    fig = theme.figure(
        f"Memory for {instances} instance{'s' if instances != 1 else ''} of a {app_mib:g} MiB app",
        "",
        "memory (MiB)",
    )
    names = [s.name for s in stacks]
    memory = [s.memory_mib(instances, app_mib) for s in stacks]
    for layer in LAYER_COLOURS:  # the layers that cost memory, bottom first
        fig.add_trace(
            go.Bar(
                name=layer,
                x=names,
                y=[m.get(layer, 0.0) for m in memory],
                marker_color=LAYER_COLOURS[layer],
                hovertemplate="%{x}<br>" + layer + ": %{y:,.0f} MiB<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    return fig


def density_chart(results: dict[str, Density], start_instances: int) -> go.Figure:
    """Two panels: instances per host, and seconds to cold-start `start_instances` of them."""
    titles = ("Instances that fit on the host", f"Cold start of {start_instances}")
    fig = theme.subplots(1, 2, titles, 440)
    fig.update_layout(showlegend=False)
    names = [d.isolation.name for d in results.values()]
    colours = [KIND_COLOURS.get(k, theme.PALETTE["grey"]) for k in results]
    counts = [d.instances for d in results.values()]
    limits = [
        f"{d.instances}<br>{d.limited_by.replace('cpu', 'CPU')} ran out" for d in results.values()
    ]
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
    fig.update_yaxes(title_text="instances", row=1, col=1)
    fig.update_yaxes(title_text="seconds (log scale)", type="log", dtick="D2", row=1, col=2)
    return fig
