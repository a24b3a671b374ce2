"""What people read: an HTML feedback page per learner (each question under its title, the
verdict, the learner's own answer and what it printed, never the hidden tests' code) and the
instructor's summary table on the terminal.

Every value on the page that a learner (or a learner's process) could have shaped is escaped,
and the page carries a Content-Security-Policy that allows no script at all, so even a value
that slipped past escaping could not run.
"""

from __future__ import annotations

from html import escape

from msa_course.grading.messages import DEFAULT, text

_STYLE = """
body{font-family:system-ui,"Noto Sans CJK KR","Noto Sans KR","Apple SD Gothic Neo","Malgun Gothic",sans-serif;max-width:50rem;margin:2rem auto;color:#222;line-height:1.5}
section{border-top:1px solid #ddd;padding:.4rem 0}.pass{color:#1a7f37}.fail{color:#b3261e}
.wait{color:#8a5a00}.note{background:#fff8e1;padding:.6rem;border-radius:4px}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap}
h2{font-size:1.15rem;margin:.6rem 0 .2rem}.points{color:#555}:lang(ko){word-break:keep-all}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_CLASS = {"passed": "pass", "graded-manually": "pass", "pending-manual": "wait"}


def _e(value) -> str:
    return escape(str(value), quote=True)


def verdict(q: dict, lang: str = DEFAULT) -> str:
    """The sentence that says how a question went."""
    status = q.get("status", "not-graded")
    message = q.get("feedback", "")
    if status in ("failed", "hidden-failed"):
        return text(f"status-{status}", lang, message=message)
    if status == "not-graded":
        return text("status-not-graded", lang, reason=message or "?")
    return text(f"status-{status}", lang)


def duration(seconds: float, lang: str = DEFAULT) -> str:
    minutes = int(seconds // 60)
    if minutes >= 24 * 60:
        return text("late-days-hours", lang, days=minutes // 1440, hours=minutes % 1440 // 60)
    return text("late-hours-minutes", lang, hours=minutes // 60, minutes=minutes % 60)


def _question(q: dict, lang: str) -> str:
    status = q.get("status", "not-graded")
    if q.get("points") is None:
        points = text("points-pending", lang, max_points=_num(q["max_points"]))
    else:
        points = text("points", lang, points=_num(q["points"]), max_points=_num(q["max_points"]))
    parts = [
        f"<p class='{_CLASS.get(status, 'fail')}'>{_e(verdict(q, lang))}</p>",
        f"<p class='points'>{_e(points)}</p>",
    ]
    if q.get("comment"):
        parts.append(f"<p class='note'>{_e(text('comment', lang, comment=q['comment']))}</p>")
    answer = q.get("answer") or {}
    if answer.get("code") and status != "not-answered":
        parts.append(f"<h3>{_e(text('your-answer', lang))}</h3><pre>{_e(answer['code'])}</pre>")
        if answer.get("output"):
            parts.append(
                f"<h3>{_e(text('its-output', lang))}</h3><pre>{_e(answer['output'])}</pre>"
            )
        error = answer.get("error")
        if error:
            key = "its-error" if error.get("line") else "its-error-no-line"
            line = error.get("line")
            sentence = text(key, lang, error=error["error"], line=line, message=error["message"])
            parts.append(f"<p class='fail'>{_e(sentence)}</p>")
    return "".join(parts)


def feedback_html(result: dict, lang: str | None = None) -> str:
    """The learner's page for one graded submission, in `lang` (default: the submission's
    language, which the grader recorded)."""
    lang = lang or result.get("lang") or DEFAULT
    sections, last_title = [], None
    for q in result["questions"]:
        title = q.get("title") or q["grade_id"]
        heading = f"<h2>{_e(title)}</h2>" if title != last_title else ""
        sections.append(f"<section>{heading}{_question(q, lang)}</section>")
        last_title = title
    notes = []
    if result["status"] == "invalid":
        notes.append(text("note-invalid", lang))
    elif result["status"] == "missing":
        notes.append(text("missing-submission", lang))
    elif result["flagged"]:
        notes.append(text("note-flagged", lang))
    late = result.get("late")
    if late:
        key = "note-late" if late.get("penalty") else "note-late-no-penalty"
        late_for = duration(late["seconds"], lang)
        notes.append(text(key, lang, late=late_for, penalty=_num(100 * late.get("penalty", 0))))
    title = text(
        "page-title",
        lang,
        title=result.get("title") or result["assignment"],
        learner=result["learner"],
    )
    key = "score-late" if late and late.get("penalty") else "score"
    score = text(key, lang, score=_num(result["score"]), max_score=_num(result["max_score"]))
    return (
        f"<!doctype html><html lang='{_e(lang)}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{_CSP}\">"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1><p><b>{_e(score)}</b></p>"
        + "".join(f"<p class='note'>{_e(n)}</p>" for n in notes)
        + "".join(sections)
        + "</body></html>\n"
    )


def summary_table(results: list[dict]) -> str:
    """A plain-text table: learner, score, flags; flagged submissions marked with `!`."""
    width = max([len("learner")] + [len(r["learner"]) for r in results])
    lines = [f"  {'learner':<{width}}  {'score':>11}  flags"]
    for r in sorted(results, key=lambda r: r["learner"]):
        codes = sorted({f["code"] for f in r["flags"]})
        pending = [q["grade_id"] for q in r["questions"] if q.get("points") is None]
        if pending:
            codes.append("needs manual grading")
        score = f"{_num(r['score'])} / {_num(r['max_score'])}"
        lines.append(
            f"{'!' if r['flagged'] else ' '} {r['learner']:<{width}}  {score:>11}  {', '.join(codes)}"
        )
    return "\n".join(lines)


def _num(value: float) -> str:
    return f"{value:g}"
