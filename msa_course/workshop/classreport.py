"""`msa-course report GRADES_DIR --out DIR`: what a class did, after `msa-course grade`.

Reads the grader's results (GRADES_DIR/results/*.json, docs/grading.md) and gradebook, checks
that they agree and belong to one assignment, and writes into DIR:
- report.html: score distribution in total and per question, the hardest questions, which
  hints (misconceptions) fired for how many learners with the hint's text, the learners to
  follow up, and every learner's points; SVG charts, no script, so it opens anywhere;
- gradebook.csv (the grader's plain CSV), canvas.csv and moodle.csv (LMS imports, lms.py);
- summary.json: every number on the page.
Hints are named by the exercise's own text (exercise.py), never by what a learner's code said.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import statistics
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path

from msa_course.workshop import charts, lms
from msa_course.workshop import exercise as ex
from msa_course.workshop.messages import DEFAULT, check_lang, text

OUTCOMES = ("passed", "failed", "hidden", "unanswered")  # a question's result, in chart order
_STATUS_OUTCOME = {"passed": "passed", "graded-manually": "passed", "failed": "failed"}
_STYLE = """
body{font-family:"Noto Sans","Noto Sans CJK KR",Arial,sans-serif;max-width:62rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45;font-size:17px}
h1{font-size:1.7rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem;margin:1.2rem 0 .3rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #e5e5e5;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}svg.chart{width:100%;height:auto;max-width:48rem}
svg.chart text{fill:#222}svg.chart text.on{fill:#fff}svg.chart line.axis{stroke:#555}
svg .bar{fill:#0072B2}svg .passed{fill:#009E73}svg .failed{fill:#D55E00}svg .hidden{fill:#E69F00}
svg .unanswered{fill:#bbbbbb}svg.meter{width:8rem;height:.8rem;vertical-align:middle}
svg.meter .track{fill:#eee}svg.meter .bar{fill:#56B4E9}.muted{color:#666}
details{margin:.2rem 0}summary{cursor:pointer}ul.legend{list-style:none;padding:0;display:flex;
flex-wrap:wrap;gap:.2rem 1.2rem;font-size:.9rem}svg.swatch{width:.9rem;height:.9rem;vertical-align:-.1rem}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass
class Grades:
    """One assignment's grading output, read and cross-checked."""

    folder: Path
    assignment: str
    title: str
    max_score: float
    questions: list[dict]  # grade_id, title, max_points, kind, in the source's order
    results: dict[str, dict]  # learner -> the grader's result
    missing: dict[str, float]  # learner on the gradebook with nothing graded -> total
    gradebook: Path


def load(folder: Path, number: str | None = None) -> Grades:
    """The grades in `folder`; ValueError (one line) for anything that is not one assignment's
    consistent grading output."""
    results = {}
    for path in sorted((folder / "results").glob("*.json")) if folder.is_dir() else []:
        results[path.stem] = _result(path)
    if not results:
        raise ValueError(text("cli-not-grades", grades=folder))
    names = sorted({r["assignment"] for r in results.values()})
    if len(names) > 1:
        raise ValueError(text("cli-mixed-grades", grades=folder, names=", ".join(names)))
    first = next(iter(results.values()))
    if number is not None and not names[0].startswith(f"{number}_"):
        raise ValueError(text("cli-other-assignment", grades=folder, found=names[0], number=number))
    questions = [
        {k: q.get(k) for k in ("grade_id", "title", "max_points", "kind")}
        for q in first["questions"]
    ]
    ids = [q["grade_id"] for q in questions]
    for learner, result in results.items():
        if [q["grade_id"] for q in result["questions"]] != ids:
            detail = f"{learner}'s questions differ from {first['learner']}'s"
            raise ValueError(text("cli-mixed-grades", grades=folder, names=detail))
    missing = _check_gradebook(folder, ids, results)
    return Grades(
        folder,
        names[0],
        first.get("title") or names[0],
        first["max_score"],
        questions,
        results,
        missing,
        folder / "gradebook.csv",
    )


def _result(path: Path) -> dict:
    def bad(detail: str) -> ValueError:
        return ValueError(text("cli-bad-result", path=path, detail=detail))

    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise bad(str(err)) from None
    if not isinstance(result, dict) or result.get("learner") != path.stem:
        raise bad("no learner, or not the file's name")
    if result.get("format") != 2:
        raise bad(f"results format {result.get('format')!r}, this report reads format 2")
    if not isinstance(result.get("assignment"), str) or not _number(result.get("score")):
        raise bad("no assignment or score")
    questions = result.get("questions")
    if not isinstance(questions, list) or not all(
        isinstance(q, dict)
        and isinstance(q.get("grade_id"), str)
        and _number(q.get("max_points"))
        and (q.get("points") is None or _number(q.get("points")))
        for q in questions
    ):
        raise bad("malformed questions")
    if not isinstance(result.get("flags"), list):
        raise bad("malformed flags")
    return result


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_gradebook(folder: Path, ids: list[str], results: dict) -> dict[str, float]:
    """The gradebook must list every graded learner with the results' points; returns the
    learners it lists without a result (not submitted) with their totals."""

    def stale(detail: str) -> ValueError:
        return ValueError(text("cli-stale-gradebook", grades=folder, detail=detail))

    try:
        rows = list(csv.DictReader((folder / "gradebook.csv").open(encoding="utf-8")))
    except OSError as err:
        raise stale(f"cannot read it: {err.strerror}") from None
    if rows and not {"learner", "total", *ids} <= set(rows[0]):
        raise stale("its columns are not the results' questions")
    by_learner = {row["learner"]: row for row in rows}
    for learner, result in results.items():
        row = by_learner.get(learner)
        if row is None:
            raise stale(f"{learner} is missing")
        points = {q["grade_id"]: q["points"] for q in result["questions"]}
        expected = [("total", result["score"])] + [(g, points[g]) for g in ids]
        for column, value in expected:
            if (row[column] or "") != ("" if value is None else f"{value:g}"):
                raise stale(f"{learner}'s {column} is {row[column]!r}, the result says {value}")
    return {
        learner: float(row["total"] or 0)
        for learner, row in by_learner.items()
        if learner not in results
    }


# -- the numbers ---------------------------------------------------------------------------


def summarise(grades: Grades, exercise: ex.Exercise | None, below: float, lang: str) -> dict:
    """Every number the report shows (summary.json)."""
    questions = {q.grade_id: q for q in exercise.questions} if exercise else {}
    learners = {}
    for learner, result in grades.results.items():
        learners[learner] = {
            "score": result["score"],
            "max_score": result["max_score"],
            "percent": _percent(result["score"], result["max_score"]),
            "status": result.get("status", "graded"),
            "flags": sorted({f.get("code", "?") for f in result["flags"] if isinstance(f, dict)}),
            "points": {q["grade_id"]: q["points"] for q in result["questions"]},
        }
    for learner, total in grades.missing.items():
        learners[learner] = {
            "score": total,
            "max_score": grades.max_score,
            "percent": _percent(total, grades.max_score),
            "status": "missing",
            "flags": ["no-submission"],
            "points": {},
        }
    graded = list(grades.results.values())
    title, titles = _titles(grades, exercise, lang)
    per_question = [
        _question(
            {**q, "title": titles[q["grade_id"]]}, i, graded, questions.get(q["grade_id"]), lang
        )
        for i, q in enumerate(grades.questions)
    ]
    scores = [r["score"] for r in graded]
    hardest = sorted(
        (q for q in per_question if q["mean"] < q["max_points"]),
        key=lambda q: (q["mean"] / (q["max_points"] or 1), q["index"]),
    )[:3]
    return {
        "assignment": grades.assignment,
        "title": title,
        "max_score": grades.max_score,
        "graded": len(graded),
        "missing": len(grades.missing),
        "total": {
            "mean": _round(statistics.fmean(scores)),
            "median": _round(statistics.median(scores)),
            "histogram": _histogram(scores, grades.max_score),
        },
        "questions": per_question,
        "hardest": [q["grade_id"] for q in hardest],
        "follow_up": _follow_up(learners, below, lang),
        "learners": learners,
    }


def _question(q: dict, index: int, results: list[dict], question, lang: str) -> dict:
    outcomes = dict.fromkeys(OUTCOMES, 0)
    points, hints = [], {}
    for result in results:
        answer = next(a for a in result["questions"] if a["grade_id"] == q["grade_id"])
        status = answer.get("status", "not-graded")
        if status == "hidden-failed":
            outcome = "hidden"
        else:
            outcome = _STATUS_OUTCOME.get(status, "unanswered")
        outcomes[outcome] += 1
        if answer["points"] is not None:
            points.append(answer["points"])
        hint = None
        if status == "hidden-failed":
            hint = ex.Hint(f"{q['grade_id']}/hidden", text("hint-hidden", lang))
        elif status == "failed" and question is not None:
            feedback, spoke = str(answer.get("feedback", "")), str(result.get("lang", DEFAULT))
            hint = question.classify(feedback, error=None, lang=spoke)
        if hint is not None:
            hints.setdefault(hint, []).append(result["learner"])
    return {
        "index": index,
        "grade_id": q["grade_id"],
        "label": question.label if question else q["grade_id"],
        "title": q.get("title") or q["grade_id"],
        "kind": q.get("kind") or "auto",
        "max_points": q["max_points"],
        "mean": _round(statistics.fmean(points)) if points else 0.0,
        "learners": len(results),
        **outcomes,
        "pending": len(results) - len(points),
        "hints": sorted(
            (
                {"text": hint.shown(lang), "learners": len(who), "who": sorted(who)}
                for hint, who in hints.items()
            ),
            key=lambda h: (-h["learners"], h["text"]),
        ),
    }


def _titles(grades: Grades, exercise: ex.Exercise | None, lang: str) -> tuple[str, dict]:
    """The assignment's and each question's title in `lang`: from a result graded in `lang`
    (the grader takes titles from the submission's edition), else the exercise's edition in
    `lang`, else the grades' own (the first result's)."""
    titles = {q["grade_id"]: q.get("title") or q["grade_id"] for q in grades.questions}
    same = next((r for r in grades.results.values() if r.get("lang", DEFAULT) == lang), None)
    if same is not None:
        return same.get("title") or grades.title, {
            q["grade_id"]: q.get("title") or titles[q["grade_id"]] for q in same["questions"]
        }
    if exercise is not None and lang in exercise.titles:
        by_id = {q.grade_id: q.title_in(lang) for q in exercise.questions}
        return exercise.title_in(lang), {g: by_id.get(g, t) for g, t in titles.items()}
    return grades.title, titles


def _histogram(scores: list[float], max_score: float) -> list[dict]:
    """Bins of one point up to 20 points, else twenty equal bins; a score on a bin's upper
    edge counts in that bin only for the last one."""
    bins = int(max_score) if max_score <= 20 and float(max_score).is_integer() else 20
    bins = max(bins, 1)
    width = max_score / bins if max_score else 1.0
    counts = [0] * (bins + (1 if width == 1.0 else 0))
    for score in scores:
        counts[min(int(score // width), len(counts) - 1)] += 1
    out = []
    for i, count in enumerate(counts):
        low, high = _round(i * width), _round(min((i + 1) * width, max_score))
        label = f"{low:g}" if width == 1.0 else f"{low:g}\u2013{high:g}"
        out.append({"low": low, "high": high, "label": label, "count": count})
    return out


def _follow_up(learners: dict, below: float, lang: str) -> list[dict]:
    rows = []
    for learner, info in learners.items():
        why = []
        if info["status"] == "missing":
            why.append(text("report-why-missing", lang))
        elif info["status"] == "invalid":
            why.append(text("report-why-invalid", lang))
        elif info["percent"] < below:
            why.append(text("report-why-low", lang, percent=f"{info['percent']:g}"))
        flags = [c for c in info["flags"] if c != "no-submission"]
        if flags:
            why.append(text("report-why-flag", lang, codes=", ".join(flags)))
        if why:
            rows.append({"learner": learner, "score": info["score"], "why": why})
    return sorted(rows, key=lambda r: (r["score"], r["learner"]))


def _percent(score: float, max_score: float) -> float:
    return round(100 * score / max_score, 1) if max_score else 0.0


def _round(value: float) -> float:
    return round(value, 2)


# -- the page --------------------------------------------------------------------------------


def report_html(summary: dict, grades: Grades, below: float, lang: str) -> str:
    t = lambda key, **values: escape(text(key, lang, **values))  # noqa: E731
    hist = summary["total"]["histogram"]
    total_chart = charts.histogram(
        [b["count"] for b in hist],
        [b["label"] for b in hist],
        text("report-total-axis", lang, max_score=f"{summary['max_score']:g}"),
        text("report-learners-axis", lang),
    )
    legend = [text(f"report-outcome-{o}", lang) for o in OUTCOMES]
    question_chart = charts.stacked(
        [(q["label"], [q[o] for o in OUTCOMES]) for q in summary["questions"]],
        list(OUTCOMES),
        legend,
    ) + charts.legend(list(OUTCOMES), legend)
    rows = "".join(
        f"<tr><td>{escape(q['label'])}</td><td>{escape(q['title'])}</td>"
        f"<td class='n'>{q['mean']:g} / {q['max_points']:g}</td>"
        f"<td class='n'>{q['passed']} / {q['learners']}</td>"
        f"<td>{charts.meter(q['mean'] / (q['max_points'] or 1))}</td></tr>"
        for q in summary["questions"]
    )
    by_id = {q["grade_id"]: q for q in summary["questions"]}
    hardest = "".join(
        "<li>"
        + t(
            "report-hardest-item",
            title=by_id[g]["title"],
            passed=by_id[g]["passed"],
            learners=by_id[g]["learners"],
            mean=f"{by_id[g]['mean']:g}",
            max_points=f"{by_id[g]['max_points']:g}",
        )
        + "</li>"
        for g in summary["hardest"]
    )
    parts = [
        f"<h1>{t('report-title', title=summary['title'])}</h1>",
        "<p>"
        + t(
            "report-summary",
            graded=summary["graded"],
            missing=summary["missing"],
            mean=f"{summary['total']['mean']:g}",
            max_score=f"{summary['max_score']:g}",
            median=f"{summary['total']['median']:g}",
        )
        + "</p>",
        "<p class='muted'>"
        + t("report-generated", when=time.strftime("%Y-%m-%d %H:%M"), grades=grades.folder)
        + "</p>",
        f"<h2>{t('report-total-heading')}</h2>{total_chart}",
        f"<h2>{t('report-questions-heading')}</h2>{question_chart}",
        _table(
            [t("report-question-col"), "", t("report-mean-col"), t("report-passed-col"), ""],
            rows,
            numeric={2, 3},
        ),
        f"<h2>{t('report-hardest-heading')}</h2><ol>{hardest}</ol>",
        f"<h2>{t('report-hints-heading')}</h2><p>{t('report-hints-intro')}</p>",
        *(_hints_html(q, t) for q in summary["questions"]),
        _follow_up_html(summary, below, t),
        _learners_html(summary, grades, t),
        f"<h2>{t('report-exports-heading')}</h2><ul>"
        + "".join(
            f"<li>{t('report-export-' + k)}</li>" for k in ("plain", "canvas", "moodle", "summary")
        )
        + "</ul>",
    ]
    title = t("report-title", title=summary["title"])
    return (
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{_CSP}\">"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )


def _hints_html(question: dict, t) -> str:
    head = f"<h3>{escape(question['label'])} \u00b7 {escape(question['title'])}</h3>"
    if not question["hints"]:
        return head + f"<p class='muted'>{t('report-hints-none')}</p>"
    rows = "".join(
        f"<tr><td>{escape(h['text'])}<details><summary class='muted'>{t('report-who')}"
        f"</summary>{escape(', '.join(h['who']))}</details></td>"
        f"<td class='n'>{h['learners']}</td>"
        f"<td>{charts.meter(h['learners'] / (question['learners'] or 1))}</td></tr>"
        for h in question["hints"]
    )
    return head + _table([t("report-hint-col"), t("report-learners-col"), ""], rows, {1})


def _follow_up_html(summary: dict, below: float, t) -> str:
    head = f"<h2>{t('report-followup-heading')}</h2><p>{t('report-followup-intro', percent=f'{below:g}')}</p>"
    if not summary["follow_up"]:
        return head + f"<p>{t('report-followup-none')}</p>"
    max_score = summary["max_score"]
    rows = "".join(
        f"<tr><td>{escape(r['learner'])}</td><td class='n'>{r['score']:g} / {max_score:g}</td>"
        f"<td>{escape('; '.join(r['why']))}</td></tr>"
        for r in summary["follow_up"]
    )
    return head + _table(
        [t("report-learner-col"), t("report-score-col"), t("report-why-col")], rows, {1}
    )


def _learners_html(summary: dict, grades: Grades, t) -> str:
    ids = [q["grade_id"] for q in summary["questions"]]
    labels = [escape(q["label"]) for q in summary["questions"]]
    rows = []
    for learner in sorted(summary["learners"]):
        info = summary["learners"][learner]
        cells = "".join(f"<td class='n'>{_points(info['points'].get(g, ''))}</td>" for g in ids)
        rows.append(
            f"<tr><td>{escape(learner)}</td>{cells}<td class='n'>{info['score']:g}</td>"
            f"<td>{escape(' '.join(info['flags']))}</td></tr>"
        )
    return (
        f"<h2>{t('report-learners-heading')}</h2><details><summary>"
        f"{t('report-learners-show', count=len(rows))}</summary>"
        + _table(
            [t("report-learner-col"), *labels, t("report-total-col"), t("report-flags-col")],
            "".join(rows),
            numeric=set(range(1, len(labels) + 2)),
            id="learners",
        )
        + "</details>"
    )


def _table(heads: list[str], rows: str, numeric: set[int] = frozenset(), id: str = "") -> str:
    """A table of `rows` (<tr>s) under `heads` (escaped already); the columns at the indices
    `numeric` hold numbers, right-aligned."""
    cells = "".join(
        f"<th class='n'>{h}</th>" if i in numeric else f"<th>{h}</th>" for i, h in enumerate(heads)
    )
    opening = f"<table id='{id}'>" if id else "<table>"
    return f"{opening}<tr>{cells}</tr>{rows}</table>"


def _points(value) -> str:
    if value is None:
        return "?"
    return "" if value == "" else f"{value:g}"


# -- the command -----------------------------------------------------------------------------


def add_arguments(parser) -> None:
    parser.add_argument("grades", type=Path, metavar="GRADES_DIR", help="msa-course grade's --out")
    parser.add_argument("--out", type=Path, required=True, help="folder for the report")
    parser.add_argument("--assignment", metavar="NN", help="refuse grades of another exercise")
    parser.add_argument(
        "--exercises",
        type=Path,
        help="folder of the released exercises, for the hints (default: the checkout's)",
    )
    parser.add_argument(
        "--follow-up-below",
        type=float,
        default=50.0,
        metavar="PERCENT",
        help="list learners below this share of the points (default 50)",
    )
    parser.add_argument(
        "--lms-roster",
        type=Path,
        help="CSV mapping learners to LMS ids: learner,name,login,email,canvas_id,sis_user_id,section",
    )
    parser.add_argument("--lang", default="en", help="language of the report (default en)")


def run(args) -> int:
    from msa_course.cli import CommandError
    from msa_course.grading.source import SourceError
    from msa_course.workshop.progress import default_exercises

    grades_dir, out = args.grades.resolve(), args.out.resolve()
    try:
        check_lang(args.lang)
        if out == grades_dir or any(
            out == grades_dir / sub or grades_dir / sub in out.parents
            for sub in ("results", "feedback")
        ):
            raise ValueError(text("cli-out-inside", grades=grades_dir, out=out))
        grades = load(grades_dir, args.assignment)
        roster = lms.read_roster(args.lms_roster) if args.lms_roster else {}
        folder = args.exercises or default_exercises()
        path = folder / f"{grades.assignment}.ipynb"
        exercise = ex.load(path) if path.is_file() else None
    except (ValueError, SourceError) as err:
        raise CommandError(str(err)) from None
    if exercise is None:
        print(text("cli-report-no-exercise", args.lang, path=path))
    summary = summarise(grades, exercise, args.follow_up_below, args.lang)
    scores = {}
    for learner, result in grades.results.items():
        pending = any(q["points"] is None for q in result["questions"])
        scores[learner] = None if pending else result["score"]
    scores.update(grades.missing)
    out.mkdir(parents=True, exist_ok=True)
    page = out / "report.html"
    page.write_text(report_html(summary, grades, args.follow_up_below, args.lang), encoding="utf-8")
    shutil.copyfile(grades.gradebook, out / "gradebook.csv")
    title = summary["title"]  # in the report's language, as the LMS column is named
    (out / "canvas.csv").write_text(
        lms.canvas_csv(title, grades.max_score, scores, roster), encoding="utf-8"
    )
    (out / "moodle.csv").write_text(lms.moodle_csv(title, scores, roster), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    waiting = sum(score is None for score in scores.values())
    if waiting:
        print(text("cli-report-pending", args.lang, count=waiting))
    print(text("cli-report-written", args.lang, path=page))
    return 0
