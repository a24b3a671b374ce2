"""Charts for chapter 01: capacity against demand, the strategies compared, consolidation.

Long series are averaged into at most `max_points` bins before plotting. Averaging keeps the
areas honest: in every bin, mean served + mean unmet = mean demand, so the shaded unmet area
is the real unmet core-time.
"""

from __future__ import annotations

import copy
import functools
import textwrap

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from msa_course.infra.consolidation import Consolidation
from msa_course.infra.provisioning import NRDC_ONPREM_UTILISATION, Result
from msa_course.ui import theme

STRATEGY_COLOURS = [theme.PALETTE[k] for k in ("blue", "orange", "green", "purple", "sky")]
UNMET_FILL = "rgba(213, 94, 0, 0.45)"  # vermillion, translucent
METRIC_TITLES = [
    "cost ($)",
    "mean utilisation (%)",
    "unmet (% of core-time)",
]


# Bin lengths (minutes) that divide a day, so bins never alias against the daily cycle.
_NICE_BIN_MINUTES = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440)


def bin_steps(n: int, step_minutes: float, max_points: int) -> int:
    """Steps per bin: the shortest bin from `_NICE_BIN_MINUTES` (then whole days) that leaves
    at most `max_points` bins of `n` steps."""
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, got {max_points}")
    if n <= max_points:
        return 1
    needed = n / max_points * step_minutes
    minutes = next((m for m in _NICE_BIN_MINUTES if m >= needed), 1440 * -(-needed // 1440))
    return max(1, -(-n // max_points), round(minutes / step_minutes))


def bin_means(x: np.ndarray, size: int) -> np.ndarray:
    """Means of consecutive bins of `size` values (the last bin may be shorter)."""
    x = np.asarray(x, dtype=float)
    if size <= 1:
        return x
    starts = np.arange(0, len(x), size)
    return np.add.reduceat(x, starts) / np.diff(np.append(starts, len(x)))


def _window(result: Result, window_days: tuple[float, float] | None) -> slice:
    if window_days is None:
        return slice(None)
    start, end = np.searchsorted(result.demand.days, window_days)
    if end <= start:
        raise ValueError(f"window_days must contain at least one step, got {window_days}")
    return slice(start, end)


def _timeseries(
    result: Result,
    colour: str,
    axes: tuple[str, str],
    *,
    window_days,
    max_points: int,
    legend: bool,
) -> list[dict]:
    """Served (an invisible baseline), demand filled down to it (the unmet area), capacity."""
    part = _window(result, window_days)
    size = bin_steps(len(result.demand.days[part]), result.demand.step_minutes, max_points)
    days = bin_means(result.demand.days[part], size)
    xy = dict(type="scatter", mode="lines", x=days, xaxis=axes[0], yaxis=axes[1])
    return [
        dict(
            xy,
            y=bin_means(result.served[part], size),
            line=dict(width=0),
            hoverinfo="skip",
            showlegend=False,
            name="served",
        ),
        dict(
            xy,
            y=bin_means(result.demand.cores[part], size),
            fill="tonexty",
            fillcolor=UNMET_FILL,
            line=dict(color=theme.PALETTE["black"], width=1),
            name="demand (black); shaded: unmet",
            showlegend=legend,
        ),
        dict(
            xy,
            y=bin_means(result.capacity[part], size),
            name="capacity ready (coloured line)",
            line=dict(color=colour, width=2.5),
            showlegend=legend,
        ),
    ]


def _bin_note(result: Result, window_days, max_points: int) -> str:
    n = len(result.demand.cores[_window(result, window_days)])
    minutes = bin_steps(n, result.demand.step_minutes, max_points) * result.demand.step_minutes
    return f"mean per {minutes / 60:g} h" if minutes >= 60 else f"mean per {minutes:g} min"


def capacity_chart(
    results: list[Result], *, window_days: tuple[float, float] | None = None, max_points: int = 400
) -> go.Figure:
    """One panel per strategy: demand, ready capacity, and unmet demand shaded."""
    return _figure(results, "Capacity against demand", window_days, max_points, bars=False)


def comparison_chart(results: list[Result]) -> go.Figure:
    """Cost, utilisation and unmet demand of each strategy side by side."""
    _check_results(results)
    layout, _, bar_axes = _grid(0, True)
    layout["title"] = dict(text="Strategies compared over the run")
    layout["height"] = 420
    return go.Figure(data=_bars(results, bar_axes), layout=layout)


def provisioning_figure(
    results: list[Result], *, window_days: tuple[float, float] | None = None, max_points: int = 400
) -> go.Figure:
    """`capacity_chart` and `comparison_chart` in one figure (for the explorer)."""
    return _figure(
        results, "Provisioning: capacity against demand", window_days, max_points, bars=True
    )


def _check_results(results) -> None:
    if not results or len(results) > len(STRATEGY_COLOURS):
        raise ValueError(
            f"results must hold 1 to {len(STRATEGY_COLOURS)} strategies' Results, got "
            f"{len(results) if results is not None else None}"
        )


def _figure(results, title, window_days, max_points, *, bars: bool) -> go.Figure:
    """Built from plain dicts on a cached grid: plotly validates once, which keeps an
    explorer's update fast (building it call by call cost several times more)."""
    _check_results(results)
    layout, panel_axes, bar_axes = _grid(-(-len(results) // 2), bars)
    layout["title"] = dict(text=title)
    data = []
    for i, result in enumerate(results):
        x, y = panel_axes[i]
        data += _timeseries(
            result,
            STRATEGY_COLOURS[i],
            (x, y),
            window_days=window_days,
            max_points=max_points,
            legend=(i == 0),
        )
        layout["annotations"][i]["text"] = result.strategy.name
        if i >= len(results) - 2:
            layout[_axis_key(x)]["title"] = dict(text="time (days)")
        if i % 2 == 0:
            note = _bin_note(result, window_days, max_points)
            layout[_axis_key(y)]["title"] = dict(text=f"cores ({note})")
    for i in range(len(results), len(panel_axes)):
        layout["annotations"][i]["text"] = ""
    if bars:
        data += _bars(results, bar_axes)
    return go.Figure(data=data, layout=layout)


def _axis_key(ref: str) -> str:
    """ "x3" -> "xaxis3" (a trace's axis reference to its layout key)."""
    return f"{ref[0]}axis{ref[1:]}"


def _grid(rows: int, bars: bool) -> tuple[dict, list[tuple[str, str]], list[tuple[str, str]]]:
    """A fresh copy of the layout for `rows` rows of two panels (+ a row of three bar panels),
    with each panel's axis references."""
    layout, panels, bar_axes = _grid_template(rows, bars)
    return copy.deepcopy(layout), panels, bar_axes


@functools.lru_cache(maxsize=8)
def _grid_template(rows: int, bars: bool):
    theme.register()
    specs = [[{"colspan": 3}, None, None, {"colspan": 3}, None, None] for _ in range(rows)]
    titles = [" "] * (2 * rows)
    if bars:
        specs.append([{"colspan": 2}, None, {"colspan": 2}, None, {"colspan": 2}, None])
        titles += METRIC_TITLES
    n = len(specs)
    fig = make_subplots(
        rows=n,
        cols=6,
        specs=specs,
        subplot_titles=titles,
        vertical_spacing=0.36 / n,
        horizontal_spacing=0.05,
    )
    fig.update_layout(template=theme.TEMPLATE_NAME, height=300 * n + 80, barmode="overlay")

    def axes(row, col):
        sub = fig.get_subplot(row, col)
        return sub.xaxis.plotly_name.replace("axis", ""), sub.yaxis.plotly_name.replace("axis", "")

    panels = [axes(r + 1, c) for r in range(rows) for c in (1, 4)]
    for r in range(rows):
        fig.update_yaxes(rangemode="tozero", row=r + 1)
    bar_axes = [axes(n, c) for c in (1, 3, 5)] if bars else []
    if bars:
        fig.update_yaxes(range=[0, 105], row=n, col=3)
        _nrdc_band(fig, n, 3)
        fig.update_xaxes(tickfont=dict(size=11), tickangle=0, row=n)
    return fig.layout.to_plotly_json(), panels, bar_axes


def _bars(results: list[Result], bar_axes) -> list[dict]:
    names = [_short(r.strategy.name) for r in results]
    values = (
        [r.cost for r in results],
        [100 * r.mean_utilisation for r in results],
        [100 * r.unmet_fraction for r in results],
    )
    formats = ("$%{y:,.0f}", "%{y:.1f}%", "%{y:.3f}%")
    return [
        dict(
            type="bar",
            x=names,
            y=ys,
            xaxis=x,
            yaxis=y,
            showlegend=False,
            marker=dict(color=STRATEGY_COLOURS[: len(results)]),
            texttemplate=fmt,
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{x}}: {fmt}<extra></extra>",
        )
        for (x, y), ys, fmt in zip(bar_axes, values, formats, strict=True)
    ]


def _short(name: str) -> str:
    """A compact tick label, "bare metal, sized for the peak" -> "metal<br>peak", "VMs,
    autoscaled" -> "VMs", so four bars fit a third of a notebook-width figure; the panels
    above spell the names out in the same colours."""
    what, _, how = name.partition(", ")
    if what == "bare metal" and how:
        return "metal<br>" + how.removeprefix("sized for ").removeprefix("the ")
    return "<br>".join(textwrap.wrap(what, 10))


def _nrdc_band(fig: go.Figure, row: int, col: int) -> None:
    """The NRDC's 12-18% for on-premises servers (figures.md §6, [S]) as a grey band behind a
    utilisation panel's bars: a range, because it is an order of magnitude, not a figure."""
    low, high = (100 * v for v in NRDC_ONPREM_UTILISATION)
    fig.add_hrect(
        y0=low,
        y1=high,
        row=row,
        col=col,
        fillcolor=theme.PALETTE["grey"],
        opacity=0.45,
        line_width=0,
        layer="below",
        exclude_empty_subplots=False,
        annotation=dict(
            text=f"on-prem, NRDC: {low:.0f}-{high:.0f}%",
            font=dict(size=12, color=theme.PALETTE["black"]),
            bgcolor="rgba(255, 255, 255, 0.8)",
            yanchor="bottom",
        ),
        annotation_position="top right",
    )


def consolidation_chart(
    demands: np.ndarray, result: Consolidation, *, step_minutes: float = 5
) -> go.Figure:
    """Left: services' demand stacked, with the cores each option buys. Right: utilisation."""
    theme.register()
    d = np.asarray(demands, dtype=float)
    days = np.arange(d.shape[1]) * step_minutes / 1440
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.66, 0.34],
        horizontal_spacing=0.14,
    )
    fig.update_layout(
        template=theme.TEMPLATE_NAME,
        height=480,
        barmode="overlay",
        title=dict(text="Each microservice on its own bare metal vs shared"),
    )
    for i, row in enumerate(d):
        fig.add_scatter(
            x=days,
            y=row,
            stackgroup="services",
            mode="lines",
            line=dict(width=0.5),
            name=f"service {i + 1}",
            showlegend=False,
            row=1,
            col=1,
            hovertemplate=f"service {i + 1}: %{{y:.1f}} cores<extra></extra>",
        )
    lines = (
        (result.dedicated_servers, "dedicated", theme.PALETTE["vermillion"]),
        (result.shared_servers, "shared", theme.PALETTE["blue"]),
    )
    for servers, label, colour in lines:
        cores = servers * result.server_cores
        fig.add_scatter(
            x=[days[0], days[-1]],
            y=[cores, cores],
            mode="lines",
            row=1,
            col=1,
            name=f"{label}: {servers} server{'s' if servers != 1 else ''} = {cores:g} cores",
            line=dict(color=colour, width=3, dash="dash"),
        )
    fig.add_bar(
        x=["dedicated", "shared"],
        y=[100 * result.dedicated_utilisation, 100 * result.shared_utilisation],
        marker_color=[theme.PALETTE["vermillion"], theme.PALETTE["blue"]],
        texttemplate="%{y:.1f}%",
        textposition="outside",
        cliponaxis=False,
        showlegend=False,
        row=1,
        col=2,
    )
    _nrdc_band(fig, 1, 2)
    fig.update_xaxes(title_text="time (days)", row=1, col=1)
    fig.update_yaxes(title_text="cores (each service's demand, stacked)", row=1, col=1)
    fig.update_yaxes(range=[0, 105], title_text="utilisation of servers bought (%)", row=1, col=2)
    fig.update_xaxes(tickangle=0, row=1, col=2)
    return fig
