"""Chapter 01's interactives: the provisioning explorer, consolidation, the hosting table."""

from __future__ import annotations

import functools
import html

import ipywidgets as widgets

from msa_course.i18n import N_, menu, tr
from msa_course.infra import charts, hosting
from msa_course.infra.consolidation import dedicated_vs_shared, service_demands
from msa_course.infra.demand import demand_curve
from msa_course.infra.provisioning import simulate_all
from msa_course.infra.strategies import (
    bare_metal_peak,
    bare_metal_percentile,
    container_autoscaled,
    private_cloud,
    vm_autoscaled,
)
from msa_course.ui.explorer import Explorer, slider
from msa_course.ui.fallback import StaticFallback

_STYLE = {"description_width": "13em"}
_LAYOUT = widgets.Layout(width="24em")
VIEWS = (N_("whole run"), N_("2 days around the spike"))


_slider = functools.partial(slider, style=_STYLE, layout=_LAYOUT)


def provisioning_explorer(
    *, days: float = 365, step_minutes: float = 10, max_points: int = 400, seed: int = 0
) -> Explorer:
    """The five strategies on one demand curve; move the spike, change lead times and prices.

    It simulates at `step_minutes` = 10 by default, coarser than the model's 1 minute, so an
    update stays well under 50 ms; the benchmark and the exercises use 1-minute steps.
    Default values are the strategies' defaults (see `msa_course.infra.strategies`). The
    static edition shows the three states chapter 01's Notice describes, with coarser bins.
    """
    f, i = widgets.FloatSlider, widgets.IntSlider
    controls = {
        "spike_size": _slider(f, tr("spike size (x demand)"), 3.0, 1.0, 10.0, 0.5, ".1f"),
        "spike_day": _slider(i, tr("spike on day"), 200, 0, int(days) - 1, 1),
        "annual_growth": _slider(i, tr("growth per year (%)"), 50, -50, 300, 10),
        "percentile": _slider(i, tr("bare metal sized for pN"), 50, 0, 100, 5),
        "bare_metal_lead_weeks": _slider(
            f, tr("server purchase (weeks)"), 6.0, 0.0, 26.0, 1.0, ".0f"
        ),
        "pool_headroom": _slider(i, tr("private pool headroom (%)"), 25, 0, 200, 5),
        "vm_lead_minutes": _slider(f, tr("VM lead (minutes)"), 5.0, 0.0, 60.0, 1.0, ".0f"),
        "container_lead_seconds": _slider(i, tr("container lead (s)"), 30, 0, 600, 5),
        "bare_metal_price": _slider(f, tr("server $/hour (32 cores)"), 1.2, 0.0, 5.0, 0.1, ".2f"),
        "vm_price": _slider(f, tr("VM $/hour (4 cores)"), 0.2, 0.0, 1.0, 0.01, ".2f"),
        "container_price": _slider(
            f, tr("container $/hour (0.5 core)"), 0.03, 0.0, 0.2, 0.005, ".3f"
        ),
        "view": widgets.Dropdown(
            options=menu(VIEWS),
            value=VIEWS[0],
            description=tr("show"),
            style=_STYLE,
            layout=_LAYOUT,
        ),
    }

    def render(
        spike_size,
        spike_day,
        annual_growth,
        percentile,
        bare_metal_lead_weeks,
        pool_headroom,
        vm_lead_minutes,
        container_lead_seconds,
        bare_metal_price,
        vm_price,
        container_price,
        view,
        max_points=max_points,
    ):
        demand = _demand(days, step_minutes, spike_day, spike_size, annual_growth / 100, seed)
        strategies = [
            bare_metal_peak(price_per_unit_hour=bare_metal_price),
            bare_metal_percentile(
                percentile=percentile,
                lead_time_weeks=bare_metal_lead_weeks,
                price_per_unit_hour=bare_metal_price,
            ),
            private_cloud(
                headroom=pool_headroom / 100,
                purchase_lead_weeks=bare_metal_lead_weeks,
                vm_lead_time_minutes=vm_lead_minutes,
                price_per_unit_hour=bare_metal_price,
            ),
            vm_autoscaled(lead_time_minutes=vm_lead_minutes, price_per_unit_hour=vm_price),
            container_autoscaled(
                lead_time_seconds=container_lead_seconds, price_per_unit_hour=container_price
            ),
        ]
        results = simulate_all(demand, strategies)
        window = None
        if view == VIEWS[1]:
            window = (max(0.0, spike_day - 1.0), min(days, spike_day + 1.0))
        fig = charts.provisioning_figure(results, window_days=window, max_points=max_points)
        note = tr(
            "This explorer steps {step} minutes at a time, so each shortfall counts at least "
            "{step} SLO-violation minutes. The table in section 4 steps 1 minute at a time.",
            step=f"{step_minutes:g}",
        )
        return fig, summary_table(results) + f"<p><small>{note}</small></p>"

    return Explorer(
        controls,
        render,
        title=tr("Provisioning simulator"),
        controls_per_row=3,
        static=[  # chapter 01's Notice, in its order; 250 points keep the page small
            (
                tr("The two days around the spike, at the starting settings."),
                {"view": VIEWS[1], "max_points": 250},
            ),
            (
                tr("The same two days with the private pool's headroom at 200 %."),
                {"view": VIEWS[1], "pool_headroom": 200, "max_points": 250},
            ),
            (
                tr("The whole run with 200 % growth a year and 20 weeks to buy a server."),
                {"annual_growth": 200, "bare_metal_lead_weeks": 20.0, "max_points": 250},
            ),
        ],
    )


