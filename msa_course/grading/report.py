"""What people read: an HTML feedback page per learner (what passed, what failed and why,
never the hidden tests' code) and the instructor's summary table on the terminal."""

from __future__ import annotations

from html import escape

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;color:#222;line-height:1.5}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left;vertical-align:top}.pass{color:#1a7f37}.fail{color:#b3261e}
.note{background:#fff8e1;padding:.6rem;border-radius:4px}
"""


def feedback_html(result: dict) -> str:
    """The learner's page for one graded submission."""
    rows = []
    for q in result["questions"]:
        verdict = "pass" if q["passed"] else "fail"
        mark = "passed" if q["passed"] else "not yet"
        rows.append(
            f"<tr><td>{escape(q['grade_id'])}</td><td class='{verdict}'>{mark}</td>"
            f"<td>{_points(q['points'])} / {_points(q['max_points'])}</td>"
            f"<td>{escape(q['feedback'])}</td></tr>"
        )
    errors = "".join(
        f"<li><b>{escape(str(a['cell']))}</b>: {escape(a['error'])}"
        f"{' on line ' + str(a['line']) if a.get('line') else ''}"
        f"{': ' + escape(a['message']) if a['message'] else ''}</li>"
        for a in result["answers"]
    )
    notes = ""
    if result["status"] == "invalid":
        notes = "<p class='note'>Your file could not be read as a notebook. Submit the .ipynb "
        notes += "file you worked in.</p>"
    elif result["flagged"]:
        notes = "<p class='note'>Your instructor will look at this submission: the grader noted "
        notes += "something unusual about it.</p>"
    title = f"{escape(result['assignment'])}: feedback for {escape(result['learner'])}"
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{title}</h1>"
        f"<p><b>Score: {_points(result['score'])} / {_points(result['max_score'])}</b></p>{notes}"
        "<table><tr><th>Question</th><th>Result</th><th>Points</th><th>Feedback</th></tr>"
        + "".join(rows)
        + "</table>"
        + (f"<h2>Errors in your cells</h2><ul>{errors}</ul>" if errors else "")
        + "</body></html>\n"
    )


def summary_table(results: list[dict]) -> str:
    """A plain-text table: learner, score, flags; flagged submissions marked with `!`."""
    width = max([len("learner")] + [len(r["learner"]) for r in results])
    lines = [f"  {'learner':<{width}}  {'score':>11}  flags"]
    for r in sorted(results, key=lambda r: r["learner"]):
        codes = sorted({f["code"] for f in r["flags"]})
        score = f"{_points(r['score'])} / {_points(r['max_score'])}"
        lines.append(
            f"{'!' if codes else ' '} {r['learner']:<{width}}  {score:>11}  {', '.join(codes)}"
        )
    return "\n".join(lines)


def _points(value: float) -> str:
    return f"{value:g}"
