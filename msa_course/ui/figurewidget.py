"""plotly's FigureWidget, with its 5 MB front-end bundle evaluated once per page.

anywidget loads a widget's `_esm` source through a fresh blob URL for every widget it
displays, so each FigureWidget made the browser compile plotly's whole bundle again: a
chapter with four explorers spent most of its Run All doing that. Here `_esm` is a small
module that imports the bundle once, keeps the promise on `globalThis` under a key derived
from the bundle's content, and hands every widget plotly's own widget for its model. Where
the Jupyter server serves the bundle (ui/bundle_server.py) the module imports it from there,
and a widget's state no longer carries the bundle's 5 MB at all.

anywidget gives a model 2 s from its creation to load its module and run `initialize`
(anywidget 0.11, src/runtime.ts `Runtime`: `AbortSignal.timeout(2000)` rejects its `ready`). Every
kernel message to the model goes through `AnyModel._handle_comm_msg` (src/widget.ts), which
awaits `ready`: past the 2 s it drops them all, silently (@jupyterlab/services
kernel/default.ts: `_handleCommMsg` awaits the handler, `_onWSMessage`'s chain swallows the
rejection). The figure's traces come in such messages (plotly's `BaseFigureWidget.__init__`
sets `_widget_data` after the comm opened), so the learner sees an empty plot that no control
moves. A main thread busy for 2 s as the model is created is enough (drawing another explorer on
a loaded workshop hub): no module, however small, loads while the thread is blocked. So:

- the module loads at once and `initialize` returns at once; `render` waits for the bundle and
  plotly's own `initialize` before it draws;
- `initialize` asks anywidget whether it gave up on the model: a message no handler knows, sent
  to `AnyModel._handle_comm_msg`, fails only then. If it did, the model's comm hands its
  messages straight to ipywidgets' handler (`WidgetModel._handle_comm_msg`, which anywidget's
  wraps), and the kernel sends the whole figure again (`RESEND`), which `render` waits for.
  (Straight, not queued behind plotly's `initialize`: plotly's view reads the traces only when
  it draws.) The model is found by the id the kernel gave it, `_msa_model_id`. When anywidget
  did not give up, the fast path, nothing changes: it delivers every message, once.
"""

from __future__ import annotations

import functools
import json
import os
import uuid
from copy import deepcopy

import plotly.graph_objects as go
import traitlets

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


# What the browser sends when anywidget gave up on a figure's model (see the module docstring).
RESEND = {"msa_course": "resend"}

# Keep the model hearing from the kernel after anywidget gave up on it (see the module docstring).
KEEP_LISTENING_JS = f"""async function keepListening(proxy) {{
  const model = await proxy.widget_manager.get_model(proxy.get("_msa_model_id"));
  try {{  // awaits anywidget's `ready`: fails only if anywidget gave up on the model
    await model._handle_comm_msg({{ content: {{ data: {{ method: "msa_course_probe" }} }} }});
    return;
  }} catch {{}}
  const ipywidgets = Object.getPrototypeOf(Object.getPrototypeOf(model))._handle_comm_msg;
  model.comm.on_msg((msg) => ipywidgets.call(model, msg));
  // the kernel is idle once it has sent the figure
  await new Promise((resolve) => model.send({json.dumps(RESEND)}, {{
    iopub: {{ status: (msg) => msg.content.execution_state === "idle" && resolve() }},
  }}));
  await model.state_change;
}}
"""


@functools.cache
def _shared_bundle_esm() -> str:
    key = "msa_course_plotly_widget_" + bundle_server.bundle_digest()
    return (
        f"const key = {json.dumps(key)};\n"
        f"const bundle = () => (globalThis[key] ??= {_bundle_import()});\n"
        f"{KEEP_LISTENING_JS}"
        "export default () => {\n"
        "  const widget = bundle().then((module) => module.default());\n"
        "  let initialized = widget;\n"
        "  return {\n"
        "    initialize(context) {\n"
        "      const listening = keepListening(context.model).catch((err) =>\n"
        '        console.error("msa_course: a figure lost its kernel messages", err));\n'
        "      initialized = Promise.all([widget.then((w) => w.initialize?.(context)), listening]);\n"
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
    """A FigureWidget subclass that shares one evaluated bundle per page and keeps hearing from
    the kernel when anywidget gave up on its model (see the module's docstring)."""

    class FigureWidget(go.FigureWidget):
        _esm = _shared_bundle_esm()
        # the model's own id, in the state the browser creates the model with
        _msa_model_id = traitlets.Unicode("").tag(sync=True)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.on_msg(self._resend)

        def open(self) -> None:
            if self.comm is None:  # the comm opens with the id chosen here
                self._model_id = self._model_id or uuid.uuid4().hex
                self._msa_model_id = self._model_id
            super().open()

        def _resend(self, _widget, content, _buffers) -> None:
            """Send the browser, which lost this figure's messages, every synced trait, with
            the figure as it is now (plotly's `_widget_data` and `_widget_layout` hold it as
            first sent; setting them may send them once more, which the browser takes as no
            change)."""
            if content == RESEND:
                self._widget_layout = deepcopy(self._layout_obj._props)
                self._widget_data = deepcopy(self._data)
                self.send_state()

    return FigureWidget
