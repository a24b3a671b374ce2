"""The interactive layer map: pick or click a layer to see what it holds and where it is taught."""

from __future__ import annotations

import html

import ipywidgets as widgets

from msa_course.ui.explorer import Explorer
from msa_course.welcome.charts import layer_map
from msa_course.welcome.layers import LAYERS, layer


def _describe(name: str) -> str:
    item = layer(name)
    where = (
        f"<a href='{item.chapter}.ipynb'>chapter {item.chapter[:2]}</a>"
        if item.chapter
        else "the courses that follow this one"
    )
    return (
        f"<h4>{html.escape(item.name)} (<span lang='ko'>{item.korean}</span>)</h4>"
        f"<p>{html.escape(item.contains)}</p><p>Group: <b>{item.group}</b>. "
        f"Taught in {where}.</p>"
    )


def layer_map_explorer() -> Explorer:
    """Choose a layer (or click its bar) to read what it contains and which chapter covers it."""
    choice = widgets.Dropdown(
        options=[x.name for x in LAYERS], value=LAYERS[0].name, description="Layer"
    )
    explorer = Explorer(
        {"layer": choice}, lambda layer: (layer_map(layer), _describe(layer)), title="Layer map"
    )
    for trace in explorer.figure.data:  # clicks reach Python only from a FigureWidget
        trace.on_click(lambda _trace, points, _state: _select(choice, points))
    return explorer


def _select(choice: widgets.Dropdown, points) -> None:
    if points.point_inds:
        name = points.ys[0] if points.ys else None
        if name in choice.options:
            choice.value = name
