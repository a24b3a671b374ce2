"""The frame every explorer shares: controls -> model -> chart, updated in place.

A chapter writes a pure `render(**values)` that runs its model and returns a plotly figure
(optionally with an HTML side panel: tables, explanations). `Explorer` wires the controls to
it, updates the figure in place (FigureWidget + batch_update), shows a learner's bad input as
a message instead of a traceback, and carries a static fallback for viewers without widgets.
Tests drive it as a learner would: set `explorer.controls[name].value` or `.click()` a button,
then read `explorer.figure.data`.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from msa_course import figure_mode
from msa_course.i18n import tr
from msa_course.ui import theme
from msa_course.ui.fallback import StaticFallback
from msa_course.ui.figurewidget import figure_widget_class

RenderResult = go.Figure | tuple[go.Figure, str]
State = Mapping[str, object] | Callable[[], RenderResult]


class StaticState(NamedTuple):
    """One state of a static edition: its caption ("" when it is the only one), figure, panel."""

    caption: str
    figure: go.Figure | None  # None: the state is the explorer's message (a bad input's)
    side: str


class Explorer(StaticFallback, widgets.VBox):
    """An interactive: `controls` (name -> widget with .value), `render(**values)`, `actions`.

    `actions` maps a button label to a callable run on click (it changes state the render
    closure reads, e.g. "kill a pod"); the buttons appear in `controls` under their label,
    which stays English (tests click `controls["Kill a pod"]`), and show it through `tr()`
    (mark the labels with `N_` where they are defined).

    `static` is what a viewer without a kernel shows (GitHub, nbviewer, the static site): the
    state the chapter's Notice describes, since nobody can move a control there. A state is
    either values for `render` (name -> value: controls, whose others keep their starting
    values, or an argument of `render` that no control sets, such as a coarser `max_points`)
    or a zero-argument callable returning what `render` returns (for a state reached through
    actions). A state whose render raises ValueError shows its message, as the live explorer
    would. When the Notice describes several states, `static` is a list of (caption, state)
    pairs in the Notice's order, drawn one under another, each under its caption (a whole
    sentence through `tr()`). Without it, the starting state is shown. The live explorer
    always starts at its controls' own values.
    """

    def __init__(
        self,
        controls: Mapping[str, widgets.Widget],
        render: Callable[..., RenderResult],
        *,
        title: str = "",
        actions: Mapping[str, Callable[[], None]] | None = None,
        controls_per_row: int = 3,
        static: State | Sequence[tuple[str, State]] | None = None,
    ):
        self.controls: dict[str, widgets.Widget] = dict(controls)
        self._static = _static_states(static, {*self.controls, *_keywords(render)})
        self._render = render
        self.title = title
        self.message = widgets.HTML(layout=widgets.Layout(min_height="0"))
        self.message.add_class("msa-explorer-message")
        self.side = widgets.HTML()
        self.update_count = 0
        figure, side = self._run()  # defaults must be valid: a failure here is a course bug
        self.side.value = side
        if figure_mode() == "widget":
            self.figure: go.Figure = figure_widget_class()(figure)
            self.figure._msa_last = _plotly_json(figure)
            view: widgets.Widget = self.figure
        else:
            self.figure = figure
            self._output = widgets.Output()
            self._draw_plain()
            view = self._output
        for control in self.controls.values():
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
        for label, action in (actions or {}).items():
            button = widgets.Button(description=tr(label), layout=widgets.Layout(width="auto"))
            button.on_click(lambda _b, act=action: self._act(act))
            self.controls[label] = button
        rows = _rows(list(self.controls.values()), controls_per_row)
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        super().__init__(children=[*header, *rows, self.message, view, self.side])
        self.add_class("msa-explorer")

    @property
    def values(self) -> dict:
        """The current value of every control that has one."""
        return {k: w.value for k, w in self.controls.items() if hasattr(w, "value")}

    def update(self) -> None:
        """Re-run the model with the current values and redraw; show a ValueError as text."""
        try:
            figure, side = self._run()
        except ValueError as err:
            self.message.value = _message_html(err)
            return
        self.message.value = ""
        self.side.value = side
        if figure_mode() == "widget":
            _replace_in_place(self.figure, figure)
        else:
            self.figure = figure
            self._draw_plain()
        self.update_count += 1

    def _run(self, overrides: Mapping[str, object] | None = None) -> tuple[go.Figure, str]:
        result = self._render(**{**self.values, **(overrides or {})})
        return _pair(result)

    def static_states(self) -> list[StaticState]:
        """What a viewer without a kernel shows (see `static`), state by state."""
        if not self._static:
            return [StaticState("", go.Figure(self.figure), self.side.value)]
        states = []
        for caption, state in self._static:
            try:
                figure, side = _pair(state()) if callable(state) else self._run(state)
            except ValueError as err:  # a state that shows the explorer's message
                figure, side = None, _message_html(err)
            states.append(StaticState(caption, figure, side))
        return states

    def _on_change(self, _change) -> None:
        self.update()

    def _act(self, action: Callable[[], None]) -> None:
        try:
            action()
        except ValueError as err:
            self.message.value = _message_html(err)
            return
        self.update()

    def _draw_plain(self) -> None:
        from IPython.display import display

        with self._output:
            self._output.clear_output(wait=True)
            display(self.figure)

    def static_html(self) -> str:
        """The static states' figures (and side panels) for viewers with no widget front-end:
        one `msa-static-figure` per explorer, one `msa-static-state` in it per captioned state."""
        title = f"<p><b>{html.escape(self.title)}</b></p>" if self.title else ""
        parts = []
        for caption, figure, side in self.static_states():
            drawn = (theme.html_fallback(_compact(figure)) if figure else "") + side
            if caption:
                drawn = (
                    f"<div class='msa-static-state' style='{_STATE_STYLE}'><p "
                    f"class='msa-static-caption'><b>{html.escape(caption)}</b></p>{drawn}</div>"
                )
            parts.append(drawn)
        return f"<div class='msa-static-figure'>{title}{''.join(parts)}</div>"


_STATE_STYLE = "margin-top:1em;padding-top:0.6em;border-top:1px solid #ddd"  # states set apart


def slider(kind, description: str, value, low, high, step, fmt: str | None = None, **look):
    """A `kind` slider (IntSlider, FloatSlider) that reports a move once it is released, so
    the model runs once per move; `fmt` its readout format, `look` its style and layout."""
    extra = {"readout_format": fmt} if fmt else {}
    return kind(value=value, min=low, max=high, step=step, description=description,
                continuous_update=False, **look, **extra)  # fmt: skip


def _static_states(static, names: set[str]) -> list[tuple[str, State]]:
    """`static` as (caption, state) pairs, every name in them checked against `names`."""
    if static is None:
        return []
    pairs = [("", static)] if isinstance(static, Mapping) or callable(static) else list(static)
    for caption, state in pairs:
        if len(pairs) > 1 and not caption:
            raise ValueError("each of several static states needs a caption")
        unknown = sorted(set(state) - names) if isinstance(state, Mapping) else []
        if unknown:
            raise ValueError(
                f"static names no control or argument of render {unknown}; "
                f"those are: {sorted(names)}"
            )
    return pairs


def _keywords(render: Callable) -> set[str]:
    """The arguments `render` takes by name: a static state may also set one that is not a
    control (a coarser `max_points`, say, to keep a static page small)."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {p.name for p in inspect.signature(render).parameters.values() if p.kind in kinds}


