"""The image-layer and parity explorers, driven as a learner would."""

import pytest

import msa_course
from msa_course.images.widgets import EXAMPLE_DOCKERFILE, image_layer_explorer, parity_explorer

ORDERED = EXAMPLE_DOCKERFILE.replace(
    "COPY . .\nRUN pip install --no-cache-dir -r requirements.txt",
    "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .",
)


@pytest.fixture(autouse=True)
def widgets_mode():
    msa_course.setup_notebook()


def bars(ex, name, panel=0):
    traces = [t for t in ex.figure.data if t.name == name]
    return list(traces[panel].y)


def test_fresh_build_is_all_hits():
    ex = image_layer_explorer()
    assert bars(ex, "rebuilds") == [] and len(bars(ex, "cache hit")) == 7
    assert "3 filesystem layers" in ex.side.value


def test_editing_a_copied_file_rebuilds_from_the_copy():
    ex = image_layer_explorer()
    ex.controls["change"].value = "edit app.py"
    assert [label.split()[0] for label in bars(ex, "rebuilds")] == ["4", "5", "6", "7", "8"]
    assert "copied file changed: app.py" in ex.side.value
    ex.controls["change"].value = "touch app.py"  # mtime only
    assert bars(ex, "rebuilds") == []


def test_editing_a_line_and_filling_the_cache():
    ex = image_layer_explorer()
    ex.controls["dockerfile"].value = EXAMPLE_DOCKERFILE.replace("8000\n", "9000\n", 1)
    assert [label.split()[0] for label in bars(ex, "rebuilds")] == ["6", "7", "8"]
    ex.controls["Build (fill the cache)"].click()
    assert bars(ex, "rebuilds") == []


def test_comparing_two_orderings():
    ex = image_layer_explorer(alternative=ORDERED)
    ex.controls["change"].value = "edit app.py"
    assert len(bars(ex, "rebuilds", 0)) == 5
    assert [label.split()[0] for label in bars(ex, "rebuilds", 1)] == ["6", "7", "8", "9"]


def test_malformed_dockerfile_shows_the_line_not_a_traceback():
    ex = image_layer_explorer()
    before = ex.update_count
    ex.controls["dockerfile"].value = "FROM python:3.12-slim\nCOPY app.py\n"
    assert "line 2" in ex.message.value and "source and a destination" in ex.message.value
    assert ex.update_count == before
    ex.controls["dockerfile"].value = EXAMPLE_DOCKERFILE
    assert ex.message.value == ""


def test_a_broken_dockerfile_is_not_cached():
    ex = image_layer_explorer()
    ex.controls["dockerfile"].value = "RUN x\n"
    ex.controls["Build (fill the cache)"].click()
    assert "line 1" in ex.message.value


def test_static_fallback_carries_the_figure():
    ex = image_layer_explorer()
    bundle = ex._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "msa-static-figure" in data["text/html"] and "plotly" in data["text/html"]


def test_parity_explorer_responds():
    ex = parity_explorer()
    assert "one digest in every environment" in ex.side.value
    ex.controls["days_between"].value = 0
    ex.controls["drift_prob"].value = 0.0
    # built the same day with no manual patches, every strategy matches dev
    assert all(max(max(row) for row in t.z) == 0 for t in ex.figure.data)
    ex.controls["days_between"].value = 30
    ex.controls["release_prob"].value = 0.2
    assert max(max(row) for row in ex.figure.data[2].z) == 1
