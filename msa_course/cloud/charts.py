"""Figures for chapter 04: the responsibility grid, the catalogue map, the chooser's scores."""

from __future__ import annotations

import re

import plotly.graph_objects as go

from msa_course.cloud import responsibility as resp
from msa_course.cloud.catalogue import SERVICE_MODELS, Catalogue
from msa_course.cloud.chooser import FACTOR_LABELS, FACTORS, MODELS, WHERE, WHERE_NAMES, Ranking
from msa_course.i18n import N_, tr, wrap
from msa_course.i18n import width as text_width
from msa_course.ui import theme

WHO_COLOURS = {
    "you": theme.PALETTE["vermillion"],
    "shared": theme.PALETTE["yellow"],
    "provider": theme.PALETTE["sky"],
}
_WHO_Z = {"provider": 0, "shared": 1, "you": 2}
_CONVENTION_GREY = "#eeeeee"
BASES = {"microsoft": N_("basis: microsoft"), "convention": N_("basis: convention")}
SHOW_OPTIONS = (N_("every cell"), N_("only cells Microsoft's matrix covers"))


def model_label(model: str) -> str:
    """Column label: the model's name, starred where the column is convention only."""
    star = "*" if model in resp.CONVENTION_MODELS else ""
    return f"{tr(resp.MODEL_NAMES[model])}{star}"


def _column_title(model: str) -> str:
    you = len(resp.layers_by(model, "you"))
    shared = len(resp.layers_by(model, "shared"))
    small = "<span style='font-size:12px'>"
    you, shared = tr("you {count}", count=you), tr("shared {count}", count=shared)
    return f"{model_label(model)}<br>{small}{you}</span><br>{small}{shared}</span>"


def _two_lines(label: str, width: int) -> str:
    """A label wider than `width` Latin letters (a Hangul syllable counts two), broken at the
    space nearest its middle, so neighbouring labels do not run into each other in a
    notebook-width figure."""
    if text_width(label) <= width or " " not in label:
        return label
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return f"{label[:cut]}<br>{label[cut + 1 :]}"


def layer_label(layer: str) -> str:
    """A layer's row label in the grid (long names on two lines)."""
    return _two_lines(tr(layer), 18)


def responsibility_grid(
    selected: tuple[str, str] | None = None, show: str = SHOW_OPTIONS[0]
) -> go.Figure:
    """Layers by models, hardware at the bottom and data on top (as chapter 02 stacks them):
    who manages each cell; hover or select for the reason.

    With `show` = SHOW_OPTIONS[1], cells that rest on convention rather than Microsoft's
    official matrix are greyed out, so the learner sees what is official (figures.md §5).
    """
    if show not in SHOW_OPTIONS:
        raise ValueError(f"show must be one of {SHOW_OPTIONS}, got {show!r}")
    layers = list(resp.LAYERS)  # plotly draws the first row at the bottom
    x = [_column_title(m) for m in resp.MODELS]
    z, text, hover = [], [], []
    for layer in layers:
        zr, tr_, hr = [], [], []
        for model in resp.MODELS:
            cell = resp.cell(layer, model)
            hidden = show == SHOW_OPTIONS[1] and cell.basis == "convention"
            zr.append(None if hidden else _WHO_Z[cell.who])
            tr_.append(tr("convention") if hidden else tr(cell.who))
            hr.append(
                f"<b>{tr(layer)} · {tr(resp.MODEL_NAMES[model])}: {tr(cell.who)}</b><br>"
                f"{wrap(tr(cell.reason), 60)}<br><i>{tr(BASES[cell.basis])}</i>"
            )
        z.append(zr)
        text.append(tr_)
        hover.append(hr)
    c = [WHO_COLOURS["provider"], WHO_COLOURS["shared"], WHO_COLOURS["you"]]
    scale = [[0, c[0]], [1 / 3, c[0]], [1 / 3, c[1]], [2 / 3, c[1]], [2 / 3, c[2]], [1, c[2]]]
    fig = theme.figure(
        tr("Who manages each layer (* = convention, no official source)"), height=560
    )
    fig.add_trace(
        go.Heatmap(
            x=x,
            y=[layer_label(layer) for layer in layers],
            z=z,
            zmin=-0.5,
            zmax=2.5,
            colorscale=scale,
            showscale=False,
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=13),
            hovertext=hover,
            hoverinfo="text",
            xgap=3,
            ygap=3,
            name=tr("grid"),
        )
    )
    for who, colour in WHO_COLOURS.items():  # a legend for the three colours
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=tr(who),
                marker=dict(size=14, symbol="square", color=colour),
            )
        )
    fig.update_layout(
        plot_bgcolor=_CONVENTION_GREY,
        title=dict(yref="container", y=1 - 12 / 560, yanchor="top"),  # above the column heads
        margin=dict(l=170, t=150, b=70),
        legend=dict(orientation="h", y=-0.04, yanchor="top", x=0),
    )
    fig.update_xaxes(side="top", showgrid=False, title_text="", tickangle=0, tickfont=dict(size=14))
    fig.update_yaxes(showgrid=False, title_text="")
    if selected is not None:
        layer, model = selected
        resp.cell(layer, model)  # validates both names
        col, row = resp.MODELS.index(model), layers.index(layer)
        fig.add_shape(**_outline(col, row))
    return fig


