"""A generated class for the live workshop tools: learners' homes with the exercise saved at
every stage (untouched, being answered, failing a check with one of its hints, passing), and a
graded class as `msa-course grade` leaves it. The tests, the benchmark and an instructor's dry
run of the progress page and the report use them and know every learner's state in advance.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from pathlib import Path

from msa_course.grading import gradebook, judge, report
from msa_course.grading import source as src
from msa_course.workshop import exercise as ex
from msa_course.workshop.link import DEFAULT_TARGET

FILLER = "x" * 400  # what an answer cell printed, so notebooks have a learner's size


def hint_message(question: ex.Question, index: int) -> tuple[str, ex.Hint] | None:
    """A check's failure message that fires the question's `index`-th literal hint, as the
    check raises it ("name: hint"), with that hint; None when it has no such hint."""
    literal = [(p, h) for p, h in question.hints if ex.ELLIPSIS not in h.text]
    names = [name for _, name in question.names if ex.ELLIPSIS not in name]
    if not literal or not names:
        return None
    _, hint = literal[index % len(literal)]
    return f"{names[0]}: {hint.text}", hint


def saved_notebook(exercise: ex.Exercise, plan: dict[str, str], hint_index: int = 0) -> dict:
    """The released exercise as a learner saved it, each question at the stage `plan` gives
    (not-started, working, failing or passing; failing fires a hint, or a NameError when the
    question has no literal hint)."""
    nb = json.loads(exercise.path.read_text(encoding="utf-8"))
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
            fired = hint_message(question, hint_index)
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


def make_room(
    homes: Path, exercise: ex.Exercise, size: int, seed: int = 0, course_dir: str = DEFAULT_TARGET
) -> dict[str, dict[str, str]]:
    """Write `size` learners' homes (learner00, learner01, ...) under `homes`; returns each
    learner's plan."""
    plans = {}
    for i, plan in enumerate(room_plans(exercise, size, seed)):
        name = f"learner{i:02d}"
        folder = Path(homes) / name / course_dir / "exercises"
        folder.mkdir(parents=True, exist_ok=True)
        nb = saved_notebook(exercise, plan, hint_index=i)
        (folder / f"{exercise.name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        plans[name] = plan
    return plans


def graded_result(
    assignment: src.Assignment, exercise: ex.Exercise, learner: str, plan: dict, index: int
) -> dict:
    """The grader's result (docs/grading.md, format 2) for a learner whose graded notebook
    stood as `plan` says: a failing question fires its hint, a passing one passes the hidden
    tests too, except every fifth learner's last passing question; every thirteenth learner
    is flagged."""
    result = judge.new_result(assignment, learner, Path(f"{learner}.ipynb"))
    passing = [g for g, s in plan.items() if s == "passing"]
    for question in exercise.questions:
        state = plan.get(question.grade_id, "not-started")
        status, feedback = "not-answered", ""
        if state == "passing":
            hidden = index % 5 == 4 and question.grade_id == passing[-1]
            status = "hidden-failed" if hidden else "passed"
            feedback = "run_all(...): the hidden tests try other inputs" if hidden else ""
        elif state in ("failing", "working"):
            fired = hint_message(question, index)
            status = "failed"
            feedback = fired[0] if fired else "NameError: name 'answer' is not defined"
        outcome = judge.Outcome(
            question.grade_id,
            question.title,
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


def make_grades(out: Path, exercise: ex.Exercise, size: int, seed: int = 0) -> list[dict]:
    """A graded class in `out` as `msa-course grade` writes it: results/, feedback/ and
    gradebook.csv."""
    assignment = src.parse(exercise.path)
    results = [
        graded_result(assignment, exercise, f"learner{i:02d}", plan, i)
        for i, plan in enumerate(room_plans(exercise, size, seed))
    ]
    for result in results:
        gradebook.save_result(out, result)
        gradebook.atomic_write(
            out / "feedback" / f"{result['learner']}.html", report.feedback_html(result)
        )
    question_ids = [c.grade_id for c in assignment.graded]
    gradebook.atomic_write(out / "gradebook.csv", gradebook.gradebook_csv(question_ids, results))
    return results
