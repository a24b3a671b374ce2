"""One look for every chart: colour-blind-safe, titled axes with units, projector-sized text."""

from __future__ import annotations

import copy
import functools
import html

import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Named so chapters say what a colour means, not which hex it is.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#999999",
}
COLORWAY = [
    PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow")
]
FONT_SIZE = 16  # readable from the back of a workshop room on a projector
TEMPLATE_NAME = "msa"


def _template() -> go.layout.Template:
    return go.layout.Template(
        layout=dict(
            colorway=COLORWAY,
            font=dict(family="Noto Sans, Noto Sans CJK KR, Arial, sans-serif", size=FONT_SIZE),
            title=dict(font=dict(size=FONT_SIZE + 4), x=0.02, xanchor="left"),
            paper_bgcolor="white",
            plot_bgcolor="white",
            xaxis=dict(showgrid=True, gridcolor="#e5e5e5", zeroline=False, ticks="outside"),
            yaxis=dict(showgrid=True, gridcolor="#e5e5e5", zeroline=False, ticks="outside"),
            legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
            margin=dict(l=70, r=20, t=90, b=60),
            hoverlabel=dict(font_size=FONT_SIZE - 2),
        )
    )


def figure(title: str, x_title: str = "", y_title: str = "", height: int = 460) -> go.Figure:
    """A new themed figure; say units in the axis titles, e.g. "time (hours)".

    Built in one go with the course template as plotly's default (which plotly applies
    without validating it again): an explorer draws a figure per control change, and naming
    the template or updating the axes afterwards cost ten times as much (2.5 ms vs 0.2 ms).
    """
    register()
    layout: dict = {"height": height, "title": {"text": title}}
    if x_title:
        layout["xaxis"] = {"title": {"text": x_title}}
    if y_title:
        layout["yaxis"] = {"title": {"text": y_title}}
    return go.Figure(layout=layout)


def html_fallback(fig: go.Figure) -> str:
    """The figure as an HTML div for viewers without a widget front-end.

    plotly.js is not embedded: the static site loads it once, locally, for the whole page.
    """
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"responsive": True})


class _CourseRenderer(pio.base_renderers.MimetypeRenderer):
    """plotly's JupyterLab mimetype plus an HTML div, so `fig.show()` also reads statically."""

    def to_mimebundle(self, fig_dict):
        bundle = pio.base_renderers.PlotlyRenderer().to_mimebundle(fig_dict)
        bundle["text/html"] = html_fallback(go.Figure(fig_dict))
        return bundle


def register() -> None:
    """Make the course template and renderer plotly's defaults (idempotent)."""
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = _template()
        pio.renderers[TEMPLATE_NAME] = _CourseRenderer()
    if pio.templates.default != TEMPLATE_NAME:  # setting it re-validates the template: 0.5 ms
        pio.templates.default = TEMPLATE_NAME
    if pio.renderers.default != TEMPLATE_NAME:
        pio.renderers.default = TEMPLATE_NAME


@functools.lru_cache(maxsize=64)
def _subplot_layout(rows: int, cols: int, titles: tuple[str, ...], options: tuple) -> dict:
    from plotly.subplots import make_subplots

    return make_subplots(rows=rows, cols=cols, subplot_titles=titles, **dict(options)).to_dict()[
        "layout"
    ]


def subplots(
    rows: int = 1, cols: int = 1, titles: tuple[str, ...] = (), height: int = 460, **options
) -> go.Figure:
    """`make_subplots` with the course theme, its grid cached: make_subplots costs tens of ms,
    too much for an explorer's update budget. `options` are make_subplots keywords.

    The cached layout came out of plotly validated, so it is not validated again for every
    figure (1 ms of an explorer's update); what the chart adds still is, and FigureWidget
    validates whatever it is sent."""
    register()
    layout = _subplot_layout(rows, cols, tuple(titles), tuple(sorted(options.items())))
    fig = go.Figure(layout=dict(layout, height=height), _validate=False)
    fig._grid_ref = _subplot_grid(rows, cols, tuple(sorted(options.items())))
    return fig


def subplot_layout(
    rows: int = 1, cols: int = 1, titles: tuple[str, ...] = (), height: int = 460, **options
) -> tuple[dict, list[list[tuple[str, str] | None]]]:
    """What `subplots` starts from, as a dict to fill in, and each cell's axis references
    (("x2", "y2"), None where a span covers the cell).

    For explorer charts: traces as dicts with these `xaxis`/`yaxis`, then one
    `go.Figure(data=..., layout=...)`, validates everything once. Adding traces and updating
    axes one call at a time validated each piece two or three times (10 ms for a 3-panel
    chart against 2 ms)."""
    register()
    key = tuple(sorted(options.items()))
    layout = copy.deepcopy(_subplot_layout(rows, cols, tuple(titles), key))
    layout["height"] = height
    cells = [
        [(c[0].trace_kwargs["xaxis"], c[0].trace_kwargs["yaxis"]) if c else None for c in row]
        for row in _subplot_grid(rows, cols, key)
    ]
    return layout, cells


def from_dicts(data: list[dict], layout: dict) -> go.Figure:
    """A figure from trace and layout dicts, not validated here.

    For charts that explorers redraw on every control change: validating the whole figure
    was most of an update (the provisioning explorer: 8 of 13 ms), and the explorer's
    FigureWidget validates every property it is sent anyway. tests/test_ui.py validates each
    chart built this way."""
    return go.Figure(data=data, layout=layout, _validate=False)


def axis_key(ref: str) -> str:
    """A trace's axis reference to its layout key: "x3" -> "xaxis3", "y" -> "yaxis"."""
    return f"{ref[0]}axis{ref[1:]}"


@functools.lru_cache(maxsize=64)
def _subplot_grid(rows: int, cols: int, options: tuple):
    from plotly.subplots import make_subplots

    return make_subplots(rows=rows, cols=cols, **dict(options))._grid_ref


MONOSPACE = "Menlo, Consolas, 'DejaVu Sans Mono', 'Noto Sans Mono CJK KR', monospace"


def table_html(head, rows, css_class: str = "") -> str:
    """A side panel's table: a header row of `head` texts (escaped here), then `rows`, each
    a `<tr>` of cells whose HTML the caller built (escaping what it got from outside)."""
    th = "".join(f"<th>{html.escape(h, quote=False)}</th>" for h in head)
    attribute = f" class='{css_class}'" if css_class else ""
    return f"<table{attribute}><tr>{th}</tr>{''.join(rows)}</table>"


def pre_html(text: str, size_px: int = 12) -> str:
    """Terminal text (kubectl tables, what a command prints) as HTML whose columns line up in
    every viewer: a monospace font named in the element itself (the static site's page style
    would otherwise give rendered HTML a proportional one), no wrapping, a sideways scroll."""
    return (
        f'<pre style="font-family:{MONOSPACE};font-size:{size_px}px;line-height:1.25;'
        f'white-space:pre;overflow-x:auto;margin:0.2em 0">{html.escape(text)}</pre>'
    )
