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
from msa_course.ui.explorer import Explorer

_STYLE = {"description_width": "11em"}
_LAYOUT = widgets.Layout(width="26em")
ANY = "any"
# Readable on white: the grid's yellow and sky are too light for text.
_TEXT_COLOURS = {"you": "#D55E00", "shared": "#8a7a00", "provider": "#0072B2"}


def _dropdown(description, options, value):
    return widgets.Dropdown(
        options=options, value=value, description=description, style=_STYLE, layout=_LAYOUT
    )


def _cell_panel(layer: str, model: str) -> str:
    cell = resp.cell(layer, model)
    official = resp.microsoft_view(layer, model)
    if official:
        rows = "; ".join(f"“{name}”: {entry}" for name, entry in official)
        basis = f"Microsoft's official matrix: {html.escape(rows)}."
    elif model in resp.CONVENTION_MODELS:
        basis = (
            f"{resp.MODEL_NAMES[model]} has no NIST definition and no official "
            "responsibility matrix: this column is the usual convention (figures.md §5)."
        )
    else:
        basis = "Microsoft's matrix has no row for this layer: this cell is the usual convention."
    nist = resp.NIST_DEFINITIONS.get(model)
    nist_html = f"<p><i>NIST SP 800-145, {resp.MODEL_NAMES[model]}:</i> {nist}</p>" if nist else ""
    return (
        f"<h4>{html.escape(layer)} under {resp.MODEL_NAMES[model]}: "
        f"<span style='color:{_TEXT_COLOURS[cell.who]}'>"
        f"{cell.who}</span></h4><p>{html.escape(cell.reason)}</p><p><small>{basis}</small></p>"
        f"{nist_html}"
    )


def responsibility_explorer() -> Explorer:
    """The stack as a grid, models side by side; pick (or click) a cell to read its reason."""
    controls = {
        "layer": _dropdown("layer", list(reversed(resp.LAYERS)), "operating system"),
        "model": _dropdown("model", [(resp.MODEL_NAMES[m], m) for m in resp.MODELS], "caas"),
        "show": _dropdown("show", list(charts.SHOW_OPTIONS), charts.SHOW_OPTIONS[0]),
    }

    def render(layer, model, show):
        return charts.responsibility_grid((layer, model), show), _cell_panel(layer, model)

    explorer = Explorer(controls, render, title="Who manages what")
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
        return "<p>No service in the catalogue matches both filters.</p>"
    rows = []
    for s in services:
        source = resp.MODEL_NAMES[s.source_model] if s.source_model else "— (added)"
        note = f"<br><small>{html.escape(s.note)}</small>" if s.note else ""
        rows.append(
            f"<tr><td><a href='{html.escape(s.docs)}' target='_blank'>{html.escape(s.name)}</a>"
            f"{note}</td><td>{html.escape(catalogue.providers[s.provider])}</td>"
            f"<td>{resp.MODEL_NAMES[s.model]}</td><td>{source}</td>"
            f"<td>{html.escape('; '.join(s.you_operate))}</td></tr>"
        )
    head = (
        "<tr><th>service</th><th>provider</th><th>model</th><th>the source's model</th>"
        "<th>you still operate</th></tr>"
    )
    return (
        f"<p>{len(services)} service(s).</p><table class='msa-table'>{head}{''.join(rows)}</table>"
    )


def catalogue_explorer(catalogue: Catalogue | None = None) -> Explorer:
    """Filter the services by model and provider; colour by the source's two groupings."""
    catalogue = catalogue or default()
    model_options = [(ANY, ANY)] + [(resp.MODEL_NAMES[m], m) for m in SERVICE_MODELS]
    provider_options = [(ANY, ANY)] + [(name, key) for key, name in catalogue.providers.items()]
    controls = {
        "model": _dropdown("model", model_options, ANY),
        "provider": _dropdown("provider", provider_options, ANY),
        "colour_by": _dropdown("colour by", list(charts.COLOUR_BY), charts.COLOUR_BY[0]),
    }

    def render(model, provider, colour_by):
        model = None if model == ANY else model
        provider = None if provider == ANY else provider
        figure = charts.catalogue_map(catalogue, model, provider, colour_by)
        return figure, _catalogue_panel(catalogue, model, provider)

    # the static edition shows the grouping chapter 04's Notice asks about (where ECS sits)
    return Explorer(
        controls, render, title="The service catalogue", static={"colour_by": charts.COLOUR_BY[1]}
    )


