"""The instructor's and the learner's pages of issue 17 in Chromium: the class report built
from hostile results shows every learner-shaped value as text and runs nothing (also with its
Content-Security-Policy taken out, so escaping alone is proven); a returned feedback page opens
in the learner's JupyterLab."""

from __future__ import annotations

from pathlib import Path

import harness
import pytest
from playwright.sync_api import expect

from msa_course.grading import gradebook
from msa_course.workshop import classreport, samples
from msa_course.workshop import exercise as ex
from msa_course.workshop.feedback import sealed

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "</td><svg onload=\"window.__pwned = 'svg'\"></svg>",
    "' onmouseover='window.__pwned = 1' x='",
]


def hostile_grades(folder, exercise: ex.Exercise):
    """Four graded learners whose results carry payloads in every field a learner's work (or
    a forged results file) could shape: learner id, titles, feedback, flags."""
    results = samples.make_grades(folder, exercise, 4)
    bad = " ".join(PAYLOADS)
    for path in (folder / "results").glob("*.json"):
        path.unlink()
    for i, result in enumerate(results):
        result["learner"] = f"eve{i}" if i else "<img src=x onerror=window.__pwned=2>"
        result["title"] = f"01 {bad}"
        for q in result["questions"]:
            q["title"] = f"Q {bad}"
            if q["status"] != "passed":
                q["status"], q["feedback"] = "failed", f"servers_needed(day, 16): {bad}"
        result["flags"] = [{"code": bad, "detail": bad}]
        gradebook.save_result(folder, result)
    ids = [q.grade_id for q in exercise.questions]
    gradebook.atomic_write(folder / "gradebook.csv", gradebook.gradebook_csv(ids, results))


@pytest.mark.parametrize("policy", [True, False], ids=["as-written", "without-csp"])
def test_the_report_shows_hostile_values_as_text(page, tmp_path, policy):
    exercise = ex.load(
        Path(__file__).resolve().parents[2] / "exercises" / "01_infrastructure.ipynb"
    )
    hostile_grades(tmp_path / "grades", exercise)
    grades = classreport.load(tmp_path / "grades")
    summary = classreport.summarise(grades, exercise, 50, "en")
    html = classreport.report_html(summary, grades, 50, "en")
    dialogs = harness.open_hostile_page(page, html, tmp_path / "report.html", policy)
    for summary_el in page.locator("summary").all():
        summary_el.click()
    page.mouse.move(10, 10)
    page.hover("body")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script, img, iframe").count() == 0
    handlers = "[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length"
    assert page.evaluate(handlers) == 0
    assert dialogs == [] and page.errors == []
    body = page.inner_text("body")
    assert PAYLOADS[0] in body and "<img src=x onerror=window.__pwned=2>" in body


def test_returned_feedback_opens_in_jupyterlab(lab, lab_page, tmp_path):
    exercise = ex.load(lab.root / "exercises" / "01_infrastructure.ipynb")
    samples.make_grades(tmp_path / "grades", exercise, 2)
    page_bytes = (tmp_path / "grades" / "feedback" / "learner00.html").read_bytes()
    target = lab.root / "exercises" / "01_infrastructure.feedback.html"
    target.write_bytes(sealed(page_bytes))
    try:
        lab_page.goto(lab.url("exercises/01_infrastructure.feedback.html"))
        frame = lab_page.frame_locator("iframe").first
        expect(frame.locator("h1")).to_contain_text("learner00", timeout=60_000)
        expect(frame.locator("body")).to_contain_text("12")
    finally:
        target.unlink()