@functools.lru_cache(maxsize=16)
def _demand(days, step_minutes, spike_day, spike_size, annual_growth, seed):
    """The explorer's curve, kept while only strategy controls move (a DemandCurve is
    read-only, so sharing it is safe)."""
    return demand_curve(
        days=days,
        step_minutes=step_minutes,
        spike_day=spike_day,
        spike_size=spike_size,
        annual_growth=annual_growth,
        seed=seed,
    )


def summary_table(results) -> str:
    """The totals of each strategy as an HTML table."""
    head = (
        tr("strategy"),
        tr("cost ($)"),
        tr("mean utilisation"),
        tr("unmet demand"),
        tr("SLO-violation minutes"),
        tr("peak capacity (cores)"),
    )
    rows = []
    for r in results:
        cells = (
            html.escape(tr(r.strategy.name)),
            f"{r.cost:,.0f}",
            f"{r.mean_utilisation:.1%}",
            f"{r.unmet_fraction:.3%}",
            f"{r.slo_violation_minutes:,.0f}",
            f"{r.peak_capacity:,.0f}",
        )
        rows.append("".join(f"<td>{c}</td>" for c in cells))
    return _table(head, rows)


def _table(head, rows) -> str:
    th = "".join(f"<th style='text-align:left;padding:4px 8px'>{html.escape(h)}</th>" for h in head)
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f"<table class='msa-table'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def consolidation_explorer(*, days: float = 7, step_minutes: float = 5, seed: int = 0) -> Explorer:
    """N microservices, each on its own bare metal vs all on one shared, virtualised pool.

    The static edition shows the four states of chapter 01's Try this, which its Notice
    describes, in 120 bins (a week of 40 services in 200 was 100 kB of page each)."""
    controls = {
        "n_services": _slider(widgets.IntSlider, tr("microservices"), 8, 1, 60, 1),
        "mean_cores": _slider(
            widgets.FloatSlider, tr("mean cores per service"), 2.0, 0.5, 40.0, 0.5, ".1f"
        ),
        "server_cores": widgets.Dropdown(
            options=[8, 16, 32, 64, 128],
            value=32,
            description=tr("cores per server"),
            style=_STYLE,
            layout=_LAYOUT,
        ),
    }

    def render(n_services, mean_cores, server_cores, max_points=200):
        demands = service_demands(
            n_services, mean_cores=mean_cores, days=days, step_minutes=step_minutes, seed=seed
        )
        result = dedicated_vs_shared(demands, server_cores)
        fig = charts.consolidation_chart(
            demands,
            result,
            step_minutes=step_minutes,
            max_points=max_points,
            slots=controls["n_services"].max,
        )
        side = _table(
            ("", tr("servers"), tr("cores bought"), tr("utilisation")),
            [
                f"<td>{label}</td><td>{servers}</td><td>{servers * server_cores:g}</td>"
                f"<td>{util:.1%}</td>"
                for label, servers, util in (
                    (
                        tr("each service on its own bare metal"),
                        result.dedicated_servers,
                        result.dedicated_utilisation,
                    ),
                    (
                        tr("one shared virtual pool"),
                        result.shared_servers,
                        result.shared_utilisation,
                    ),
                )
            ],
        )
        return fig, side

    return Explorer(
        controls,
        render,
        title=tr("Dedicated bare metal vs shared capacity"),
        static=[  # chapter 01's Notice, in its order
            (
                tr("8 services of about 2 cores each on 32-core servers (the start)."),
                {"max_points": 120},
            ),
            (tr("40 such services."), {"n_services": 40, "max_points": 120}),
            (
                tr("40 services of about 30 cores each."),
                {"n_services": 40, "mean_cores": 30.0, "max_points": 120},
            ),
            (
                tr("40 services of about 30 cores each on 8-core servers."),
                {"n_services": 40, "mean_cores": 30.0, "server_cores": 8, "max_points": 120},
            ),
        ],
    )


