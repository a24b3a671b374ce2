"""Figures for images: the layer stack with cache hits and rebuilds, sharing, and parity."""

from __future__ import annotations

import plotly.graph_objects as go

from msa_course.i18n import N_, tr
from msa_course.images.cache import Step
from msa_course.images.parity import COMPONENTS, STRATEGIES, Parity
from msa_course.images.sharing import Sharing
from msa_course.ui import theme

STATUS_COLOURS = {
    "hit": theme.PALETTE["green"],
    "miss": theme.PALETTE["vermillion"],
    "no step": theme.PALETTE["sky"],
    "skipped": theme.PALETTE["grey"],
}
STATUS_NAMES = {
    "hit": N_("cache hit"),
    "miss": N_("cache miss: runs again"),
    "no step": N_("no build step (configuration only)"),
    "skipped": N_("skipped (stage not built)"),
}
DIGEST_COLUMN = N_("image digest")  # the parity chart's last column: red when it differs from dev
PARITY_KEY = {  # cell value -> (colour, legend entry)
    0: (theme.PALETTE["green"], N_("same as dev")),
    1: (theme.PALETTE["vermillion"], N_("differs from dev")),
    2: (theme.PALETTE["grey"], N_("no image, so no digest")),
}
MIN_WIDTH_MB = 0.01  # tiny and metadata-only steps are drawn as a sliver so they show


def step_label(step: Step) -> str:
    text = step.layer.created_by
    text = text if len(text) <= 40 else text[:39] + "…"
    return f"{step.layer.line:>3}  {text}"


def layer_chart(panels: list[tuple[str, list[Step]]]) -> go.Figure:
    """One panel per (title, steps), stacked vertically so each gets the full width for its
    instruction labels: every instruction bottom-up, bar length = layer size (MB), colour =
    its cache status (STATUS_COLOURS); hatched bars change only the configuration.

    Built as dicts and validated once by the explorer's widget (theme.from_dicts): the
    explorer redraws it on every control change."""
    per_panel = [max(6, len(steps)) * 30 + 90 for _, steps in panels]
    height = max(420, sum(per_panel) + 60)
    titles = tuple(t for t, _ in panels)
    layout, cells = theme.subplot_layout(
        len(panels), 1, titles, height, vertical_spacing=0.1, shared_xaxes=True
    )
    layout.update(
        barmode="overlay",
        legend=dict(orientation="h", x=1, xanchor="right", y=1.04, yanchor="bottom"),
    )
    data = []
    for row, ((_title, steps), ((x, y),)) in enumerate(zip(panels, cells), start=1):
        labels = [step_label(s) for s in steps]
        for status, colour in STATUS_COLOURS.items():
            chosen = [i for i, s in enumerate(steps) if s.status == status]
            data.append(
                dict(
                    type="bar",
                    orientation="h",
                    name=tr(STATUS_NAMES[status]),
                    legendgroup=status,
                    showlegend=row == 1,
                    y=[labels[i] for i in chosen],
                    x=[max(steps[i].layer.size_mb, MIN_WIDTH_MB) for i in chosen],
                    marker=dict(
                        color=colour,
                        pattern=dict(
                            shape=["/" if steps[i].layer.kind == "metadata" else "" for i in chosen]
                        ),
                    ),
                    customdata=[
                        [_size(steps[i].layer.size_mb, steps[i].layer.kind), steps[i].reason]
                        for i in chosen
                    ],
                    hovertemplate="%{y}<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
                    xaxis=x,
                    yaxis=y,
                )
            )
        layout[theme.axis_key(y)].update(
            categoryorder="array", categoryarray=labels, autorange=True, automargin=True
        )
        layout[theme.axis_key(x)].update(type="log", dtick=1)
    layout[theme.axis_key(cells[-1][0][0])]["title"] = dict(text=tr("layer size (MB, log)"))
    return theme.from_dicts(data, layout)


def _size(mb: float, kind: str) -> str:
    if kind == "metadata":
        return tr("0 B: configuration only")
    if mb < 0.001:
        return f"{mb * 1e6:.0f} B"
    return f"{mb:,.3g} MB"


def sharing_chart(result: Sharing) -> go.Figure:
    """Per image: its full size vs what pulling it adds to a host holding the earlier ones."""
    fig = theme.figure(tr("Pulling images onto one host"), "", tr("size (MB)"))
    names = list(result.names)
    fig.add_trace(
        go.Bar(
            name=tr("image size"),
            x=names,
            y=[result.size_mb[n] for n in names],
            marker_color=theme.PALETTE["grey"],
        )
    )
    fig.add_trace(
        go.Bar(
            name=tr("downloaded and stored"),
            x=names,
            y=[result.new_mb[n] for n in names],
            marker_color=theme.PALETTE["blue"],
        )
    )
    fig.update_layout(barmode="group")
    return fig


def parity_chart(result: Parity) -> go.Figure:
    """For each strategy: which component versions, and whether the image digest, differ from
    dev in each environment: one full-width panel per strategy, stacked, so every cell's
    version reads at projector size; the digest is a column of its own."""
    titles = tuple(tr(s) for s in STRATEGIES)
    fig = theme.subplots(3, 1, titles, 660, shared_xaxes=True, vertical_spacing=0.09)
    scale = []  # a discrete scale: each cell value gets one colour
    for value, (colour, _) in PARITY_KEY.items():
        scale += [[value / len(PARITY_KEY), colour], [(value + 1) / len(PARITY_KEY), colour]]
    columns = [tr(c) for c in (*COMPONENTS, DIGEST_COLUMN)]
    none = tr("none")
    for col, strategy in enumerate(STRATEGIES, start=1):
        envs = result.strategies[strategy]
        diffs = result.differences(strategy)
        dev_digest = envs[0].digest
        z = [
            [int(c in diffs[e.name]) for c in COMPONENTS]
            + [2 if e.digest is None else int(e.digest != dev_digest)]
            for e in envs
        ]
        text = [
            [e.versions[c] for c in COMPONENTS] + [none if e.digest is None else e.digest[7:15]]
            for e in envs
        ]
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=columns,
                y=[tr(e.name) for e in envs],
                text=text,
                texttemplate="%{text}",
                textfont=dict(size=15),
                colorscale=scale,
                zmin=-0.5,
                zmax=len(PARITY_KEY) - 0.5,
                showscale=False,
                xgap=2,
                ygap=2,
                hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
            ),
            col,
            1,
        )
    for colour, label in PARITY_KEY.values():  # the colour key, as legend entries
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=tr(label),
                showlegend=True,
                marker=dict(symbol="square", size=16, color=colour),
            ),  # fmt: skip
            1,
            1,
        )
    fig.update_layout(legend=dict(orientation="h", x=1, xanchor="right", y=1.06, yanchor="bottom"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(title_text=tr("environment"), automargin=True, row=2, col=1)
    return fig