def _message_html(err: ValueError) -> str:
    """A learner's bad input, said in place of a traceback (class msa-message)."""
    text = html.escape(str(err))
    return f"<div class='msa-message' style='color:#D55E00;font-weight:bold'>{text}</div>"


def _pair(result: RenderResult) -> tuple[go.Figure, str]:
    return result if isinstance(result, tuple) else (result, "")


def _compact(figure: go.Figure) -> go.Figure:
    """The figure as a static page needs it: no hidden traces (an explorer keeps spare ones to
    patch in place), coordinates as float32 (half the bytes; 7 digits are plenty to draw)."""
    traces = []
    for trace in _plotly_json(figure)["data"]:
        if trace.get("visible") is False:
            continue
        for key in ("x", "y", "base"):
            value = trace.get(key)
            if isinstance(value, np.ndarray) and value.dtype == np.float64:
                trace[key] = value.astype(np.float32)
        traces.append(trace)
    return go.Figure(data=traces, layout=figure.layout)


def _rows(items: list[widgets.Widget], per_row: int) -> list[widgets.Widget]:
    return [widgets.HBox(items[i : i + per_row]) for i in range(0, len(items), per_row)]


def _replace_in_place(target: go.FigureWidget, new: go.Figure) -> None:
    """Copy `new` into `target`, sending only what changed, in one message to the front-end.

    Traces of the same count and types are patched property by property (the plot moves
    rather than flashing); otherwise the traces are replaced. Patching only the changed
    properties matters: plotly validates every property it is given, and re-validating a
    dozen unchanged traces cost more than running a chapter's model.
    """
    fresh = _plotly_json(new)
    last = getattr(target, "_msa_last", None)
    same_shape = (
        last is not None
        and len(target.data) == len(new.data)
        and all(a.type == b.type for a, b in zip(target.data, new.data))
    )
    if not same_shape:
        target.data = ()
        target.add_traces(list(new.data))
        with target.batch_update():
            target.layout.update(fresh["layout"], overwrite=True)
    else:
        with target.batch_update():
            for trace, old, now in zip(target.data, last["data"], fresh["data"]):
                patch = _diff(old, now)
                if patch:
                    trace.update(patch)
            patch = _diff(last["layout"], fresh["layout"])
            if patch:
                target.layout.update(patch)
    target._msa_last = fresh


def _plotly_json(figure: go.Figure) -> dict:
    """The figure's validated properties as plain dicts, arrays kept as numpy arrays.

    (`to_plotly_json` would encode arrays as base64 strings, which cannot be patched.)
    """
    layout = {k: v for k, v in figure.layout._props.items() if k != "template"}
    return {"data": [dict(t._props) for t in figure.data], "layout": layout}


def _diff(old: dict, new: dict) -> dict:
    """The properties of `new` that differ from `old` (nested); removed ones become None."""
    patch = {}
    for key, value in new.items():
        before = old.get(key, _MISSING)
        if isinstance(value, dict) and isinstance(before, dict):
            sub = _diff(before, value)
            if sub:
                patch[key] = sub
        elif not _same(before, value):
            patch[key] = value
    for key in old.keys() - new.keys():
        patch[key] = None
    return patch


_MISSING = object()


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return bool(np.array_equal(a, b))
        except (TypeError, ValueError):
            return False
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