class _SortableTable(StaticFallback, widgets.VBox):
    """A VBox that shows its table as HTML where no widget front-end runs."""

    def static_html(self) -> str:
        return f"<div class='msa-static-table'>{self.table.value}</div>"


def hosting_table() -> widgets.VBox:
    """Bare metal, private and public cloud compared; a dropdown re-sorts the rows.

    Not an Explorer (there is no figure): a VBox with `.controls` ("sort by", "order") and
    `.table` (the HTML widget), so tests drive it the same way; it has the same static
    fallback (the table as HTML).
    """
    sort_by = widgets.Dropdown(
        options=menu(("option", *hosting.SORTABLE)),
        value="option",
        description=tr("sort by"),
        style={"description_width": "5em"},
        layout=widgets.Layout(width="26em"),
    )
    order = widgets.ToggleButtons(
        options=[(tr("ascending"), "ascending"), (tr("descending"), "descending")],
        value="ascending",
        description=tr("order"),
        style={"description_width": "5em"},
    )
    table = widgets.HTML()

    def redraw(_change=None):
        rows = hosting.sorted_options(sort_by.value, descending=order.value == "descending")
        body = [
            "".join(
                f"<td style='vertical-align:top;padding:4px 8px'>"
                f"{html.escape(tr(hosting.cell_text(row[c])))}</td>"
                for c in hosting.COLUMNS
            )
            for row in rows
        ]
        note = hosting.SORTABLE.get(sort_by.value)
        caption = (
            "<p>"
            + tr(
                "Sorted by <b>{column}</b> ({order}; higher = {meaning}).",
                column=html.escape(tr(sort_by.value)),
                order=tr(order.value),
                meaning=tr(note),
            )
            + "</p>"
            if note
            else ""
        )
        table.value = caption + _table([tr(c) for c in hosting.COLUMNS], body)

    sort_by.observe(redraw, names="value")
    order.observe(redraw, names="value")
    redraw()
    box = _SortableTable([widgets.HBox([sort_by, order]), table])
    box.controls = {"sort by": sort_by, "order": order}
    box.table = table
    return box
