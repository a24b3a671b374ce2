"""Every chapter as a learner meets it: JupyterLab, Run All, every explorer drawn and alive.

Headless kernels (nbval) run no widget front-end; only a browser shows that a slider moves
a chart. For each course/NN_*.ipynb: Run All Cells from the menu, no cell raises, as many
explorers with a drawn plotly plot as the notebook's code creates, and in each explorer one
control (slider by keyboard, else dropdown, else button) changes the plot's data.
"""

from __future__ import annotations

import json
import re

import harness
import pytest

pytestmark = pytest.mark.browser


def test_chapter_runs_and_every_explorer_responds(chapter, lab, lab_page, artifacts):
    run_chapter(lab_page, lab, chapter, f"course/{chapter.name}", artifacts, chapter.stem)


def test_korean_chapter_runs_and_shows_hangul(korean_chapter, lab, lab_page, artifacts):
    """The Korean edition as a Korean learner meets it: the same checks, and its prose, its
    explorers' panels and its self-checks in Korean, drawn with a font that has Hangul."""
    page, name = lab_page, f"ko_{korean_chapter.stem}"
    run_chapter(page, lab, korean_chapter, f"course/ko/{korean_chapter.name}", artifacts, name)
    prose = page.locator(".jp-RenderedMarkdown p").first
    drawn = harness.hangul_drawn(prose)
    assert drawn["ink"] > 50 and drawn["differ"], f"Hangul drawn as boxes in {drawn['font']}"
    if harness.explorer_calls(json.loads(korean_chapter.read_text(encoding="utf-8"))):
        panel = page.locator(harness.EXPLORER).first.inner_text()
        assert re.search("[\uac00-\ud7a3]", panel), f"the explorer speaks no Korean: {panel[:200]}"
    # the first multiple-choice self-check (a chapter may open with a numeric one)
    check = page.locator(".msa-selfcheck", has=page.locator("input[type=radio]")).first
    check.scroll_into_view_if_needed()
    check.locator("input[type=radio]").last.check()
    check.locator("button", has_text="확인").click()
    feedback = check.locator(".widget-html").last
    feedback.wait_for()
    page.wait_for_function(
        "el => /[\uac00-\ud7a3]/.test(el.textContent)", arg=feedback.element_handle()
    )
    check.screenshot(path=str(artifacts / f"{name}_selfcheck.png"))


def run_chapter(page, lab, chapter, path, artifacts, name) -> None:
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    expected = harness.explorer_calls(nb)

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
    page.screenshot(path=str(artifacts / f"{name}.png"))  # the chapter's end

    moved = {}
    for i in range(expected):
        explorer = page.locator(harness.EXPLORER).nth(i)
        explorer.scroll_into_view_if_needed()
        shot = artifacts / f"{name}_explorer{i}.png"
        try:
            moved[i] = harness.move_one_control(explorer, lab)
        except AssertionError as err:
            explorer.screenshot(path=str(shot))
            raise AssertionError(f"{err}\nscreenshot: {shot}") from None
        explorer.screenshot(path=str(shot))
    assert len(moved) == expected
    assert harness.widget_errors(page) == [], "moving a control showed an error"
    assert page.errors == [], f"JavaScript errors: {page.errors}"
