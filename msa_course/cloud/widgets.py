"""Chapter 04's explorers: the responsibility grid, the service catalogue, the hosting chooser."""

from __future__ import annotations

import html

import ipywidgets as widgets

from msa_course.cloud import charts
from msa_course.cloud import responsibility as resp
from msa_course.cloud.catalogue import SERVICE_MODELS, Catalogue, default
from msa_course.cloud.chooser import (
    ARCHITECTURES,
    FACTOR_LABELS,
    LEVELS,
    PLACEMENTS,
    SELF_RUN,
    TRAFFIC,
    Ranking,
    Verdict,
    choose,
)
from msa_course.i18n import menu, tr
from msa_course.ui import theme
from msa_course.ui.explorer import Explorer, slider

_STYLE = {"description_width": "11em"}
_LAYOUT = widgets.Layout(width="26em")
ANY = "any"
# Readable on white: the grid's yellow and sky are too light for text.
_TEXT_COLOURS = {"you": "#D55E00", "shared": "#8a7a00", "provider": "#0072B2"}


def _model_options(models) -> list[tuple[str, str]]:
    return [(tr(resp.MODEL_NAMES[m]), m) for m in models]


def _dropdown(description, options, value):
    return widgets.Dropdown(
        options=options, value=value, description=description, style=_STYLE, layout=_LAYOUT
    )


def _cell_panel(layer: str, model: str) -> str:
    cell = resp.cell(layer, model)
    name = tr(resp.MODEL_NAMES[model])
    official = resp.microsoft_view(layer, model)
    if official:
        rows = "; ".join(f"“{tr(row)}”: {tr(entry)}" for row, entry in official)
        basis = tr("Microsoft's official matrix: {rows}.", rows=html.escape(rows))
    elif model in resp.CONVENTION_MODELS:
        basis = tr(
            "{model} has no NIST definition and no official responsibility matrix: this "
            "column is the usual convention (figures.md §5).",
            model=name,
        )
    else:
        basis = tr(
            "Microsoft's matrix has no row for this layer: this cell is the usual convention."
        )
    nist = resp.NIST_DEFINITIONS.get(model)
    nist_html = (
        f"<p><i>{tr('NIST SP 800-145, {model}:', model=name)}</i> {html.escape(tr(nist))}</p>"
        if nist
        else ""
    )
    who = f"<span style='color:{_TEXT_COLOURS[cell.who]}'>{tr(cell.who)}</span>"
    heading = tr("{layer} under {model}: {who}", layer=html.escape(tr(layer)), model=name, who=who)
    return (
        f"<h4>{heading}</h4><p>{html.escape(tr(cell.reason))}</p><p><small>{basis}</small></p>"
        f"{nist_html}"
    )


def responsibility_explorer() -> Explorer:
    """The stack as a grid, models side by side; pick (or click) a cell to read its reason."""
    controls = {
        "layer": _dropdown(tr("layer"), menu(reversed(resp.LAYERS)), "operating system"),
        "model": _dropdown(tr("model"), _model_options(resp.MODELS), "caas"),
        "show": _dropdown(tr("show"), menu(charts.SHOW_OPTIONS), charts.SHOW_OPTIONS[0]),
    }

    def render(layer, model, show):
        return charts.responsibility_grid((layer, model), show), _cell_panel(layer, model)

    explorer = Explorer(controls, render, title=tr("Who manages what"))
    heatmap = explorer.figure.data[0]
    if hasattr(heatmap, "on_click"):  # FigureWidget: clicking a cell selects it
        heatmap.on_click(lambda _trace, points, _state: select_cell(explorer, points))
    return explorer


def select_cell(explorer: Explorer, points) -> None:
    """Set the layer and model controls from a plotly click on the grid (`points.xs`/`.ys`)."""
    if not getattr(points, "xs", None) or not getattr(points, "ys", None):
        return
    column = [charts._column_title(m) for m in resp.MODELS].index(points.xs[0])
    row = [charts.layer_label(layer) for layer in resp.LAYERS].index(points.ys[0])
    explorer.controls["model"].value = resp.MODELS[column]
    explorer.controls["layer"].value = resp.LAYERS[row]


def _catalogue_panel(catalogue: Catalogue, model, provider) -> str:
    services = catalogue.filter(model=model, provider=provider)
    if not services:
        return f"<p>{tr('No service in the catalogue matches both filters.')}</p>"
    rows = []
    for s in services:
        source = tr(resp.MODEL_NAMES[s.source_model]) if s.source_model else tr("— (added)")
        note = f"<br><small>{html.escape(tr(s.note))}</small>" if s.note else ""
        rows.append(
            f"<tr><td><a href='{html.escape(s.docs)}' target='_blank' lang='en'>"
            f"{html.escape(s.name)}</a>{note}</td>"
            f"<td>{html.escape(tr(catalogue.providers[s.provider]))}</td>"
            f"<td>{tr(resp.MODEL_NAMES[s.model])}</td><td>{source}</td>"
            f"<td>{html.escape('; '.join(tr(x) for x in s.you_operate))}</td></tr>"
        )
    head = (
        tr("service"),
        tr("provider"),
        tr("model"),
        tr("the source's model"),
        tr("you still operate"),
    )
    count = tr("{count} service(s).", count=len(services))
    return f"<p>{count}</p>" + theme.table_html(head, rows, "msa-table")


