"""Explorers draw even when plotly's widget bundle is slow to load.

anywidget gives each model 2 s to load its module and initialize, then gives up on it for
good: the explorer shows an empty plot that no control moves. Compiling plotly's 5 MB bundle
takes longer than that on a busy machine (it did on this one, at load 10-20, for the first two
explorers of chapter 02). Here the bundle is held back 3 s on purpose, and two explorers made
back to back must still draw and respond. The bundle comes from the server's URL
(ui/bundle_server.py), as in every learner's JupyterLab.
"""

from __future__ import annotations

import json

import harness
import pytest

pytestmark = pytest.mark.browser

SLOW_BUNDLE = """import msa_course
msa_course.setup_notebook()
from msa_course.ui import figurewidget
load = figurewidget._bundle_import()
assert load.startswith("import(location.origin + "), "the server should serve the bundle"
figurewidget._bundle_import = lambda: (
    f"new Promise((r) => setTimeout(r, 3000)).then(() => {load})")
figurewidget._shared_bundle_esm.cache_clear()
figurewidget.figure_widget_class.cache_clear()"""


def test_explorers_draw_when_the_bundle_loads_slowly(lab, lab_page):
    cells = [
        SLOW_BUNDLE,
        "from msa_course.virtualization.widgets import stack_explorer\nstack_explorer()",
        "from msa_course.virtualization.widgets import density_explorer\ndensity_explorer()",
    ]
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": source}
            for source in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    (lab.root / "probes").mkdir(exist_ok=True)
    (lab.root / "probes" / "slow_bundle.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    page = lab_page
    harness.open_notebook(page, lab, "probes/slow_bundle.ipynb")
    harness.run_all(page)
    harness.wait_until_executed(page)
    harness.wait_for_explorers(page, 2)
    for i in range(2):
        explorer = page.locator(harness.EXPLORER).nth(i)
        explorer.scroll_into_view_if_needed()
        explorer.page.wait_for_function(
            "el => { const gd = el.querySelector('.js-plotly-plot'); "
            "return gd && gd.data && gd.data.length > 0; }",
            arg=explorer.element_handle(),
            timeout=60_000,
        )
        harness.move_one_control(explorer)
    assert page.errors == [], f"JavaScript errors: {page.errors}"
