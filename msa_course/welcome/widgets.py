"""The interactive layer map: pick or click a layer to see what it holds and where it is taught."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from msa_course.i18n import language, menu, tr
from msa_course.ui.explorer import Explorer
from msa_course.welcome.charts import layer_map
from msa_course.welcome.layers import BRACKETS, ENTRIES, LAYERS, SERVICE_MODELS, layer


def _describe(name: str) -> str:
    item = layer(name)
    if item.chapter:
        link = f"<a href='{_chapter_link(item.chapter)}'>{tr('Chapter {number}', number=item.chapter[:2])}</a>"
        where = tr("{chapter} teaches it.", chapter=link)
    else:
        where = tr("The courses that follow this one teach it.")
    if language() == "en":
        head = f"<h4>{html.escape(item.name)} (<span lang='ko'>{item.korean}</span>)</h4>"
    else:
        head = f"<h4>{html.escape(tr(item.name))} ({html.escape(item.name)})</h4>"
    body = f"<p>{html.escape(tr(item.contains))}</p>"
    if item == SERVICE_MODELS:
        body += (
            "<ul>"
            + "".join(
                "<li>"
                + tr(
                    "{model}: the provider runs {what}.",
                    model=f"<b>{b.model}</b>",
                    what=html.escape(tr(b.provider_runs)),
                )
                + "</li>"
                for b in BRACKETS
            )
            + "</ul>"
        )
    else:
        group = f"<b>{html.escape(tr(item.group))}</b>"
        body += f"<p>{tr('Group in the source: {group}.', group=group)}</p>"
    return f"{head}{body}<p>{where}</p>"


def _chapter_link(stem: str) -> str:
    """The chapter's notebook, relative to this one: the same folder, or for a translated
    notebook whose chapter is not translated yet, the English one above it."""
    if language() == "en" or Path(f"{stem}.ipynb").exists():
        return f"{stem}.ipynb"
    return f"../{stem}.ipynb"


def layer_map_explorer() -> Explorer:
    """Choose a layer (or click its bar) to read what it contains and which chapter covers it."""
    choice = widgets.Dropdown(
        options=menu(x.name for x in ENTRIES),
        value=LAYERS[0].name,
        description=tr("Layer"),
    )
    explorer = Explorer(
        {"layer": choice},
        lambda layer: (layer_map(layer), _describe(layer)),
        title=tr("Layer map"),
        static={"layer": SERVICE_MODELS.name},  # the Notice is about the brackets
    )
    for trace in explorer.figure.data:  # clicks reach Python only from a FigureWidget
        trace.on_click(lambda trace, points, _state: _select(choice, trace, points))
    return explorer


def _select(choice: widgets.Dropdown, trace, points) -> None:
    if points.point_inds:
        name = trace.customdata[points.point_inds[0]]
        if name in {x.name for x in ENTRIES}:
            choice.value = name
