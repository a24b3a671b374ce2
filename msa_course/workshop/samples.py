"""A generated class for the live workshop tools: learners' homes with the exercise saved at
every stage (untouched, being answered, failing a check with one of its hints, passing), and a
graded class as `msa-course grade` leaves it. The tests, the benchmark and an instructor's dry
run of the progress page and the report use them and know every learner's state in advance.

A class may mix languages (`langs`): each home holds every edition's copy, as nbgitpuller
leaves it, and a learner works in the copy of their language, whose checks spoke that language.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from msa_course.grading import checks, gradebook, judge, report
from msa_course.grading import source as src
from msa_course.i18n import DEFAULT
from msa_course.workshop import editions
from msa_course.workshop import exercise as ex
from msa_course.workshop.link import DEFAULT_TARGET

FILLER = "x" * 400  # what an answer cell printed, so notebooks have a learner's size


def hint_message(
    question: ex.Question, index: int, lang: str = DEFAULT
) -> tuple[str, ex.Hint] | None:
    """A check's failure message that fires the question's `index`-th literal hint, as the
    check raises it in `lang` ("name: hint"), with that hint; None when it has no such hint."""
    literal = [(p, h) for p, h in question.hints if ex.ELLIPSIS not in h.text]
    names = [name for _, name in question.names if ex.ELLIPSIS not in name]
    if not literal or not names:
        return None
    _, hint = literal[index % len(literal)]
    return f"{checks.shown_name(names[0], lang)}: {hint.shown(lang)}", hint


def edition(exercise: ex.Exercise, lang: str) -> Path | None:
    """The released exercise's copy in `lang` (exercises/<lang>/NN_*), None if there is none."""
    if lang == DEFAULT:
        return exercise.path
    path = exercise.path.parent / lang / exercise.path.name
    return path if path.is_file() else None


def saved_notebook(
    exercise: ex.Exercise, plan: dict[str, str], hint_index: int = 0, lang: str = DEFAULT
) -> dict:
    """The released exercise (its edition in `lang`) as a learner saved it, each question at
    the stage `plan` gives (not-started, working, failing or passing; failing fires a hint in
    `lang`, or a NameError when the question has no literal hint)."""
    nb = json.loads(edition(exercise, lang).read_text(encoding="utf-8"))
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    count = 0
    for question in exercise.questions:
        state = plan.get(question.grade_id, "not-started")
        if state == "not-started":
            continue
        for grade_id in question.answers:
            count += 1
            cell = cells[grade_id]
            cell["source"] = question.answers[grade_id] + "\n# my answer"
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": FILLER}]
        if state == "working":
            continue
        count += 1
        test = cells[question.grade_id]
        test["execution_count"] = count
        test["outputs"] = []
        if state == "failing":
            fired = hint_message(question, hint_index, lang)
            ename, evalue = ("AssertionError", fired[0]) if fired else ("NameError", "name")
            test["outputs"] = [
                {
                    "output_type": "error",
                    "ename": ename,
                    "evalue": evalue,
                    "traceback": [f"{ename}: {evalue}"],
                }
            ]
    return nb


def room_plans(exercise: ex.Exercise, size: int, seed: int = 0) -> list[dict[str, str]]:
    """One plan per learner: the first questions passed, the next one in progress (working or
    failing), the rest not started; learner 0 has passed everything, learner 1 not begun."""
    rng = random.Random(seed)
    ids = [q.grade_id for q in exercise.questions]
    plans = []
    for i in range(size):
        done = len(ids) if i == 0 else 0 if i == 1 else rng.randint(0, len(ids))
        plan = {g: "passing" for g in ids[:done]}
        if done < len(ids) and i != 1:
            plan[ids[done]] = rng.choice(["working", "failing", "failing"])
        plans.append(plan)
    return plans


def learner_lang(exercise: ex.Exercise, index: int, langs: Sequence[str]) -> str:
    """The language learner `index` works in: langs in turn, English where the exercise has
    no such edition."""
    lang = langs[index % len(langs)]
    return lang if edition(exercise, lang) else DEFAULT