def _outline(col: int, row: int, **axes) -> dict:
    """A heavy black outline around the grid cell at (col, row): the one chosen."""
    return dict(
        type="rect",
        **axes,
        x0=col - 0.5,
        x1=col + 0.5,
        y0=row - 0.5,
        y1=row + 0.5,
        line=dict(color=theme.PALETTE["black"], width=4),
    )


COLOUR_BY = (
    N_("service model (the source's list)"),
    N_("hosting mapping (the source's paragraph)"),
)
_MAPPING_NAMES = {
    "monolith": N_("monolith on VMs"),
    "msa": N_("MSA on container-based PaaS"),
    None: N_("not in the mapping"),
}


def catalogue_map(
    catalogue: Catalogue,
    model: str | None = None,
    provider: str | None = None,
    colour_by: str = COLOUR_BY[0],
) -> go.Figure:
    """Every service as a point in (model, provider); the filter's matches stand out.

    Circles are services the source names; diamonds are examples the course added.
    """
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by must be one of {COLOUR_BY}, got {colour_by!r}")
    matching = {s.id for s in catalogue.filter(model=model, provider=provider)}
    providers = list(catalogue.providers)
    slots: dict[tuple[str, str], list] = {}
    for s in catalogue.services:
        slots.setdefault((s.model, s.provider), []).append(s)
    position = {}
    for (m, p), items in slots.items():
        for k, s in enumerate(items):
            offset = (k - (len(items) - 1) / 2) * 0.28
            position[s.id] = (SERVICE_MODELS.index(m), providers.index(p) + offset)
    if colour_by == COLOUR_BY[0]:
        groups = [
            (tr(resp.MODEL_NAMES[m]), [s for s in catalogue.services if s.model == m])
            for m in SERVICE_MODELS
        ]
    else:
        groups = [
            (tr(name), [s for s in catalogue.services if s.source_mapping == key])
            for key, name in _MAPPING_NAMES.items()
        ]
    fig = theme.figure(
        tr("The services, by model and provider (circle = named in the source)"), height=520
    )
    for (name, services), colour in zip(groups, theme.COLORWAY):
        fig.add_trace(
            go.Scatter(
                x=[position[s.id][0] for s in services],
                y=[position[s.id][1] for s in services],
                mode="markers+text",
                name=name,
                text=[english(_two_lines(s.label, 10)) for s in services],
                textposition="middle right",
                textfont=dict(size=12),
                customdata=[s.id for s in services],
                hovertext=[_hover(s) for s in services],
                hoverinfo="text",
                marker=dict(
                    size=14,
                    color=colour,
                    symbol=["circle" if s.in_source else "diamond" for s in services],
                    opacity=[1.0 if s.id in matching else 0.15 for s in services],
                    line=dict(width=1, color=theme.PALETTE["black"]),
                ),
            )
        )
    fig.update_xaxes(
        tickvals=list(range(len(SERVICE_MODELS))),
        ticktext=[model_label(m) for m in SERVICE_MODELS],
        range=[-0.4, len(SERVICE_MODELS) - 0.1],  # room right of SaaS for its labels
        title_text=tr("service model"),
    )
    fig.update_yaxes(
        tickvals=list(range(len(providers))),
        ticktext=[_two_lines(_short_provider(tr(catalogue.providers[p])), 14) for p in providers],
        range=[-0.6, len(providers) - 0.4],
        title_text="",
    )
    fig.update_layout(margin=dict(l=130))
    return fig


def english(text: str) -> str:
    """Service names, which stay as the providers write them, marked English: for the reader's
    browser (fonts, hyphenation) and for the Korean edition's test that finds untranslated
    text (plotly keeps the text of a span and ignores its lang)."""
    return f"<span lang='en'>{text}</span>"


def _hover(service) -> str:
    """The service's name and the start of its note, cut between words (the explorer's
    table of services has the whole note)."""
    name = english(service.name)
    if not service.note:
        return name
    lines = wrap(tr(service.note), 60).split("<br>")
    more = " …" if len(lines) > 3 else ""
    return "<br>".join([name, *lines[:3]]) + more


def _short_provider(name: str) -> str:
    """ "Google (Google Cloud, Google Workspace)" -> "Google"; also "구글(Google ...)"."""
    return re.split(r"\s*\(", name)[0]


