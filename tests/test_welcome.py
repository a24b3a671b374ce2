from __future__ import annotations

import pytest

import msa_course
from msa_course.welcome.layers import GROUPS, LAYERS, layer
from msa_course.welcome.widgets import layer_map_explorer

msa_course.setup_notebook()


def test_layers_follow_the_source_path_bottom_up():
    groups = [x.group for x in LAYERS]
    assert groups == sorted(groups, key=GROUPS.index), "infrastructure, platform, application"
    assert [x.chapter[:2] for x in LAYERS if x.chapter] == ["01", "02", "03", "04"]


def test_unknown_layer_is_named():
    with pytest.raises(ValueError, match="layer must be one of"):
        layer("Kernel")


def test_layer_map_highlights_the_chosen_layer_and_describes_it():
    ex = layer_map_explorer()
    ex.controls["layer"].value = "Container orchestration"
    widths = {y: w for t in ex.figure.data for y, w in zip(t.y, t.marker.line.width)}
    assert widths["Container orchestration"] > 0
    assert sum(1 for w in widths.values() if w) == 1
    assert "chapter 03" in ex.side.value and "Kubernetes" in ex.side.value
