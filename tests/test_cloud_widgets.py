"""Chapter 04's explorers, driven as a learner would: set a control, read the figure."""

import re
from types import SimpleNamespace

import pytest

import msa_course
from msa_course.cloud import charts, widgets
from msa_course.cloud import responsibility as resp
from msa_course.cloud.chooser import MODELS, WHERE, option_name


@pytest.fixture(autouse=True)
def _widget_mode():
    msa_course.setup_notebook()


def _highlight(ex):
    (shape,) = ex.figure.layout.shapes
    return shape.x0 + 0.5, shape.y0 + 0.5


def test_responsibility_explorer_shows_the_reason_of_the_chosen_cell():
    ex = widgets.responsibility_explorer()
    ex.controls["layer"].value = "middleware"
    ex.controls["model"].value = "paas"
    assert "middleware under PaaS" in ex.side.value
    assert "middleware and runtime included" in ex.side.value  # the source's own claim
    layers = list(resp.LAYERS)
    assert _highlight(ex) == (resp.MODELS.index("paas"), layers.index("middleware"))
    grid = ex.figure.data[0]
    assert grid.text[layers.index("middleware")][resp.MODELS.index("paas")] == "provider"


def test_the_grid_stacks_hardware_at_the_bottom_like_chapter_02():
    """plotly draws a heatmap's first row at the bottom: the servers sit below the OS, which
    sits below the application, as in chapter 02's stacks."""
    rows = list(widgets.responsibility_explorer().figure.data[0].y)
    assert rows.index("servers") < rows.index("operating system") < rows.index("application")
    assert rows[-1] == "data"


def test_convention_columns_are_said_to_be_convention():
    ex = widgets.responsibility_explorer()
    ex.controls["model"].value = "faas"
    assert "no official" in ex.side.value and "convention" in ex.side.value
    ex.controls["model"].value = "iaas"
    ex.controls["layer"].value = "operating system"
    assert "Microsoft's official matrix" in ex.side.value
    assert "NIST SP 800-145" in ex.side.value


def test_official_only_view_greys_convention_cells():
    ex = widgets.responsibility_explorer()
    ex.controls["show"].value = charts.SHOW_OPTIONS[1]
    z = ex.figure.data[0].z
    caas = resp.MODELS.index("caas")
    assert all(row[caas] is None for row in z)
    iaas = resp.MODELS.index("iaas")
    assert sum(row[iaas] is not None for row in z) == 7


def test_clicking_a_cell_selects_it():
    ex = widgets.responsibility_explorer()
    points = SimpleNamespace(
        xs=[ex.figure.data[0].x[resp.MODELS.index("saas")]], ys=["application"], point_inds=[[8, 5]]
    )
    widgets.select_cell(ex, points)
    assert ex.controls["model"].value == "saas" and ex.controls["layer"].value == "application"
    assert "application under SaaS" in ex.side.value
    two_lines = charts.layer_label("container runtime & orchestration")
    widgets.select_cell(ex, SimpleNamespace(xs=[ex.figure.data[0].x[5]], ys=[two_lines]))
    assert ex.controls["layer"].value == "container runtime & orchestration"
    widgets.select_cell(ex, SimpleNamespace(xs=[], ys=[], point_inds=[]))  # a miss changes nothing
    assert ex.controls["model"].value == "saas"


def test_catalogue_explorer_filters_and_regroups():
    ex = widgets.catalogue_explorer()
    ex.controls["model"].value = "caas"
    ex.controls["provider"].value = "aws"
    bright = {
        sid
        for trace in ex.figure.data
        for sid, alpha in zip(trace.customdata, trace.marker.opacity)
        if alpha == 1.0
    }
    assert bright == {"eks", "ecs", "fargate"}
    assert "3 service(s)" in ex.side.value and "Fargate" in ex.side.value
    ex.controls["colour_by"].value = charts.COLOUR_BY[1]
    names = [t.name for t in ex.figure.data]
    assert names == ["monolith on VMs", "MSA on container-based PaaS", "not in the mapping"]
    msa = ex.figure.data[1]
    assert set(msa.customdata) == {"ecs", "azure-web-app", "app-engine", "elastic-beanstalk"}
    ex.controls["model"].value = "saas"
    assert "No service in the catalogue matches" in ex.side.value