def catalogue_explorer(catalogue: Catalogue | None = None) -> Explorer:
    """Filter the services by model and provider; colour by the source's two groupings."""
    catalogue = catalogue or default()
    any_ = [(tr("any"), ANY)]
    provider_options = [(tr(name), key) for key, name in catalogue.providers.items()]
    controls = {
        "model": _dropdown(tr("model"), any_ + _model_options(SERVICE_MODELS), ANY),
        "provider": _dropdown(tr("provider"), any_ + provider_options, ANY),
        "colour_by": _dropdown(tr("colour by"), menu(charts.COLOUR_BY), charts.COLOUR_BY[0]),
    }

    def render(model, provider, colour_by):
        model = None if model == ANY else model
        provider = None if provider == ANY else provider
        figure = charts.catalogue_map(catalogue, model, provider, colour_by)
        return figure, _catalogue_panel(catalogue, model, provider)

    # the static edition shows the grouping chapter 04's Notice asks about (where ECS sits)
    return Explorer(
        controls,
        render,
        title=tr("The service catalogue"),
        static={"colour_by": charts.COLOUR_BY[1]},
    )


def _services_for(v: Verdict, ranking: Ranking, catalogue: Catalogue) -> str:
    """What you would use for an option: the catalogue's services in a public cloud, the
    software you run yourself elsewhere."""
    if v.where == "hosted-private-cloud":
        return tr(
            "Run it yourself in the hosting provider's data centre: {software}.",
            software=html.escape(tr(SELF_RUN[v.model])),
        )
    if v.where != "public-cloud":
        return tr("Run it yourself: {software}.", software=html.escape(tr(SELF_RUN[v.model])))
    names = ", ".join(s.name for s in catalogue.filter(model=v.model))
    text = tr("Services: {names}.", names=charts.english(html.escape(names)))
    if v.model == "caas" and ranking.workload.portability != "none":
        text += " " + html.escape(
            tr(
                "For portability choose a Kubernetes-based one (EKS, AKS, GKE): ECS and Fargate "
                "task definitions are run by AWS's ECS service and do not move to another cloud."
            )
        )
    return text


def _ranking_panel(ranking: Ranking, catalogue: Catalogue) -> str:
    parts = [
        "<p><small>"
        + tr(
            "The operations points count layers of the responsibility grid. All other "
            "points are the course's judgement, not measurements: each reason says what it "
            "rests on."
        )
        + "</small></p>"
    ]
    if not ranking.best.fits:
        parts.append(
            "<p>"
            + tr(
                "<b>No option meets every requirement.</b> The least blocked come first; "
                "relax a requirement or add operations capacity."
            )
            + "</p>"
        )
    for i, v in enumerate(ranking.verdicts, start=1):
        items = "".join(
            f"<li>{tr('⛔ blocker') if r.blocker else f'{r.points:+g}'} "
            f"<i>{tr(FACTOR_LABELS[r.factor])}</i>: {html.escape(r.text)}</li>"
            for r in v.reasons
        )
        name = f"<b>{i}. {html.escape(v.name)}</b>"
        points = f"{v.score:+g}"
        summary = (
            tr("{name}: {points} points, fits", name=name, points=points)
            if v.fits
            else tr("{name}: {points} points, blocked", name=name, points=points)
        )
        parts.append(
            f"<details{' open' if i == 1 else ''}><summary>{summary}</summary>"
            f"<ul>{items}</ul><p><small>{_services_for(v, ranking, catalogue)}"
            "</small></p></details>"
        )
    return "".join(parts)


def hosting_chooser(catalogue: Catalogue | None = None) -> Explorer:
    """Describe a workload; see every option (a model in a place) ranked, with its reasons and
    the services or software it would use."""
    catalogue = catalogue or default()
    level = lambda description, value: widgets.SelectionSlider(  # noqa: E731
        options=menu(LEVELS),
        value=value,
        description=description,
        style=_STYLE,
        layout=_LAYOUT,
        continuous_update=False,
    )
    architecture = widgets.ToggleButtons(
        options=menu(ARCHITECTURES),
        value="microservices",
        description=tr("architecture"),
        style=_STYLE,
    )
    services = slider(widgets.IntSlider, tr("services"), 8, 1, 60, 1, style=_STYLE, layout=_LAYOUT)

    def one_service_for_a_monolith(change):  # registered before the Explorer's own observer
        if change["new"] == "monolith":
            services.value = 1
        services.disabled = change["new"] == "monolith"

    architecture.observe(one_service_for_a_monolith, names="value")
    controls = {
        "architecture": architecture,
        "services": services,
        "ops_capacity": level(tr("operations capacity"), "medium"),
        "portability": level(tr("portability need"), "low"),
        "traffic": _dropdown(tr("traffic"), menu(TRAFFIC), "daily-cycle"),
        "os_control": level(tr("OS-control need"), "none"),
        "placement": _dropdown(tr("may run"), menu(PLACEMENTS), PLACEMENTS[0]),
    }

    def render(**values):
        ranking = choose(**values)
        return charts.chooser_chart(ranking), _ranking_panel(ranking, catalogue)

    on_premises = {"placement": "on premises"}
    strong = {**on_premises, "ops_capacity": "high"}
    return Explorer(
        controls,
        render,
        title=tr("Which model, and where?"),
        static=[  # chapter 04's Notice, in its order
            (tr("Only on premises, with medium operations capacity."), on_premises),
            (tr("Only on premises, with high operations capacity."), strong),
            (
                tr("The same for a monolith that needs high OS control."),
                {**strong, "architecture": "monolith", "services": 1, "os_control": "high"},
            ),
        ],
    )