def _best_label(v) -> str:
    """ "on premises:<br>CaaS", and how many blockers it has, if any (a place wider than
    "hosted private cloud" on two lines, so it stays clear of the grid beside it)."""
    where, model = _two_lines(tr(WHERE_NAMES[v.where]), 22), tr(resp.MODEL_NAMES[v.model])
    if not v.blockers:
        return f"{where}:<br>{model}"
    count = len(v.blockers)
    if count == 1:
        return tr("{where}:<br>{model} (1 blocker)", where=where, model=model)
    return tr("{where}:<br>{model} ({count} blockers)", where=where, model=model, count=count)


def chooser_chart(ranking: Ranking) -> go.Figure:
    """Left: every option's score, models by places, blocked options greyed, the best outlined.
    Right: the best option in each place, its points stacked by factor (the place changes the
    outcome, the model alone does not decide it).

    Built from dicts on a cached subplot grid (`theme.subplot_layout`, `theme.from_dicts`):
    the chooser redraws on every control change."""
    layout, cells = theme.subplot_layout(
        1,
        2,
        (tr("Every option's score"), tr("The best option in each place, by factor")),
        height=520,
        column_widths=(0.45, 0.55),  # a tuple: the cached grid's key must be hashable
        horizontal_spacing=0.17,
    )
    (grid_x, grid_y), (bars_x, bars_y) = cells[0]
    layout.update(
        title=dict(text=tr("Which model, and where? (the best is outlined)")),
        barmode="relative",
        # at the figure's foot, under the axis title however the legend wraps
        legend=dict(
            orientation="h", yref="container", y=0, yanchor="bottom", x=0, traceorder="normal"
        ),  # fmt: skip
        margin=dict(b=150),
    )
    places = [_two_lines(tr(WHERE_NAMES[w]), 8) for w in WHERE]
    models = [tr(resp.MODEL_NAMES[m]) for m in MODELS]
    score, blocked, text = [], [], []
    for m in MODELS:
        verdicts = [ranking.verdict(m, w) for w in WHERE]
        score.append([v.score if v.fits else None for v in verdicts])
        blocked.append([None if v.fits else 1 for v in verdicts])
        text.append([f"{v.score:+g}" if v.fits else "" for v in verdicts])
    grid = dict(
        type="heatmap",
        x=places,
        y=models,
        text=text,
        texttemplate="%{text}",
        showscale=False,
        xgap=3,
        ygap=3,
        showlegend=False,
        xaxis=grid_x,
        yaxis=grid_y,
    )
    data = [
        dict(
            grid,
            z=score,
            textfont=dict(size=15),
            colorscale=[[0, "#f7fbff"], [1, theme.PALETTE["sky"]]],
            hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
            name=tr("score"),
        ),
        dict(
            grid,
            z=blocked,
            text=[[tr("blocked") if b else "" for b in row] for row in blocked],
            textfont=dict(size=13, color=theme.PALETTE["black"]),
            colorscale=[[0, _CONVENTION_GREY], [1, _CONVENTION_GREY]],
            hoverinfo="skip",
            name=tr("blocked"),
        ),
    ]
    best = ranking.best
    col, row = WHERE.index(best.where), MODELS.index(best.model)
    layout["shapes"] = [_outline(col, row, xref=grid_x, yref=grid_y)]
    tops = list(reversed([ranking.best_in(w) for w in WHERE]))  # plotly draws bottom first
    labels = [_best_label(v) for v in tops]
    colours = [*theme.COLORWAY, theme.PALETTE["grey"]]
    for factor, colour in zip(FACTORS, colours):
        points = [v.points(factor) for v in tops]
        label = tr(FACTOR_LABELS[factor])
        data.append(
            dict(
                type="bar",
                y=labels,
                x=points,
                orientation="h",
                name=label,
                showlegend=any(points),  # a factor worth nothing here would be a dead key
                marker=dict(color=colour),
                hovertemplate=f"{label}: %{{x:+g}}<extra></extra>",
                xaxis=bars_x,
                yaxis=bars_y,
            )
        )
    data.append(
        dict(
            type="scatter",
            y=labels,
            x=[v.score for v in tops],
            mode="markers+text",
            name=tr("total"),
            text=[f"{v.score:+g}" for v in tops],
            textposition="middle right",
            marker=dict(symbol="diamond", size=13, color=theme.PALETTE["black"]),
            xaxis=bars_x,
            yaxis=bars_y,
        )
    )
    layout[theme.axis_key(grid_x)].update(showgrid=False, tickangle=0)
    layout[theme.axis_key(grid_y)].update(showgrid=False)
    layout[theme.axis_key(bars_x)]["title"] = dict(text=tr("points (for + / against −)"))
    return theme.from_dicts(data, layout)
