"""Every chapter as a learner meets it: JupyterLab, Run All, every explorer drawn and alive.

Headless kernels (nbval) run no widget front-end; only a browser shows that a slider moves
a chart. For each course/NN_*.ipynb: Run All Cells from the menu, no cell raises, as many
explorers with a drawn plotly plot as the notebook's code creates, and in each explorer one
control (slider by keyboard, else dropdown, else button) changes the plot's data.
"""

from __future__ import annotations

import json

import harness
import pytest

pytestmark = pytest.mark.browser


def test_chapter_runs_and_every_explorer_responds(chapter, lab, lab_page, artifacts):
    page = lab_page
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    expected = harness.explorer_calls(nb)
    path = f"course/{chapter.name}"

    harness.open_notebook(page, lab, path)
    # What a learner sees: no grading menu (nbgrader is installed here, hidden for learners)
    # and no news or update prompt over the chapter.
    assert page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 0
    assert page.locator(".jp-Notification-Toast, .Toastify__toast").count() == 0
    harness.run_all(page)
    harness.wait_until_executed(page)
    harness.save(page)
    assert harness.error_outputs(lab.saved_notebook(path)) == [], "a cell raised"

    if expected:
        harness.wait_for_explorers(page, expected)
    shown = page.locator(harness.EXPLORER).count()
    assert shown == expected, harness.count_mismatch(chapter.name, expected, shown, "explorers")
    assert harness.widget_errors(page) == []
    page.screenshot(path=str(artifacts / f"{chapter.stem}.png"))  # the chapter's end

    moved = {}
    for i in range(expected):
        explorer = page.locator(harness.EXPLORER).nth(i)
        explorer.scroll_into_view_if_needed()
        moved[i] = harness.move_one_control(explorer)
        explorer.screenshot(path=str(artifacts / f"{chapter.stem}_explorer{i}.png"))
    assert len(moved) == expected
    assert harness.widget_errors(page) == [], "moving a control showed an error"
    assert page.errors == [], f"JavaScript errors: {page.errors}"
