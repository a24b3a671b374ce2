"""The shared frame: explorers update in place and show bad input as text; self-checks give
specific feedback and degrade to a question with a folded answer."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest

import msa_course
from msa_course.ui import selfcheck, theme
from msa_course.ui.explorer import Explorer

msa_course.setup_notebook()


def render(n, kind):
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    fig = theme.figure("demo", "x (s)", "y (units)")
    fig.add_scatter(x=np.arange(4), y=np.arange(4) * n, name="line")
    if kind == "two":
        fig.add_bar(x=[0], y=[n], name="bar")
    return fig, f"<p>n = {n}</p>"


def make():
    return Explorer(
        {
            "n": widgets.IntSlider(value=1, min=-5, max=10),
            "kind": widgets.Dropdown(options=["one", "two"]),
        },
        render,
        title="Demo",
    )


def test_explorer_updates_figure_in_place():
    ex = make()
    fig = ex.figure
    ex.controls["n"].value = 3
    assert ex.figure is fig, "the same FigureWidget is updated, not replaced"
    assert list(ex.figure.data[0].y) == [0, 3, 6, 9]
    assert ex.side.value == "<p>n = 3</p>"
    ex.controls["kind"].value = "two"
    assert [t.type for t in ex.figure.data] == ["scatter", "bar"]


def test_explorer_shows_value_error_and_keeps_last_chart():
    ex = make()
    ex.controls["n"].value = 2
    ex.controls["n"].value = -1
    assert "n must be &gt;= 0, got -1" in ex.message.value
    assert list(ex.figure.data[0].y) == [0, 2, 4, 6]
    ex.controls["n"].value = 4
    assert ex.message.value == ""


def test_explorer_actions_are_buttons_that_update():
    state = {"n": 1}
    ex = Explorer(
        {},
        lambda: render(state["n"], "one"),
        actions={"Double": lambda: state.update(n=state["n"] * 2)},
    )
    ex.controls["Double"].click()
    ex.controls["Double"].click()
    assert list(ex.figure.data[0].y) == [0, 4, 8, 12]


def test_static_fallback_carries_the_figure_as_html():
    data = make()._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "Plotly.newPlot" in data["text/html"] and "Demo" in data["text/html"]


def test_plain_mode_redraws_an_ordinary_figure():
    msa_course.setup_notebook(figures="plain")
    try:
        ex = make()
        ex.controls["n"].value = 5
        assert type(ex.figure).__name__ == "Figure"
        assert list(ex.figure.data[0].y) == [0, 5, 10, 15]
    finally:
        msa_course.setup_notebook()


def test_setup_rejects_unknown_mode():
    with pytest.raises(ValueError, match="figures must be one of"):
        msa_course.setup_notebook(figures="fancy")


def test_theme_is_colour_blind_safe_and_projector_sized():
    fig = theme.figure("t", "time (s)", "load (%)")
    assert fig.layout.xaxis.title.text == "time (s)"
    assert fig.layout.template.layout.font.size >= 16
    assert theme.COLORWAY[0] == "#0072B2"


def test_choice_explains_each_wrong_option():
    q = selfcheck.choice("Q?", ["a", "b", "c"], "a", {"b": "b is slow", "c": "c is old"})
    q.input.value = "c"
    assert q.check().message == "c is old" and "Not yet" in q.feedback.value
    q.input.value = "a"
    assert q.check().correct and "Correct" in q.feedback.value


def test_choice_demands_a_reason_for_every_wrong_option():
    with pytest.raises(ValueError, match="missing for \\['c'\\]"):
        selfcheck.choice("Q?", ["a", "b", "c"], "a", {"b": "no"})


def test_numeric_tolerance_and_hints():
    q = selfcheck.numeric(
        "How many?", 12, tolerance=0.5, unit="nodes", hints={6: "That is half: count both zones."}
    )
    assert q.evaluate(12.4).correct
    assert q.evaluate(6).message == "That is half: count both zones."
    assert "too high" in q.evaluate(20).message and "too low" in q.evaluate(1).message
    assert not q.evaluate(None).correct


def test_short_answer_patterns_and_hints():
    q = selfcheck.short(
        "Korean for bare metal?",
        [r"베어\s*메탈"],
        answer="베어 메탈",
        hints={"클라우드": "That is cloud."},
    )
    assert q.evaluate("베어메탈").correct
    assert q.evaluate("클라우드").message == "That is cloud."
    assert not q.evaluate("").correct


def test_selfcheck_degrades_to_question_and_folded_answer():
    q = selfcheck.numeric("How <i>many</i>?", 3)
    data = q._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "<details>" in data["text/html"] and "How <i>many</i>?" in data["text/html"]
    assert data["text/plain"] == "How many?\n(Answer: 3)"


def test_figure_widgets_share_one_bundle_module_per_page():
    """Every explorer's FigureWidget carries the same small loader around plotly's bundle,
    which the page evaluates once (the browser tests show the plots drawing)."""
    from msa_course.ui.figurewidget import figure_widget_class

    first, second = figure_widget_class()(), figure_widget_class()()
    assert first._esm == second._esm and "globalThis[key] ??= import(" in first._esm
    # no top-level await: anywidget gives a model 2 s to load its module and initialize
    assert "export default () => {" in first._esm and "\nexport default (await" not in first._esm
    assert isinstance(make().figure, figure_widget_class())


def test_a_figure_sends_itself_whole_when_the_browser_lost_its_messages(monkeypatch):
    """The browser asks (figurewidget.RESEND) when anywidget gave up on a figure's model: the
    kernel then sends every synced trait, with the figure as it is now, not as first sent."""
    from msa_course.ui.figurewidget import RESEND, figure_widget_class

    fig = figure_widget_class()(go.Figure(go.Scatter(y=[1])))
    assert fig._msa_model_id == fig.model_id, "the browser finds its model by this id"
    fig.add_trace(go.Bar(y=[2]))  # sent as a message, which the browser may have lost
    sent = []
    monkeypatch.setattr(fig, "send_state", lambda key=None: sent.append(fig.get_state(key)))
    fig._handle_custom_msg({"another": "message"}, [])
    assert sent == []
    fig._handle_custom_msg(RESEND, [])
    assert set(sent[-1]) == set(fig.keys)
    assert [t["type"] for t in sent[-1]["_widget_data"]] == ["scatter", "bar"]


def test_static_edition_shows_the_state_the_notice_describes():
    ex = Explorer(make().controls, render, title="Demo", static={"n": 7, "kind": "two"})
    assert list(ex.figure.data[0].y) == [0, 1, 2, 3], "the live explorer starts at its controls"
    ((caption, figure, side),) = ex.static_states()
    assert caption == "" and list(figure.data[0].y) == [0, 7, 14, 21] and side == "<p>n = 7</p>"
    assert [t.type for t in figure.data] == ["scatter", "bar"]
    assert "n = 7" in ex.static_html() and "msa-static-state" not in ex.static_html()
    called = Explorer({}, lambda: render(1, "one"), static=lambda: render(9, "one"))
    assert list(called.static_states()[0].figure.data[0].y) == [0, 9, 18, 27]
    with pytest.raises(ValueError, match=r"static names no control or argument of render \['m'\]"):
        Explorer(make().controls, render, static={"m": 1})


def test_static_edition_shows_each_state_the_notice_describes_in_its_order():
    """Several states, one under another under their captions, in one static figure; one
    whose render refuses its input shows the message the live explorer would show."""

    def scaled(n, kind, scale=1):
        return render(n * scale, kind)

    ex = Explorer(
        make().controls,
        scaled,
        title="Demo",
        static=[
            ("Seven.", {"n": 7}),
            ("Seven, doubled by an argument no control sets.", {"n": 7, "scale": 2}),
            ("Through an action.", lambda: render(5, "two")),
            ("Negative.", {"n": -2}),
        ],
    )
    states = ex.static_states()
    assert [s.caption for s in states] == [
        "Seven.",
        "Seven, doubled by an argument no control sets.",
        "Through an action.",
        "Negative.",
    ]
    assert [list(s.figure.data[0].y)[1] for s in states[:3]] == [7, 14, 5]
    assert states[3].figure is None and "n must be &gt;= 0, got -2" in states[3].side
    page = ex.static_html()
    assert page.count("class='msa-static-figure'") == 1 and page.count("msa-static-state") == 4
    assert page.count('class="plotly-graph-div"') == 3
    assert page.index("Seven.") < page.index("Through an action.") < page.index("Negative.")
    assert ex.values == {"n": 1, "kind": "one"}, "the live explorer starts at its controls"
    with pytest.raises(ValueError, match="each of several static states needs a caption"):
        Explorer(make().controls, render, static=[("One.", {"n": 1}), ("", {"n": 2})])


def test_static_figures_carry_no_hidden_traces_and_half_the_bytes():
    """A static page holds every state's data: traces an explorer keeps hidden to patch in
    place are left out, and coordinates go as float32 (plotly's base64 'f4')."""

    def spare(n):
        fig = theme.figure("demo")
        fig.add_scatter(x=np.linspace(0, 1, 500), y=np.linspace(0, n, 500), name="drawn")
        fig.add_scatter(x=np.linspace(0, 1, 500), y=np.zeros(500), visible=False, name="spare")
        return fig

    ex = Explorer({"n": widgets.IntSlider(value=3)}, spare)
    page = ex.static_html()
    assert '"name":"drawn"' in page and '"name":"spare"' not in page
    assert '"dtype":"f4"' in page and '"dtype":"f8"' not in page
    assert len(page) < 0.6 * len(theme.html_fallback(ex.figure))


def test_terminal_text_keeps_its_columns_in_every_viewer():
    block = theme.pre_html("NAME   READY\nweb-1  1/1 <ok>")
    assert "monospace" in block and "white-space:pre;" in block and "&lt;ok&gt;" in block


# Charts that explorers redraw are built with theme.from_dicts, which skips plotly's
# validation; here plotly validates them, so a wrong property or value still fails a test.
def _explorers_drawing_dict_charts():
    from msa_course.cloud.widgets import hosting_chooser
    from msa_course.images.widgets import image_layer_explorer
    from msa_course.infra.widgets import consolidation_explorer, provisioning_explorer
    from msa_course.orchestration.widgets import (
        autoscaling_explorer,
        binpacking_explorer,
        self_healing_explorer,
    )

    return [
        image_layer_explorer(),
        hosting_chooser(),
        provisioning_explorer(days=30),
        consolidation_explorer(),
        self_healing_explorer(),
        autoscaling_explorer(),
        binpacking_explorer(),
    ]


def test_charts_built_from_dicts_are_what_plotly_validates():
    import json

    import plotly.graph_objects as go
    import plotly.io as pio

    for explorer in _explorers_drawing_dict_charts():
        fig, _side = explorer._run()
        checked = go.Figure(fig.to_dict())  # raises on an invalid property or value
        assert json.loads(pio.to_json(checked)) == json.loads(pio.to_json(fig)), explorer.title


def test_validation_catches_what_from_dicts_lets_through():
    import plotly.graph_objects as go

    fig = theme.from_dicts([dict(type="scatter", x=[1], y=[1], colour="red")], {})
    with pytest.raises(ValueError, match="colour"):
        go.Figure(fig.to_dict())


def test_figure_widgets_load_plotly_from_the_server_only_when_it_serves_the_same_bundle(
    monkeypatch,
):
    """Under a server with msa_course.ui.bundle_server the loader imports the bundle by URL
    (a widget's state no longer carries 5 MB); under any other server, or one serving another
    plotly's bundle, the loader carries the bundle itself."""
    from msa_course.ui import bundle_server, figurewidget

    served = bundle_server.bundle_route("/user/ana/")
    monkeypatch.setenv(bundle_server.URL_ENV, served)
    assert figurewidget._bundle_import() == f'import(location.origin + "{served}")'
    for elsewhere in (served.replace(bundle_server.bundle_digest(), "0" * 16), None):
        if elsewhere is None:
            monkeypatch.delenv(bundle_server.URL_ENV)
        else:
            monkeypatch.setenv(bundle_server.URL_ENV, elsewhere)
        inline = figurewidget._bundle_import()
        assert inline.startswith("import(URL.createObjectURL(new Blob([") and len(inline) > 10**6
