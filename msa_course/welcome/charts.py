"""The layer map: the stack as bars, the cloud service models as brackets beside it."""

from __future__ import annotations

import plotly.graph_objects as go

from msa_course.i18n import language, tr
from msa_course.ui import theme
from msa_course.welcome.layers import BRACKETS, GROUPS, LAYERS, SERVICE_MODELS, layer

GROUP_COLOURS = dict(
    zip(GROUPS, (theme.PALETTE["blue"], theme.PALETTE["orange"], theme.PALETTE["green"]))
)
BAR_THICKNESS = 0.92
BRACKET_X = (1.07, 1.2, 1.33)  # one column per service model, left of its label
TICK = 0.025  # how far a bracket's end ticks reach back towards the stack


def layer_map(selected: str = LAYERS[0].name) -> go.Figure:
    """Bottom to top as a system is built; colour = the source's group, outline = selected.

    Layer i fills y in [i, i + 1]. Each service model is a bracket from the bottom of the stack
    to where the provider stops running things for you (`Bracket.up_to`). Every trace carries
    the entry's name in `customdata`, so a click can select it.
    """
    chosen = layer(selected)
    fig = theme.figure(tr("The layers beneath a microservice system (click one)"), height=500)
    for group in GROUPS:
        members = [(i, x) for i, x in enumerate(LAYERS) if x.group == group]
        fig.add_bar(
            x=[1] * len(members),
            y=[i + 0.5 for i, _ in members],
            width=BAR_THICKNESS,
            orientation="h",
            name=tr(group),
            customdata=[x.name for _, x in members],
            marker_color=GROUP_COLOURS[group],
            marker_line_width=[5 if x == chosen else 0 for _, x in members],
            marker_line_color=theme.PALETTE["black"],
            text=[_bar_text(x) for _, x in members],
            textposition="inside",
            insidetextanchor="middle",
            hoverinfo="text",
            hovertext=[tr(x.contains) for _, x in members],
        )
    highlight = chosen == SERVICE_MODELS
    for bracket, x in zip(BRACKETS, BRACKET_X, strict=True):
        top, bottom = bracket.up_to - 0.04, 0.04
        fig.add_scatter(
            x=[x - TICK, x, x, x - TICK, None, x],
            y=[bottom, bottom, top, top, None, top],
            mode="lines+markers+text",
            line=dict(color=theme.PALETTE["black"], width=4 if highlight else 2),
            marker=dict(size=[0, 0, 0, 0, 0, 11], symbol="diamond", color=theme.PALETTE["black"]),
            text=["", "", "", "", "", f"<b>{bracket.model}</b>"],
            textposition="middle right",
            customdata=[SERVICE_MODELS.name] * 6,
            hoverinfo="text",
            hovertext=tr(
                "{model}: the provider runs {what}.",
                model=bracket.model,
                what=tr(bracket.provider_runs),
            ),
            showlegend=False,
        )
    fig.add_annotation(
        x=sum(BRACKET_X) / len(BRACKET_X) + 0.05,
        y=len(LAYERS) - 0.35,
        text=tr("cloud service models:<br>how far up the<br>provider runs it for you"),
        showarrow=False,
        font=dict(size=13, color=theme.PALETTE["black"]),
        bgcolor="rgba(255, 255, 255, 0.85)" if not highlight else "rgba(240, 228, 66, 0.5)",
    )
    fig.update_layout(
        showlegend=True,
        legend=dict(title_text=tr("group (in the source)"), y=-0.02, yanchor="top"),
        xaxis=dict(visible=False, range=[0, 1.55]),
        yaxis=dict(visible=False, range=[-0.05, len(LAYERS) + 0.05]),
    )
    return fig


def _bar_text(item) -> str:
    """The layer's name in both languages, and where it is taught."""
    if item.chapter:
        where = tr("→ chapter {number}", number=item.chapter[:2])
    else:
        where = tr("→ after this course")
    other = item.korean if language() == "en" else item.name
    return f"{tr(item.name)} · {other}  {where}"
