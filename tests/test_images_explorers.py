"""The image-layer and parity explorers, driven as a learner would."""

import html

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


def lines(ex, name, panel=0):
    return [label.split()[0] for label in bars(ex, name, panel)]


def test_fresh_build_is_all_hits():
    ex = image_layer_explorer()
    assert bars(ex, "cache miss: runs again") == [] and len(bars(ex, "cache hit")) == 4
    assert lines(ex, "no build step (configuration only)") == ["6", "7", "8"]
    assert "3 filesystem layers" in ex.side.value and "BuildKit" in ex.side.value
    ex.controls["builder"].value = "classic"
    assert len(bars(ex, "cache hit")) == 7 and "DOCKER_BUILDKIT=0" in ex.side.value


def test_editing_a_copied_file_misses_from_the_copy():
    ex = image_layer_explorer()
    ex.controls["change"].value = "edit app.py"
    assert lines(ex, "cache miss: runs again") == ["4", "5"]
    assert "A copied file changed: app.py." in ex.side.value
    ex.controls["builder"].value = "classic"
    assert lines(ex, "cache miss: runs again") == ["4", "5", "6", "7", "8"]
    ex.controls["change"].value = "touch app.py"  # mtime only
    assert bars(ex, "cache miss: runs again") == []


def test_editing_env_and_filling_the_cache():
    ex = image_layer_explorer()
    ex.controls["dockerfile"].value = EXAMPLE_DOCKERFILE.replace("PORT=8000", "PORT=9000")
    # BuildKit: no RUN after the ENV line, so nothing runs again, but the digest changes
    assert bars(ex, "cache miss: runs again") == []
    assert "Where BuildKit and the classic builder differ" in ex.side.value
    ex.controls["builder"].value = "classic"
    assert lines(ex, "cache miss: runs again") == ["6", "7", "8"]
    ex.controls["Build (fill the cache)"].click()
    assert bars(ex, "cache miss: runs again") == []
    assert "agree on every line" not in ex.side.value  # BuildKit: no step, classic: hit


def test_env_before_a_run_reaches_only_the_run():
    text = EXAMPLE_DOCKERFILE.replace("ENV PORT=8000\n", "").replace(
        "COPY . .", "ENV PORT=8000\nCOPY . ."
    )
    ex = image_layer_explorer(dockerfile=text)
    ex.controls["dockerfile"].value = text.replace("PORT=8000", "PORT=9000")
    assert lines(ex, "cache miss: runs again") == ["6"]  # RUN pip; COPY . . on line 5 hits
    assert "PORT is 9000 (was 8000)" in ex.side.value


def test_comparing_two_orderings():
    ex = image_layer_explorer(alternative=ORDERED)
    ex.controls["change"].value = "edit app.py"
    assert len(bars(ex, "cache miss: runs again", 0)) == 2
    assert lines(ex, "cache miss: runs again", 1) == ["6"]


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


def test_static_edition_shows_each_change_the_notice_describes():
    """Chapter 02's Notice, in its order: an edit to app.py misses from COPY . . in the original
    and only at COPY . . in the reordered one; a touch misses nothing; the ENV edit runs nothing
    again under BuildKit, and misses from ENV down under the classic builder; RUNN is refused
    with its line. (render reads its arguments, not the live controls, which stay unchanged.)"""
    ex = image_layer_explorer(alternative=ORDERED)
    edited, touched, env_kit, env_classic, broken = ex.static_states()

    def missed(state):
        traces = [t for t in state.figure.data if t.name == "cache miss: runs again"]
        return [[label.split()[0] for label in t.y] for t in traces]

    assert missed(edited) == [["4", "5"], ["6"]]
    assert "A copied file changed: app.py." in edited.side
    assert missed(touched) == [[], []] and "touched" in touched.caption
    assert missed(env_kit) == [[], []] and "BuildKit" in env_kit.caption
    assert missed(env_classic) == [["6", "7", "8"], []]
    assert "Where BuildKit and the classic builder differ" in env_classic.side
    assert broken.figure is None
    assert "line 5: unknown instruction 'RUNN'" in html.unescape(broken.side)
    assert ex.controls["change"].value == "(no file change)"
    assert ex.controls["dockerfile"].value == EXAMPLE_DOCKERFILE
    assert bars(ex, "cache miss: runs again") == []  # the live explorer starts unchanged
    assert image_layer_explorer(dockerfile="FROM scratch\n").static_states()[0].caption == ""


def test_parity_explorer_responds():
    ex = parity_explorer()
    assert "one digest in every environment" in ex.side.value
    assert "hand-built servers</b>: no image, so no digest" in ex.side.value
    legend = [t.name for t in ex.figure.data if t.showlegend]
    assert legend == ["same as dev", "differs from dev", "no image, so no digest"]
    assert [row[-1] for row in ex.figure.data[2].text] == ["none"] * 4  # hand-built: no digest
    ex.controls["days_between"].value = 0
    ex.controls["drift_prob"].value = 0.0
    # built the same day with no manual patches, every strategy matches dev
    heatmaps = [t for t in ex.figure.data if t.type == "heatmap"]
    assert all(max(max(row[:-1]) for row in t.z) == 0 for t in heatmaps)
    assert "hand-built servers</b>: the same versions in every environment" in ex.side.value
    ex.controls["days_between"].value = 30
    ex.controls["release_prob"].value = 0.2
    assert max(max(row[:-1]) for row in ex.figure.data[2].z) == 1