def make_room(
    homes: Path,
    exercise: ex.Exercise,
    size: int,
    seed: int = 0,
    course_dir: str = DEFAULT_TARGET,
    langs: Sequence[str] = (DEFAULT,),
) -> dict[str, dict[str, str]]:
    """Write `size` learners' homes (learner00, learner01, ...) under `homes`, each with every
    edition's released copy and learner i's work in the copy of language langs[i % len]; returns
    each learner's plan."""
    plans = {}
    for i, plan in enumerate(room_plans(exercise, size, seed)):
        name = f"learner{i:02d}"
        mine = learner_lang(exercise, i, langs)
        for lang, path in editions.paths(course_dir, exercise.name).items():
            released = edition(exercise, lang)
            if released is None:
                continue
            target = Path(homes) / name / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if lang == mine:
                nb = saved_notebook(exercise, plan, hint_index=i, lang=lang)
                target.write_text(json.dumps(nb), encoding="utf-8")
            else:
                target.write_bytes(released.read_bytes())
        plans[name] = plan
    return plans


def graded_result(
    assignment: src.Assignment,
    exercise: ex.Exercise,
    learner: str,
    plan: dict,
    index: int,
    lang: str = DEFAULT,
) -> dict:
    """The grader's result (docs/grading.md, format 2) for a learner whose graded notebook
    (in `lang`; `assignment` is that edition) stood as `plan` says: a failing question fires
    its hint, a passing one passes the hidden tests too, except every fifth learner's last
    passing question; every thirteenth learner is flagged."""
    result = judge.new_result(assignment, learner, Path(f"{learner}.ipynb"))
    result["lang"] = lang
    titles = {c.grade_id: assignment.question_title(c) for c in assignment.graded}
    passing = [g for g, s in plan.items() if s == "passing"]
    for question in exercise.questions:
        state = plan.get(question.grade_id, "not-started")
        status, feedback = "not-answered", ""
        if state == "passing":
            hidden = index % 5 == 4 and question.grade_id == passing[-1]
            status = "hidden-failed" if hidden else "passed"
            feedback = "run_all(...): the hidden tests try other inputs" if hidden else ""
        elif state in ("failing", "working"):
            fired = hint_message(question, index, lang)
            status = "failed"
            feedback = fired[0] if fired else "NameError: name 'answer' is not defined"
        outcome = judge.Outcome(
            question.grade_id,
            titles[question.grade_id],
            question.points,
            question.points if status == "passed" else 0.0,
            status,
            feedback,
        )
        result["questions"].append({**asdict(outcome), "passed": outcome.passed})
    if index % 13 == 7:
        result["flags"].append({"code": "imitates-pass", "detail": "printed 'passed'"})
    result["flagged"] = bool(result["flags"])
    result["score"] = judge.score(result)
    result["seconds"] = 0.5
    return result


def make_grades(
    out: Path, exercise: ex.Exercise, size: int, seed: int = 0, langs: Sequence[str] = (DEFAULT,)
) -> list[dict]:
    """A graded class in `out` as `msa-course grade` writes it: results/, feedback/ and
    gradebook.csv; learner i graded in langs[i % len] (make_room's learners)."""
    sources = {
        lang: src.parse(edition(exercise, lang))
        for lang in {DEFAULT, *langs}
        if edition(exercise, lang)
    }
    results = []
    for i, plan in enumerate(room_plans(exercise, size, seed)):
        # a learner who did nothing has two untouched copies: collect takes the English one
        lang = learner_lang(exercise, i, langs) if plan else DEFAULT
        results.append(graded_result(sources[lang], exercise, f"learner{i:02d}", plan, i, lang))
    assignment = sources[DEFAULT]
    for result in results:
        gradebook.save_result(out, result)
        gradebook.atomic_write(
            out / "feedback" / f"{result['learner']}.html", report.feedback_html(result)
        )
    question_ids = [c.grade_id for c in assignment.graded]
    gradebook.atomic_write(out / "gradebook.csv", gradebook.gradebook_csv(question_ids, results))
    return results
