"""Charts for chapter 01: capacity against demand, the strategies compared, consolidation.

Long series are cut into at most `max_points` bins, and each bin is drawn as one of its own
steps: the step with the most unmet demand, or, where nothing went unmet, the busiest step.
So a shortfall of a few minutes stays visible in a year-long view, and the shading sits where
demand really exceeded the capacity ready (a mean over a day would hide the evening's
shortfall under the night's idle capacity).
"""

from __future__ import annotations

import copy
import functools

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from msa_course.i18n import N_, language, tr, wrap
from msa_course.infra.consolidation import Consolidation
from msa_course.infra.provisioning import NRDC_ONPREM_UTILISATION, Result
from msa_course.ui import theme

STRATEGY_COLOURS = [theme.PALETTE[k] for k in ("blue", "orange", "green", "purple", "sky")]
UNMET_FILL = "rgba(213, 94, 0, 0.45)"  # vermillion, translucent
METRIC_TITLES = [
    N_("cost, whole run ($)"),
    N_("mean utilisation, whole run (%)"),
    N_("unmet, whole run (% of core-time)"),
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


def worst_steps(demand: np.ndarray, unmet: np.ndarray, size: int) -> np.ndarray:
    """One step index per bin of `size` steps: the step with the most unmet demand, or the
    one with the highest demand where the bin missed nothing (the last bin may be shorter)."""
    n = len(demand)
    if size <= 1:
        return np.arange(n)
    blocks = -(-n // size)
    pad = blocks * size - n

    def grid(x):
        return np.concatenate([np.asarray(x, dtype=float), np.full(pad, -np.inf)]).reshape(
            blocks, size
        )

    u, d = grid(unmet), grid(demand)
    missed = u.max(axis=1) > 1e-9
    pick = np.where(missed, u.argmax(axis=1), d.argmax(axis=1))
    return np.arange(blocks) * size + pick


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
    """Capacity (the coloured line), the shortfall above it shaded up to the demand, and the
    demand (black), each bin drawn as its worst step (`worst_steps`)."""
    part = _window(result, window_days)
    demand = result.demand.cores[part]
    size = bin_steps(len(demand), result.demand.step_minutes, max_points)
    steps = worst_steps(demand, result.unmet[part], size)
    capacity, demand = result.capacity[part][steps], demand[steps]
    xy = dict(type="scatter", mode="lines", x=result.demand.days[part][steps], xaxis=axes[0])
    xy["yaxis"] = axes[1]
    return [
        dict(
            xy,
            y=capacity,
            name=tr("capacity ready<br>(the coloured line)"),
            line=dict(color=colour, width=2.5),
            showlegend=legend,
            legendrank=1,
        ),
        dict(
            xy,
            y=np.maximum(demand, capacity),
            fill="tonexty",
            fillcolor=UNMET_FILL,
            line=dict(width=0),
            hoverinfo="skip",
            name=tr("unmet demand (shaded)"),
            showlegend=legend,
            legendrank=3,
        ),
        dict(
            xy,
            y=demand,
            line=dict(color=theme.PALETTE["black"], width=1),
            name=tr("demand"),
            showlegend=legend,
            legendrank=2,
        ),
    ]


def _bin_note(result: Result, window_days, max_points: int) -> str:
    n = len(result.demand.cores[_window(result, window_days)])
    minutes = bin_steps(n, result.demand.step_minutes, max_points) * result.demand.step_minutes
    if minutes <= result.demand.step_minutes:
        return tr("every {minutes}-minute step", minutes=f"{minutes:g}")
    if minutes >= 60:
        return tr("each point: the worst step<br>of {hours} h", hours=f"{minutes / 60:g}")
    return tr("each point: the worst step<br>of {minutes} min", minutes=f"{minutes:g}")


def capacity_chart(
    results: list[Result], *, window_days: tuple[float, float] | None = None, max_points: int = 400
) -> go.Figure:
    """One panel per strategy: demand, ready capacity, and unmet demand shaded."""
    return _figure(results, tr("Capacity against demand"), window_days, max_points, bars=False)


def comparison_chart(results: list[Result]) -> go.Figure:
    """Cost, utilisation and unmet demand of each strategy side by side."""
    _check_results(results)
    layout, _, bar_axes = _grid(0, True)
    layout["title"] = dict(text=tr("Strategies compared over the run"))
    layout["height"] = 420
    return go.Figure(data=_bars(results, bar_axes), layout=layout)


def provisioning_figure(
    results: list[Result], *, window_days: tuple[float, float] | None = None, max_points: int = 400
) -> go.Figure:
    """`capacity_chart` and `comparison_chart` in one figure (for the explorer)."""
    return _figure(
        results, tr("Provisioning: capacity against demand"), window_days, max_points, bars=True
    )


def _check_results(results) -> None:
    if not results or len(results) > len(STRATEGY_COLOURS):
        raise ValueError(
            f"results must hold 1 to {len(STRATEGY_COLOURS)} strategies' Results, got "
            f"{len(results) if results is not None else None}"
        )


PANELS_PER_ROW = 3


def _figure(results, title, window_days, max_points, *, bars: bool) -> go.Figure:
    """Built from plain dicts on a cached grid: plotly validates once, which keeps an
    explorer's update fast (building it call by call cost several times more)."""
    _check_results(results)
    layout, panel_axes, bar_axes = _grid(len(results), bars)
    layout["title"] = dict(text=title)
    layout["legend"]["title"] = dict(text=_bin_note(results[0], window_days, max_points))
    data = []
    last_row = (len(results) - 1) // PANELS_PER_ROW
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
        layout["annotations"][i]["text"] = tr(result.strategy.name)
        if i // PANELS_PER_ROW == last_row:
            layout[theme.axis_key(x)]["title"] = dict(text=tr("time (days)"))
        if i % PANELS_PER_ROW == 0:
            layout[theme.axis_key(y)]["title"] = dict(text=tr("cores"))
    if bars:
        data += _bars(results, bar_axes)
        data.append(_nrdc_key())
    return theme.from_dicts(data, layout)


def _grid(panels: int, bars: bool) -> tuple[dict, list[tuple[str, str]], list[tuple[str, str]]]:
    """A fresh copy of the layout for `panels` time-series panels, three to a row (+ a row of
    three bar panels), with each panel's axis references, titled in the active language."""
    layout, axes, bar_axes = _grid_template(panels, bars, language())
    return copy.deepcopy(layout), axes, bar_axes


@functools.lru_cache(maxsize=8)
def _grid_template(panels: int, bars: bool, lang: str):
    """The legend goes into the first empty panel slot if there is one (five strategies leave
    one), else below the figure: never over a panel's title."""
    theme.register()
    rows = -(-panels // PANELS_PER_ROW)
    specs = [[{"colspan": 2}, None] * PANELS_PER_ROW for _ in range(rows)]
    titles = [" "] * (PANELS_PER_ROW * rows)
    if bars:
        specs.append([{"colspan": 2}, None] * 3)
        titles += [tr(t, lang=lang) for t in METRIC_TITLES]
    n = len(specs)
    fig = make_subplots(
        rows=n,
        cols=2 * PANELS_PER_ROW,
        specs=specs,
        subplot_titles=titles,
        vertical_spacing=0.5 / n,
        horizontal_spacing=0.07,
    )
    fig.update_layout(template=theme.TEMPLATE_NAME, height=300 * n + 80, barmode="overlay")

    def axes(row, col):
        sub = fig.get_subplot(row, col)
        return sub.xaxis.plotly_name.replace("axis", ""), sub.yaxis.plotly_name.replace("axis", "")

    slots = [axes(r + 1, 2 * c + 1) for r in range(rows) for c in range(PANELS_PER_ROW)]
    for r in range(rows):
        fig.update_yaxes(rangemode="tozero", row=r + 1)
    legend = dict(orientation="h", x=0, y=-0.06, yanchor="top", xanchor="left", traceorder="normal")
    for x, y in slots[panels:]:  # empty slots: no axes; the first holds the legend
        fig.layout[theme.axis_key(x)].visible = False
        fig.layout[theme.axis_key(y)].visible = False
    if panels < len(slots):
        x, y = slots[panels]
        top, left = fig.layout[theme.axis_key(y)].domain[1], fig.layout[theme.axis_key(x)].domain[0]
        legend = dict(
            orientation="v", x=left, y=top, xanchor="left", yanchor="top", traceorder="normal"
        )
    fig.update_layout(legend=legend)
    bar_axes = [axes(n, c) for c in (1, 3, 5)] if bars else []
    if bars:
        fig.update_yaxes(
            range=[0, 115], row=n, col=3
        )  # room for the 100 label and the bars' labels
        fig.add_shape(_nrdc_band(axes(n, 3)))
        fig.update_xaxes(tickfont=dict(size=11), tickangle=0, row=n)
    return fig.layout.to_plotly_json(), slots[:panels], bar_axes


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


SHORT_NAMES = {
    "bare metal, sized for the peak": N_("metal<br>peak"),
    "private cloud": N_("private<br>cloud"),
    "VMs, autoscaled": N_("VMs"),
    "containers, autoscaled": N_("containers"),
}


def _short(name: str) -> str:
    """A compact tick label, "bare metal, sized for the peak" -> "metal<br>peak", "VMs,
    autoscaled" -> "VMs", "bare metal, sized for p90" -> "metal<br>p90", so five bars fit a
    third of a notebook-width figure; the panels above spell the names out in the same
    colours. Another strategy's name is cut at its first comma and wrapped."""
    if name in SHORT_NAMES:
        return tr(SHORT_NAMES[name])
    what, _, how = name.partition(", ")
    if what == "bare metal" and how.startswith("sized for "):
        return tr("metal<br>{percentile}", percentile=how.removeprefix("sized for "))
    return wrap(tr(name).partition(", ")[0], 8)


NRDC_KEY = N_("grey band: on-premises servers,<br>{low:.0f}-{high:.0f}% (NRDC, order of magnitude)")


def _nrdc_band(axes: tuple[str, str]) -> dict:
    """The NRDC's 12-18% for on-premises servers (figures.md §6, [S]) as a grey band behind a
    utilisation panel's bars (its axis references `axes`): a range, because it is an order of
    magnitude, not a figure. Its label is a legend entry (`_nrdc_key`), so no text sits on the
    bars."""
    low, high = (100 * v for v in NRDC_ONPREM_UTILISATION)
    return dict(
        type="rect",
        xref=f"{axes[0]} domain",
        x0=0,
        x1=1,
        yref=axes[1],
        y0=low,
        y1=high,
        fillcolor=theme.PALETTE["grey"],
        opacity=0.45,
        line=dict(width=0),
        layer="below",
    )


def _nrdc_key() -> dict:
    """A legend entry for the grey band (a trace with no points)."""
    low, high = (100 * v for v in NRDC_ONPREM_UTILISATION)
    return dict(
        type="scatter",
        x=[None],
        y=[None],
        mode="markers",
        name=tr(NRDC_KEY, low=low, high=high),
        marker=dict(symbol="square", size=14, color=theme.PALETTE["grey"], opacity=0.6),
        legendrank=4,
    )


def consolidation_chart(
    demands: np.ndarray,
    result: Consolidation,
    *,
    step_minutes: float = 5,
    max_points: int = 200,
    slots: int = 0,
) -> go.Figure:
    """Left: services' demand stacked, with the cores each option buys. Right: utilisation.

    The left y-axis follows the demand (and the shared pool's line just above it): when the
    dedicated servers' cores are far above, their line is off the chart and a label at the
    top says where it is, rather than squeezing the demand flat to fit it.

    At most `max_points` bins, each drawn as its busiest step (the highest total demand,
    `worst_steps`), so the top of the stack still reaches the peak of the sum that the shared
    pool is sized for. Built from dicts and validated once, like `provisioning_figure`: the
    explorer redraws it for every control change, and a week of 5-minute steps for 60
    services was 121,000 points to send and draw each time.

    `slots`: draw at least this many service traces, those past the services hidden and
    empty, so an explorer whose service count changes patches its traces in place (one
    redraw in the browser) instead of removing and adding them (three).
    """
    d = np.asarray(demands, dtype=float)
    size = bin_steps(d.shape[1], step_minutes, max_points)
    total = d.sum(axis=0)
    steps = worst_steps(total, np.zeros_like(total), size)
    span = (0.0, (d.shape[1] - 1) * step_minutes / 1440)  # first and last step (days)
    d = d[:, steps]
    days = steps * step_minutes / 1440
    layout, ((left, right),) = theme.subplot_layout(
        1, 2, height=560, column_widths=(0.66, 0.34), horizontal_spacing=0.14
    )
    layout.update(
        barmode="overlay",
        title=dict(text=tr("Each microservice on its own bare metal vs shared")),
        # at the figure's foot, under the axis title however the legend wraps
        legend=dict(
            orientation="h",
            yref="container",
            x=0,
            y=0,
            yanchor="bottom",
            xanchor="left",
            traceorder="normal",
        ),
        margin=dict(b=150),
    )
    on_left, on_right = dict(xaxis=left[0], yaxis=left[1]), dict(xaxis=right[0], yaxis=right[1])
    data = [
        dict(
            on_left,
            type="scatter",
            x=days,
            y=row,
            stackgroup="services",
            mode="lines",
            line=dict(width=0.5),
            name=tr("service {number}", number=i + 1),
            showlegend=False,
            hovertemplate=tr("service {number}: {cores} cores", number=i + 1, cores="%{y:.1f}")
            + "<extra></extra>",
        )
        for i, row in enumerate(d)
    ]
    data += [
        dict(on_left, type="scatter", x=[], y=[], stackgroup="services", visible=False)
        for _ in range(slots - len(d))
    ]
    lines = (
        (result.dedicated_servers, tr("dedicated"), theme.PALETTE["vermillion"]),
        (result.shared_servers, tr("shared"), theme.PALETTE["blue"]),
    )
    top = 1.15 * max(result.peak_of_sum, result.shared_servers * result.server_cores)
    annotations = []
    for servers, label, colour in lines:
        cores = servers * result.server_cores
        data.append(
            dict(
                on_left,
                type="scatter",
                x=list(span),
                y=[cores, cores],
                mode="lines",
                name=(
                    tr("{label}: 1 server = {cores} cores", label=label, cores=f"{cores:g}")
                    if servers == 1
                    else tr(
                        "{label}: {servers} servers = {cores} cores",
                        label=label,
                        servers=servers,
                        cores=f"{cores:g}",
                    )
                ),
                line=dict(color=colour, width=3, dash="dash"),
            )
        )
        if cores > top:
            annotations.append(
                dict(
                    x=span[1],
                    y=top,
                    xref=left[0],
                    yref=left[1],
                    xanchor="right",
                    yanchor="top",
                    text=tr(
                        "↑ {label}: {cores} cores, above the chart", label=label, cores=f"{cores:g}"
                    ),
                    showarrow=False,
                    font=dict(size=13, color=colour),
                    bgcolor="rgba(255, 255, 255, 0.85)",
                )
            )
    data += [
        dict(
            on_right,
            type="bar",
            x=[tr("dedicated"), tr("shared")],
            y=[100 * result.dedicated_utilisation, 100 * result.shared_utilisation],
            marker=dict(color=[theme.PALETTE["vermillion"], theme.PALETTE["blue"]]),
            texttemplate="%{y:.1f}%",
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
        ),
        dict(_nrdc_key(), **on_right),
    ]
    if annotations:
        layout["annotations"] = annotations
    layout["shapes"] = [_nrdc_band(right)]
    x_title = (
        tr("time (days)")
        if size == 1
        else tr(
            "time (days; each point is the busiest step of {minutes} min)",
            minutes=f"{size * step_minutes:g}",
        )
    )
    layout[theme.axis_key(left[0])]["title"] = dict(text=x_title)
    layout[theme.axis_key(left[1])].update(
        range=[0, top], title=dict(text=tr("cores (services' demand, stacked)"))
    )
    layout[theme.axis_key(right[1])].update(
        range=[0, 105], title=dict(text=tr("utilisation of servers bought (%)"))
    )
    layout[theme.axis_key(right[0])]["tickangle"] = 0
    return theme.from_dicts(data, layout)
