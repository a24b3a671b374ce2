"""A learner's feedback page built from hostile fields, opened in Chromium: markup that a
learner (or a learner's process) put into its answer, output, error record, learner id or a
manual comment shows as text, and no script runs. Also checked with the page's
Content-Security-Policy taken out, so escaping alone is proven, not only the policy."""

from __future__ import annotations

import harness
import pytest

from msa_course.grading import report

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "</pre><svg onload=\"window.__pwned = 'svg'\"></svg>",
    "' onmouseover='window.__pwned = 1' x='",
    '"><iframe srcdoc="<script>parent.__pwned = 1</script>"></iframe>',
]


def hostile_result() -> dict:
    bad = " ".join(PAYLOADS)
    question = {
        "grade_id": "q1-test",
        "title": f"Question 1 {bad}",
        "kind": "auto",
        "points": 0.0,
        "max_points": 2.0,
        "status": "failed",
        "passed": False,
        "feedback": bad,
        "answer": {
            "code": bad,
            "output": bad,
            "error": {"cell": bad, "error": "ValueError", "message": bad, "line": 3},
        },
        "comment": bad,
    }
    manual = {**question, "grade_id": "q2", "kind": "manual", "status": "graded-manually"}
    return {
        "format": 2,
        "learner": "eve",
        "assignment": "99_capacity",
        "title": f"99 Capacity {bad}",
        "status": "graded",
        "score": 0.0,
        "max_score": 4.0,
        "questions": [question, manual],
        "answers": [],
        "flags": [{"code": "protocol", "detail": bad}],
        "flagged": True,
        "late": {"seconds": 3700, "penalty": 0.1},
    }


@pytest.mark.parametrize("policy", [True, False], ids=["as-written", "without-csp"])
def test_hostile_fields_render_as_text_and_run_nothing(page, tmp_path, policy):
    html = report.feedback_html(hostile_result())
    dialogs = harness.open_hostile_page(page, html, tmp_path / "eve.html", policy)
    page.mouse.move(10, 10)
    page.hover("body")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script, img, svg, iframe").count() == 0
    assert dialogs == [] and page.errors == []
    body = page.inner_text("body")
    for payload in PAYLOADS:
        assert payload in body  # shown back as the text it is
