"""The progress page in Chromium: it shows the room, and when a learner saves, the page
changes by itself within a refresh or two, with nothing blocked by its Content-Security-Policy.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from msa_course.workshop import exercise as ex
from msa_course.workshop import samples

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).parent / "msa-course")


def test_the_page_follows_the_room(browser, tmp_path, artifacts):
    exercise = ex.load(REPO / "exercises" / "01_infrastructure.ipynb")
    homes = tmp_path / "homes"
    samples.make_room(homes, exercise, 40, seed=5)
    evil = homes / "<img src=x onerror=window.__pwned=1>"  # a home named to attack the page
    (homes / "learner39").rename(evil)
    proc = subprocess.Popen(
        [CLI, "progress", "--homes", str(homes), "--assignment", "01", "--refresh", "1"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        url = re.search(r"http://\S+", proc.stdout.readline()).group(0)
        page = context.new_page()
        problems = []
        page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
        page.on("pageerror", lambda err: problems.append(str(err)))
        page.goto(url)
        cells = page.locator("table.heatmap tbody tr").first.locator("td.m")
        assert cells.count() == 40
        passing_before = page.locator("td.m.passing").count()

        # learner01 has not begun; now every check of theirs passes, and they save.
        plan = {q.grade_id: "passing" for q in exercise.questions}
        path = homes / "learner01" / "msa-course" / "exercises" / f"{exercise.name}.ipynb"
        path.write_text(json.dumps(samples.saved_notebook(exercise, plan)))
        expected = passing_before + len(exercise.questions)
        expect(page.locator("td.m.passing")).to_have_count(expected, timeout=10_000)
        page.screenshot(path=str(artifacts / "progress-page.png"), full_page=True)
        page.goto(url.replace("token=", "names=1&token="))
        expect(page.locator("th.who .name")).to_have_count(40)
        assert page.evaluate("window.__pwned") is None and page.locator("img").count() == 0
        assert "<img src=x onerror=window.__pwned=1>" in page.inner_text("thead")
        assert not problems, problems
    finally:
        context.close()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
