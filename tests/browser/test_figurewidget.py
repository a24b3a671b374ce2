"""Explorers draw and respond even when the browser is slow, as on a busy workshop hub.

anywidget gives each model 2 s from its creation to load its module and initialize; past that
it drops every message the kernel sends the model (ui/figurewidget.py says where). Two ways a
loaded machine spends those 2 s, each forced here on purpose: plotly's 5 MB bundle is slow to
arrive (it was, at load 10-20, for the first two explorers of chapter 02), or the page's main
thread is busy (compiling that bundle, drawing another explorer) just as a figure's module
loads: no control moved the explorer's plot (chapters 01, 02 and 04 at load 7-20).
The bundle comes from the server's URL (ui/bundle_server.py), as in every learner's JupyterLab.
"""

from __future__ import annotations

import json

import harness
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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


# Busy the page's main thread for 3 s as each figure's module loads (anywidget builds a Blob
# of the module's source just after it creates the model and starts its 2 s).
STALL_AS_A_FIGURE_LOADS = """(() => {
  const Blob = window.Blob;
  window.Blob = function (parts, options) {
    if (parts?.some((p) => typeof p === 'string' && p.includes('msa_course_plotly_widget_'))) {
      const start = Date.now();
      while (Date.now() - start < 3000) {}
    }
    return new Blob(parts, options);
  };
  window.Blob.prototype = Blob.prototype;
})();"""

# How often plotly.js has updated the plot (once per update the kernel sends for a model run).
PLOT_UPDATES_JS = """el => {
  const gd = el.querySelector('.js-plotly-plot');
  if (!gd._msaUpdates) {
    gd._msaUpdates = 0;
    gd.on('plotly_update', () => gd._msaUpdates++);
  }
  return gd._msaUpdates;
}"""

EXPLORERS = [
    "from msa_course.virtualization.widgets import stack_explorer\nstack_explorer()",
    "from msa_course.virtualization.widgets import density_explorer\ndensity_explorer()",
]


def model_runs(lab, explorer) -> int:
    """How often the kernel has re-run the explorer's model (asked on a second connection)."""
    title = harness.explorer_title(explorer)
    return sum(e["updates"] for e in harness.kernel_explorers(lab) if e["title"] == title)


def run_probe(lab, page, name: str, cells: list[str]) -> None:
    """Run a notebook of `cells` (they make two explorers), then move each explorer: every run
    of its model reaches the plot, once (no update lost, none applied twice)."""
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
    (lab.root / "probes" / f"{name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    harness.open_notebook(page, lab, f"probes/{name}.ipynb")
    harness.run_all(page)
    harness.wait_until_executed(page)
    harness.wait_for_explorers(page, 2)
    for i in range(2):
        explorer = page.locator(harness.EXPLORER).nth(i)
        explorer.scroll_into_view_if_needed()
        try:
            page.wait_for_function(
                "el => { const gd = el.querySelector('.js-plotly-plot'); "
                "return gd && gd.data && gd.data.length > 0; }",
                arg=explorer.element_handle(),
                timeout=60_000,
            )
        except PlaywrightTimeout:
            raise AssertionError(
                f"explorer {i}'s plot has no traces after 60 s: the figure's messages never "
                f"reached it; browser console: {page.console[-10:]}"
            ) from None
        runs, updates = model_runs(lab, explorer), explorer.evaluate(PLOT_UPDATES_JS)
        harness.move_one_control(explorer, lab)
        page.wait_for_timeout(2_000)  # room for an update applied twice, were there one
        runs = model_runs(lab, explorer) - runs
        updates = explorer.evaluate(PLOT_UPDATES_JS) - updates
        assert runs == updates >= 1, f"{runs} model runs in the kernel, {updates} plot updates"
    assert page.errors == [], f"JavaScript errors: {page.errors}"


def test_explorers_draw_when_the_bundle_loads_slowly(lab, lab_page):
    run_probe(lab, lab_page, "slow_bundle", [SLOW_BUNDLE, *EXPLORERS])


def test_explorers_respond_when_the_page_is_busy_as_their_figures_load(lab, lab_page):
    lab_page.context.add_init_script(STALL_AS_A_FIGURE_LOADS)
    setup = "import msa_course\nmsa_course.setup_notebook()"
    run_probe(lab, lab_page, "busy_page", [setup, *EXPLORERS])
    console = [line for line in lab_page.console if "msa_course" in line]
    assert console == [], f"the figures said: {console}"
