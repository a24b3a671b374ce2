"""The interactive layer map: pick or click a layer to see what it holds and where it is taught."""

from __future__ import annotations

import html

import ipywidgets as widgets

from msa_course.ui.explorer import Explorer
from msa_course.welcome.charts import layer_map
from msa_course.welcome.layers import BRACKETS, ENTRIES, LAYERS, SERVICE_MODELS, layer


def _describe(name: str) -> str:
    item = layer(name)
    if item.chapter:
        where = f"<a href='{item.chapter}.ipynb'>Chapter {item.chapter[:2]}</a> teaches it."
    else:
        where = "The courses that follow this one teach it."
    head = f"<h4>{html.escape(item.name)} (<span lang='ko'>{item.korean}</span>)</h4>"
    body = f"<p>{html.escape(item.contains)}</p>"
    if item == SERVICE_MODELS:
        body += (
            "<ul>"
            + "".join(
                f"<li><b>{b.model}</b>: the provider runs {html.escape(b.provider_runs)}.</li>"
                for b in BRACKETS
            )
            + "</ul>"
        )
    else:
        body += f"<p>Group in the source: <b>{item.group}</b>.</p>"
    return f"{head}{body}<p>{where}</p>"


def layer_map_explorer() -> Explorer:
    """Choose a layer (or click its bar) to read what it contains and which chapter covers it."""
    choice = widgets.Dropdown(
        options=[x.name for x in ENTRIES], value=LAYERS[0].name, description="Layer"
    )
    explorer = Explorer(
        {"layer": choice},
        lambda layer: (layer_map(layer), _describe(layer)),
        title="Layer map",
        static={"layer": SERVICE_MODELS.name},  # the Notice is about the brackets
    )
    for trace in explorer.figure.data:  # clicks reach Python only from a FigureWidget
        trace.on_click(lambda trace, points, _state: _select(choice, trace, points))
    return explorer


def _select(choice: widgets.Dropdown, trace, points) -> None:
    if points.point_inds:
        name = trace.customdata[points.point_inds[0]]
        if name in choice.options:
            choice.value = name
