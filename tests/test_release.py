"""`msa-course release`: answers stubbed, hidden tests gone, cells locked, deterministic,
and malformed sources refused with the notebook, cell and line named."""

from __future__ import annotations

import json

import pytest

from msa_course.grading import release, source
from msa_course.grading.tidy import dumps, tidy


def nbgrader(kind, gid, points=None):
    meta = {
        "grade": kind == "test",
        "solution": kind == "solution",
        "locked": kind in ("test", "locked"),
        "grade_id": gid,
        "schema_version": 3,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def cell(cell_type, text, meta=None):
    c = {"cell_type": cell_type, "metadata": meta or {}, "source": text}
    if cell_type == "code":
        c.update(
            outputs=[{"output_type": "stream", "name": "stdout", "text": "x"}], execution_count=3
        )
    return c


def write(tmp_path, cells, name="01_demo.ipynb"):
    nb = {"cells": cells, "metadata": {"widgets": {"big": 1}}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "solutions" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(nb))
    return path


GOOD = [
    cell("markdown", "# Q1", nbgrader("locked", "intro")),
    cell(
        "code",
        "x = 1\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\ny = 2",
        nbgrader("solution", "a1"),
    ),
    cell(
        "code",
        "def f(n):\n    ### BEGIN SOLUTION\n    return n * 2\n    ### END SOLUTION",
        nbgrader("solution", "a2"),
    ),
    cell(
        "code",
        "assert answer > 0\n### BEGIN HIDDEN TESTS\nassert answer == 42\n### END HIDDEN TESTS",
        nbgrader("test", "t1", 2),
    ),
    cell(
        "markdown",
        "Explain.\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION",
        nbgrader("solution", "m1"),
    ),
    cell("code", "print('plain')"),
]


def released(tmp_path, cells=GOOD):
    path = write(tmp_path, cells)
    return json.loads(release.release_file(path))["cells"]


def test_solutions_become_stubs_keeping_surrounding_code(tmp_path):
    out = released(tmp_path)
    assert out[1]["source"] == "x = 1\n# YOUR CODE HERE\nraise NotImplementedError()\ny = 2"
    assert out[2]["source"] == (
        "def f(n):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    ), "the stub keeps the marker's indentation"
    assert out[4]["source"] == "Explain.\nYOUR ANSWER HERE"
    assert "42" not in json.dumps(out[1]) and "n * 2" not in json.dumps(out)


def test_hidden_tests_removed_visible_kept(tmp_path):
    out = released(tmp_path)
    assert out[3]["source"] == "assert answer > 0"
    assert "HIDDEN" not in json.dumps(out) and "== 42" not in json.dumps(out)


def test_cells_locked_as_nbgrader_does(tmp_path):
    out = released(tmp_path)
    meta = [c["metadata"] for c in out]
    assert meta[0]["editable"] is False and meta[0]["deletable"] is False  # instructions
    assert meta[3]["editable"] is False and meta[3]["deletable"] is False  # tests
    assert meta[1]["deletable"] is False and "editable" not in meta[1]  # answers stay editable
    assert "editable" not in meta[5] and "deletable" not in meta[5]
    assert all(m.get("nbgrader", {}).get("grade_id") for m in meta[:5]), "grade_ids kept"


def test_outputs_and_widget_state_cleared(tmp_path):
    path = write(tmp_path, GOOD)
    nb = json.loads(release.release_file(path))
    assert "widgets" not in nb["metadata"]
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None for c in nb["cells"])


def test_release_is_deterministic_and_idempotent(tmp_path):
    write(tmp_path, GOOD)
    first = release.release(tmp_path / "solutions", tmp_path / "exercises")
    text = first[0].read_text()
    assert release.release(tmp_path / "solutions", tmp_path / "exercises") == []
    assert first[0].read_text() == text
    assert release.release(tmp_path / "solutions", tmp_path / "exercises", check=True) == []


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            [cell("code", "### BEGIN SOLUTION\nx = 1", nbgrader("solution", "a"))],
            "cell 0 (grade_id 'a'), line 1: '### BEGIN SOLUTION' is never closed",
        ),
        (
            [
                cell("code", "x", nbgrader("solution", "a")),
                cell("code", "y", nbgrader("solution", "a")),
            ],
            "cell 1: grade_id 'a' is already used by cell 0",
        ),
        (
            [cell("code", "assert True", nbgrader("test", "t"))],
            "cell 0 (grade_id 't'): a graded cell needs 'points'",
        ),
        (
            [cell("code", "x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION")],
            "cell 0, line 2: '### BEGIN SOLUTION' outside a solution cell",
        ),
        (
            [
                cell(
                    "code",
                    "### BEGIN HIDDEN TESTS\nassert 1\n### END HIDDEN TESTS",
                    nbgrader("solution", "a"),
                )
            ],
            "line 1: '### BEGIN HIDDEN TESTS' outside a graded test cell",
        ),
        (
            [cell("code", "### END SOLUTION", nbgrader("solution", "a"))],
            "line 1: '### END SOLUTION' without its BEGIN",
        ),
        ([cell("code", "assert 1", nbgrader("test", "t", -1))], "points must be a number >= 0"),
        ([cell("code", "x", nbgrader("solution", ""))], "needs a grade_id"),
    ],
)
def test_malformed_sources_are_refused_with_place(tmp_path, cells, expected):
    path = write(tmp_path, cells)
    with pytest.raises(source.SourceError) as err:
        release.release_file(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_malformed_json_is_named(tmp_path):
    path = tmp_path / "bad.ipynb"
    path.write_text("{not json")
    with pytest.raises(source.SourceError, match="bad.ipynb: not a notebook"):
        source.parse(path)


def test_tidy_keeps_ids_stable_and_unique():
    nb = {
        "cells": [
            {"cell_type": "code", "id": "same", "source": "a", "metadata": {}},
            {"cell_type": "code", "id": "same", "source": "b", "metadata": {}},
            {"cell_type": "markdown", "source": ["x", "y"], "metadata": {"foo": 1}},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    out = tidy(nb)
    assert [c["id"] for c in out["cells"]] == ["same", "cell-001", "cell-002"]
    assert out["cells"][2] == {
        "cell_type": "markdown",
        "id": "cell-002",
        "metadata": {},
        "source": "xy",
    }
    assert dumps(tidy(out)) == dumps(out)


def test_tidy_folds_self_check_code_which_holds_the_answer():
    nb = {
        "cells": [
            {"cell_type": "code", "source": "selfcheck.numeric('How many?', 4)", "metadata": {}},
            {"cell_type": "code", "source": "layer_map_explorer()", "metadata": {}},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    first, second = tidy(nb)["cells"]
    assert first["metadata"] == {"jupyter": {"source_hidden": True}}
    assert second["metadata"] == {}
