"""The layer map as a stacked diagram: one bar per layer, the chosen one highlighted."""

from __future__ import annotations

import plotly.graph_objects as go

from msa_course.ui import theme
from msa_course.welcome.layers import GROUPS, LAYERS, layer

GROUP_COLOURS = dict(
    zip(GROUPS, (theme.PALETTE["blue"], theme.PALETTE["orange"], theme.PALETTE["green"]))
)


def layer_map(selected: str = LAYERS[0].name) -> go.Figure:
    """Bottom to top as a system is built; colour = the source's group, outline = selected."""
    chosen = layer(selected)
    fig = theme.figure("The layers beneath a microservice system (click one)", height=480)
    for group in GROUPS:
        members = [x for x in LAYERS if x.group == group]
        fig.add_bar(
            x=[1] * len(members),
            y=[x.name for x in members],
            orientation="h",
            name=group,
            marker_color=GROUP_COLOURS[group],
            marker_line_width=[5 if x == chosen else 0 for x in members],
            marker_line_color=theme.PALETTE["black"],
            opacity=1.0,
            text=[
                f"{x.name} · {x.korean}"
                + (f"  → chapter {x.chapter[:2]}" if x.chapter else "  → next course")
                for x in members
            ],
            textposition="inside",
            insidetextanchor="middle",
            hoverinfo="text",
            hovertext=[x.contains for x in members],
        )
    fig.update_layout(
        barmode="stack",
        showlegend=True,
        legend=dict(title_text="group (in the source)", y=-0.02, yanchor="top"),
        bargap=0.08,
        xaxis=dict(visible=False, range=[0, 1]),
        yaxis=dict(
            categoryorder="array",
            categoryarray=[x.name for x in LAYERS],
            showticklabels=False,
            ticks="",
            title_text="",
        ),
    )
    return fig
