"""An exercise as a learner does it: write an answer, run the visible check, read the feedback.

The test opens the first exercises/ notebook, answers its first question wrongly and then
rightly (the answer comes from solutions/), and asserts what the check cell shows: for the
wrong answer exactly the feedback the check gives when run outside the browser, for the right
one no error.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import harness
import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.browser

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def _nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def first_question(exercise: dict) -> tuple[int, int]:
    """Indices of the first answer cell and of the test cell that checks it."""
    cells = exercise["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and _nbgrader(cell).get("solution"):
            for j in range(i + 1, len(cells)):
                if cells[j]["cell_type"] == "code" and _nbgrader(cells[j]).get("grade"):
                    return i, j
    raise LookupError("no answer cell followed by a test cell")


def right_answer(solutions: dict, grade_id: str) -> str:
    for cell in solutions["cells"]:
        if _nbgrader(cell).get("grade_id") == grade_id:
            lines = "".join(cell["source"]).splitlines()
            return "\n".join(line for line in lines if not SOLUTION_MARKER.match(line))
    raise LookupError(f"solutions notebook has no cell {grade_id!r}")


def wrong_answer(right: str) -> str:
    """The same names, answered with nothing: every variable None, every function returning
    None. The check must then explain what is wrong."""
    lines = []
    for node in ast.parse(right).body:
        if isinstance(node, ast.FunctionDef):
            lines.append(f"def {node.name}(*args, **kwargs):\n    return None")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            lines += [f"{t.id} = None" for t in targets if isinstance(t, ast.Name)]
    if not lines:
        raise ValueError(f"the answer defines no variable or function:\n{right}")
    return "\n".join(lines)


def feedback_outside_browser(exercise: dict, answer_index: int, test_index: int, answer: str):
    """Run the cells before the answer, the answer and the check in a plain kernel; return the
    check's error (ename, evalue), or None when it passes."""
    cells = [
        nbformat.v4.new_code_cell("".join(c["source"]))
        for c in exercise["cells"][:answer_index]
        if c["cell_type"] == "code"
    ]
    cells += [
        nbformat.v4.new_code_cell(answer),
        nbformat.v4.new_code_cell("".join(exercise["cells"][test_index]["source"])),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    errors = [o for o in nb.cells[-1].outputs if o.output_type == "error"]
    return (errors[0].ename, errors[0].evalue) if errors else None


@pytest.fixture(scope="module", params=["en", "ko"])
def exercise_path(course_root, request) -> Path:
    """The first exercise of each language (exercises/, the Korean edition's exercises/ko/)."""
    folder = course_root / "exercises" / ("" if request.param == "en" else request.param)
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        pytest.skip(f"no {folder.name}/ notebooks yet: run `msa-course release`")
    return paths[0]


def test_visible_check_gives_feedback_wrong_then_right(
    exercise_path, course_root, lab, lab_page, artifacts
):
    """In the Korean edition the same check, from the same code, answers in Korean."""
    page = lab_page
    exercise = json.loads(exercise_path.read_text(encoding="utf-8"))
    rel = exercise_path.relative_to(course_root / "exercises")
    solutions = json.loads((course_root / "solutions" / rel).read_text("utf-8"))
    korean = rel.parent.name == "ko"
    answer_i, test_i = first_question(exercise)
    right = right_answer(solutions, _nbgrader(exercise["cells"][answer_i])["grade_id"])
    wrong = wrong_answer(right)
    expected = feedback_outside_browser(exercise, answer_i, test_i, wrong)
    assert expected is not None and expected[0] == "AssertionError", (
        f"the check should reject {wrong!r} with feedback, got {expected}"
    )

    if korean:
        assert re.search("[\uac00-\ud7a3]", expected[1]), f"not Korean: {expected[1]!r}"
    harness.open_notebook(page, lab, f"exercises/{rel.as_posix()}")
    harness.run_all(page)  # stops at the unanswered question, as it does for a learner
    harness.wait_until_executed(page)

    harness.set_cell_source(page, answer_i, wrong)
    harness.run_cell(page, answer_i)
    shown = harness.run_cell(page, test_i)
    assert "AssertionError" in shown
    assert expected[1] in shown, f"expected feedback {expected[1]!r}; the page shows {shown!r}"
    name = f"exercise_{rel.with_suffix('').as_posix().replace('/', '_')}"
    harness.cell(page, test_i).screenshot(path=str(artifacts / f"{name}_feedback.png"))
    if korean:
        drawn = harness.hangul_drawn(harness.cell(page, test_i).locator(".jp-OutputArea-output"))
        assert drawn["ink"] > 50 and drawn["differ"], f"Hangul drawn as boxes in {drawn['font']}"

    harness.set_cell_source(page, answer_i, right)
    assert harness.run_cell(page, answer_i) == ""
    shown = harness.run_cell(page, test_i)
    assert "Error" not in shown, f"the right answer was rejected: {shown}"
