"""plotly's FigureWidget, with its 5 MB front-end bundle evaluated once per page.

anywidget loads a widget's `_esm` source through a fresh blob URL for every widget it
displays, so each FigureWidget made the browser compile plotly's whole bundle again: a
chapter with four explorers spent most of its Run All doing that. Here `_esm` is a small
module that imports the bundle once, keeps the promise on `globalThis` under a key derived
from the bundle's content, and hands every later widget the same module.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import plotly.graph_objects as go
from plotly import basewidget


@functools.cache
def _shared_bundle_esm() -> str:
    bundle = (Path(basewidget.__file__).parent / "package_data" / "widgetbundle.js").read_text(
        encoding="utf-8"
    )
    key = "msa_course_plotly_widget_" + hashlib.sha256(bundle.encode()).hexdigest()[:16]
    return (
        f"const key = {json.dumps(key)};\n"
        "globalThis[key] ??= import(URL.createObjectURL(new Blob(\n"
        f"  [{json.dumps(bundle)}], {{ type: 'text/javascript' }})));\n"
        "export default (await globalThis[key]).default;\n"
    )


@functools.cache
def figure_widget_class() -> type[go.FigureWidget]:
    """A FigureWidget subclass that shares one evaluated bundle per page."""
    return type(
        "FigureWidget", (go.FigureWidget,), {"_esm": _shared_bundle_esm(), "__module__": __name__}
    )