def _best(ex):
    """The outlined cell of the chooser's grid, as (model, where)."""
    (shape,) = ex.figure.layout.shapes
    col, row = round(shape.x0 + 0.5), round(shape.y0 + 0.5)
    return MODELS[row], WHERE[col]


def test_hosting_chooser_reranks_and_explains():
    ex = widgets.hosting_chooser()
    assert _best(ex) == ("caas", "public-cloud")
    ex.controls["architecture"].value = "monolith"
    assert ex.controls["services"].value == 1 and ex.controls["services"].disabled
    assert ex.message.value == ""
    ex.controls["os_control"].value = "high"
    ex.controls["ops_capacity"].value = "high"
    assert _best(ex) == ("iaas", "public-cloud")
    assert "Services: <span lang='en'>Amazon EC2" in ex.side.value  # names stay English
    ex.controls["placement"].value = "on premises"
    assert _best(ex) == ("iaas", "on-premises")
    assert "OpenStack" in ex.side.value, "IaaS on premises is a private cloud"
    ex.controls["ops_capacity"].value = "none"
    assert "No option meets every requirement" in ex.side.value


def test_the_chooser_keeps_kubernetes_on_premises_and_shows_the_best_in_each_place():
    ex = widgets.hosting_chooser()
    ex.controls["ops_capacity"].value = "high"
    ex.controls["placement"].value = "on premises"
    assert _best(ex) == ("caas", "on-premises")
    assert "kubeadm" in ex.side.value and "EKS Anywhere" in ex.side.value
    bars = [t for t in ex.figure.data if t.type == "bar"]
    assert [label.split(":")[0] for label in bars[0].y] == [
        "on premises",
        "hosted private cloud",
        "public cloud",
    ]
    blocked = ex.figure.data[1].z  # the grey layer marks the blocked options
    assert [row[WHERE.index("public-cloud")] for row in blocked] == [1] * len(MODELS)


def test_portable_caas_means_kubernetes_in_the_panel():
    ex = widgets.hosting_chooser()
    ex.controls["portability"].value = "high"
    assert "Kubernetes-based one (EKS, AKS, GKE)" in ex.side.value
    assert "do not move to another cloud" in ex.side.value


def test_every_option_in_the_chooser_panel_has_a_reason():
    ex = widgets.hosting_chooser()
    for m in MODELS:
        for where in WHERE:
            assert f"{option_name(m, where)}</b>:" in ex.side.value
    assert ex.side.value.count("<li>") >= len(MODELS) * len(WHERE)
    assert "course's judgement" in ex.side.value


def test_static_fallbacks_carry_the_figure_and_panel():
    for make in (
        widgets.responsibility_explorer,
        widgets.catalogue_explorer,
        widgets.hosting_chooser,
    ):
        bundle = make()._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        assert "msa-static-figure" in data["text/html"]
        assert "plotly" in data["text/html"].lower()


def test_static_editions_show_what_the_notices_describe():
    """The chooser's Notice, in its order: on premises CaaS comes first and operations is its
    biggest minus; with a strong team that minus goes; a monolith needing its own kernel
    module gets IaaS first, PaaS and FaaS blocked everywhere."""
    medium, strong, monolith = widgets.hosting_chooser().static_states()
    for state in (medium, strong):
        assert state.side.index("CaaS, on premises") < state.side.index("CaaS, public cloud")
    assert "Kubernetes cluster you run" in medium.side
    operations = [
        next(t for t in s.figure.data if t.name == "operations capacity").x[0]
        for s in (medium, strong)
    ]
    assert (
        operations[0]
        == min(t.x[0] for t in medium.figure.data if t.type == "bar" and t.orientation == "h")
        < 0
        <= operations[1]
    )
    assert re.search(r"<b>1\. IaaS, on premises</b>", monolith.side)
    fits = {m: re.search(rf"<b>\d+\. {m}, [^<]*</b>: [-+\d.]+ points, fits", monolith.side)
            for m in ("CaaS", "PaaS", "FaaS")}  # fmt: skip
    assert fits["CaaS"] and not fits["PaaS"] and not fits["FaaS"]
    ((_, figure, _),) = widgets.catalogue_explorer().static_states()
    assert [t.name for t in figure.data][1] == "MSA on container-based PaaS"
