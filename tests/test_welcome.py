from __future__ import annotations

import pytest

import msa_course
from msa_course.cloud import responsibility
from msa_course.welcome.layers import (
    BRACKETS,
    GROUPS,
    LAYERS,
    SERVICE_MODELS,
    layer,
    provider_runs,
)
from msa_course.welcome.widgets import layer_map_explorer

msa_course.setup_notebook()

# Which rows of chapter 04's responsibility grid each layer of the map stands for.
GRID_ROWS = {
    "Bare metal and cloud": ("networking", "storage", "servers"),
    "VMs and containers": ("virtualisation", "operating system"),
    "Container orchestration": ("container runtime & orchestration",),
    "Platform (middleware)": ("runtime", "middleware"),
    "Application": ("application", "data"),
}


def test_layers_follow_the_source_path_bottom_up():
    groups = [x.group for x in LAYERS]
    assert groups == sorted(groups, key=GROUPS.index), "infrastructure, platform, application"
    assert [x.chapter[:2] for x in LAYERS if x.chapter] == ["01", "02", "03"]
    assert SERVICE_MODELS not in LAYERS and SERVICE_MODELS.chapter.startswith("04")
    assert set(GRID_ROWS) == {x.name for x in LAYERS}


def test_service_model_brackets_agree_with_chapter_04s_grid():
    """Below a bracket's end nothing is yours; the layer it ends in is shared; above it the
    provider runs nothing entirely (the application is shared under PaaS, the data yours)."""
    for bracket in BRACKETS:
        model = bracket.model.lower()
        for i, item in enumerate(LAYERS):
            who = {responsibility.who(row, model) for row in GRID_ROWS[item.name]}
            if i + 1 <= bracket.up_to:
                assert "you" not in who, (bracket.model, item.name, who)
            elif i < bracket.up_to:
                assert who - {"provider"} and who - {"you"}, (bracket.model, item.name, who)
            else:
                assert who != {"provider"}, (bracket.model, item.name, who)
    assert provider_runs("IaaS") == ["Bare metal and cloud", "VMs and containers"]
    assert provider_runs("PaaS")[-1] == "Platform (middleware)"
    with pytest.raises(ValueError, match="model must be one of"):
        provider_runs("SaaS")


def test_unknown_layer_is_named():
    with pytest.raises(ValueError, match="layer must be one of"):
        layer("Kernel")


def _outlines(figure) -> dict[str, float]:
    return {
        name: width
        for trace in figure.data
        if trace.type == "bar"
        for name, width in zip(trace.customdata, trace.marker.line.width)
    }


def _bracket_widths(figure) -> set[float]:
    return {t.line.width for t in figure.data if t.type == "scatter"}


def test_layer_map_highlights_the_chosen_layer_and_describes_it():
    ex = layer_map_explorer()
    ex.controls["layer"].value = "Container orchestration"
    widths = _outlines(ex.figure)
    assert widths["Container orchestration"] > 0
    assert sum(1 for w in widths.values() if w) == 1
    assert "Chapter 03" in ex.side.value and "Kubernetes" in ex.side.value
    assert _bracket_widths(ex.figure) == {2}


def test_service_models_are_brackets_beside_the_stack_not_a_layer():
    ex = layer_map_explorer()
    ex.controls["layer"].value = SERVICE_MODELS.name
    assert not any(_outlines(ex.figure).values()), "no layer is outlined"
    assert _bracket_widths(ex.figure) == {4}
    assert all(m in ex.side.value for m in ("IaaS", "CaaS", "PaaS", "Chapter 04"))
    tops = [max(y for y in t.y if y is not None) for t in ex.figure.data if t.type == "scatter"]
    assert tops == sorted(tops) and tops[-1] < len(LAYERS) - 1, "PaaS stops below the application"
    xs = [x for t in ex.figure.data if t.type == "scatter" for x in t.x if x is not None]
    assert min(xs) > 1, "beside the bars, which span x from 0 to 1"


def test_static_edition_shows_the_brackets_the_notice_describes():
    ex = layer_map_explorer()
    assert ex.controls["layer"].value == LAYERS[0].name
    ((_, figure, side),) = ex.static_states()
    assert _bracket_widths(figure) == {4} and "IaaS" in side
