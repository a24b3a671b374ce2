"""plotly's FigureWidget, with its 5 MB front-end bundle evaluated once per page.

anywidget loads a widget's `_esm` source through a fresh blob URL for every widget it
displays, so each FigureWidget made the browser compile plotly's whole bundle again: a
chapter with four explorers spent most of its Run All doing that. Here `_esm` is a small
module that imports the bundle once, keeps the promise on `globalThis` under a key derived
from the bundle's content, and hands every widget plotly's own widget for its model. Where
the Jupyter server serves the bundle (ui/bundle_server.py) the module imports it from there,
and a widget's state no longer carries the bundle's 5 MB at all.

anywidget gives a model 2 s to load its module and initialize, then gives up on it for good
("Failed to initialize model"): the view stays an empty plot that no control moves. On a busy
machine compiling the bundle takes longer than that, so the small module must not wait for
it: it loads at once, `initialize` returns at once, and `render` waits for the bundle and
plotly's own `initialize` before it draws.
"""

from __future__ import annotations

import functools
import json
import os

import plotly.graph_objects as go

from msa_course.ui import bundle_server


def _bundle_import() -> str:
    """The JavaScript expression that imports plotly's bundle: from the Jupyter server's URL
    when it serves this very bundle (ui/bundle_server.py), else from the bundle's own text."""
    url = os.environ.get(bundle_server.URL_ENV, "")
    if url.endswith(f"/plotly-widget-{bundle_server.bundle_digest()}.js"):
        return f"import(location.origin + {json.dumps(url)})"
    bundle = bundle_server.bundle_path().read_text(encoding="utf-8")
    return (
        f"import(URL.createObjectURL(new Blob([{json.dumps(bundle)}], "
        "{ type: 'text/javascript' })))"
    )


@functools.cache
def _shared_bundle_esm() -> str:
    key = "msa_course_plotly_widget_" + bundle_server.bundle_digest()
    return (
        f"const key = {json.dumps(key)};\n"
        f"const bundle = () => (globalThis[key] ??= {_bundle_import()});\n"
        "export default () => {\n"
        "  const widget = bundle().then((module) => module.default());\n"
        "  let initialized = widget;\n"
        "  return {\n"
        "    initialize(context) {\n"
        "      initialized = widget.then((w) => w.initialize?.(context));\n"
        "    },\n"
        "    async render(context) {\n"
        "      const w = await widget;\n"
        "      await initialized;\n"
        "      return w.render(context);\n"
        "    },\n"
        "  };\n"
        "};\n"
    )


@functools.cache
def figure_widget_class() -> type[go.FigureWidget]:
    """A FigureWidget subclass that shares one evaluated bundle per page."""
    return type(
        "FigureWidget", (go.FigureWidget,), {"_esm": _shared_bundle_esm(), "__module__": __name__}
    )