def _services_for(v: Verdict, ranking: Ranking, catalogue: Catalogue) -> str:
    """What you would use for an option: the catalogue's services in a public cloud, the
    software you run yourself elsewhere."""
    if v.where != "public-cloud":
        where = "in the hosting provider's data centre" if v.where == "hosted-private-cloud" else ""
        return f"Run it yourself{' ' + where if where else ''}: {SELF_RUN[v.model]}."
    names = ", ".join(s.name for s in catalogue.filter(model=v.model))
    text = f"Services: {names}."
    if v.model == "caas" and ranking.workload.portability != "none":
        text += (
            " For portability choose a Kubernetes-based one (EKS, AKS, GKE): ECS and Fargate "
            "task definitions are run by AWS's ECS service and do not move to another cloud."
        )
    return text


def _ranking_panel(ranking: Ranking, catalogue: Catalogue) -> str:
    parts = [
        "<p><small>The operations points count layers of the responsibility grid. All other "
        "points are the course's judgement, not measurements: each reason says what it rests "
        "on.</small></p>"
    ]
    if not ranking.best.fits:
        parts.append(
            "<p><b>No option meets every requirement.</b> The least blocked come first; "
            "relax a requirement or add operations capacity.</p>"
        )
    for i, v in enumerate(ranking.verdicts, start=1):
        status = "fits" if v.fits else "blocked"
        items = "".join(
            f"<li>{'⛔ blocker' if r.blocker else f'{r.points:+g}'} <i>{FACTOR_LABELS[r.factor]}</i>: "
            f"{html.escape(r.text)}</li>"
            for r in v.reasons
        )
        parts.append(
            f"<details{' open' if i == 1 else ''}><summary><b>{i}. "
            f"{html.escape(v.name)}</b>: {v.score:+g} points, {status}</summary>"
            f"<ul>{items}</ul><p><small>{html.escape(_services_for(v, ranking, catalogue))}"
            "</small></p></details>"
        )
    return "".join(parts)


def hosting_chooser(catalogue: Catalogue | None = None) -> Explorer:
    """Describe a workload; see every option (a model in a place) ranked, with its reasons and
    the services or software it would use."""
    catalogue = catalogue or default()
    level = lambda description, value: widgets.SelectionSlider(  # noqa: E731
        options=LEVELS,
        value=value,
        description=description,
        style=_STYLE,
        layout=_LAYOUT,
        continuous_update=False,
    )
    architecture = widgets.ToggleButtons(
        options=ARCHITECTURES, value="microservices", description="architecture", style=_STYLE
    )
    services = widgets.IntSlider(
        value=8,
        min=1,
        max=60,
        description="services",
        style=_STYLE,
        layout=_LAYOUT,
        continuous_update=False,
    )

    def one_service_for_a_monolith(change):  # registered before the Explorer's own observer
        if change["new"] == "monolith":
            services.value = 1
        services.disabled = change["new"] == "monolith"

    architecture.observe(one_service_for_a_monolith, names="value")
    controls = {
        "architecture": architecture,
        "services": services,
        "ops_capacity": level("operations capacity", "medium"),
        "portability": level("portability need", "low"),
        "traffic": _dropdown("traffic", list(TRAFFIC), "daily-cycle"),
        "os_control": level("OS-control need", "none"),
        "placement": _dropdown("may run", list(PLACEMENTS), PLACEMENTS[0]),
    }

    def render(**values):
        ranking = choose(**values)
        return charts.chooser_chart(ranking), _ranking_panel(ranking, catalogue)

    # the static edition shows the state chapter 04's Notice describes
    return Explorer(
        controls, render, title="Which model, and where?", static={"placement": "on premises"}
    )
