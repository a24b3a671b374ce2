"""The browser harness's own logic, without a browser: what it counts and when it skips."""

from __future__ import annotations

from pathlib import Path

import harness
import nbformat


def _nb(*sources: str) -> dict:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_explorer_calls_counts_calls_not_definitions():
    nb = _nb(
        "from msa_course.infra.widgets import elasticity_explorer\n\nelasticity_explorer()",
        "def my_explorer(x):\n    return x\n\nwidgets.density_explorer(cores=8)",
        "print('no explorer here: explorer()')",
    )
    assert harness.explorer_calls(nb) == 2


def test_explorer_calls_in_a_cell_with_magics_counted_textually():
    nb = _nb("%matplotlib inline\ndef a_explorer():\n    pass\na_explorer()\nb_explorer(1)")
    assert harness.explorer_calls(nb) == 2


def test_error_outputs_name_the_cell_and_the_error():
    nb = _nb("1", "x")
    nb.cells[1].outputs = [
        nbformat.v4.new_output("error", ename="NameError", evalue="name 'x' is not defined")
    ]
    assert harness.error_outputs(nb) == ["cell 1: NameError: name 'x' is not defined"]


def test_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(harness, "CHROMIUM", Path("/nonexistent/chromium"))
    kind, message = harness.browser_verdict({})
    assert kind == "skip" and "apt-get install -y chromium" in message and "\n" not in message
    kind, message = harness.browser_verdict({"CI": "true"})
    assert kind == "fail" and "apt-get install -y chromium" in message


def test_chapters_are_numbered_notebooks(tmp_path):
    (tmp_path / "course").mkdir()
    for name in ("01_b.ipynb", "00_a.ipynb", "scratch.ipynb"):
        (tmp_path / "course" / name).write_text("{}")
    assert [p.name for p in harness.chapters(tmp_path)] == ["00_a.ipynb", "01_b.ipynb"]
