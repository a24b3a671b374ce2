"""What to run for one submission: the source's cells with only the learner's answers taken
from the submission, matched by grade_id, and everything else the learner did to the
notebook noted as a flag.

Tests, points, locked cells and their order come from the source; from the submission we take
the code of answer cells and of cells the learner added (helpers, scratch work), each run
after the source cell it follows. Deleted tests still run; edited, duplicated, reordered or
re-pointed cells change nothing but are flagged for the instructor, as is code that reaches
for the machinery (see SUSPICIOUS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from msa_course.grading import source as src

# Code an honest answer to these exercises never needs; matching it flags, never penalises.
SUSPICIOUS = {
    "exception-handler": r"set_custom_exc|showtraceback|sys\.excepthook",
    "builtins": r"\b__builtins__\b|\bimport\s+builtins\b|\bbuiltins\.",
    "redefines-checks": r"\b(def|class)\s+(expect_\w+|AssertionError)\b"
    r"|\b(expect_\w+|AssertionError|checks\.\w+)\s*=[^=]",
    "patches-msa-course": r"\bmsa_course(\.\w+)*\.\w+\s*=[^=]|setattr\s*\(",
    "imitates-pass": r"print\s*\(.*(passed|all tests|full marks|\u2713|\u2714)",
    "exits": r"\bsys\.exit\b|\bos\._exit\b|\bexit\s*\(|\bquit\s*\(|\bos\.abort\b",
    "signals-processes": r"\bos\.kill|\bkillpg\b|\bimport\s+signal\b|\bos\.fork\b|"
    r"\bimport\s+(subprocess|multiprocessing)\b|\bos\.(system|popen|exec\w*)\s*\(",
    "reads-machinery": r"/proc/|\bgc\.get_objects\b|\bsys\._getframe\b|\binspect\.stack\b"
    r"|\bctypes\b|BEGIN HIDDEN|\.ipynb|os\.walk|\bglob\b|\bscandir\b|\bsys\.modules\b",
    "tampers-output": r"\bfallocate\b|\bftruncate\b|\bsys\.__std(out|err)__\b",
    "writes-files": r"open\s*\(.*['\"][wax]\+?b?['\"]|\.write_(text|bytes)\s*\(",
    "network": r"\b(import|from)\s+(socket|urllib|requests|http|ssl)\b",
}
_SUSPICIOUS = {code: re.compile(rx) for code, rx in SUSPICIOUS.items()}


@dataclass
class Flag:
    code: str
    detail: str


@dataclass
class Step:
    kind: str  # "run" (in the learner's process) or "test" (in the grader)
    code: str
    label: str
    answer_of: str | None = None  # grade_id when this is the learner's answer cell
    test: src.SourceCell | None = None


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)  # grade_id -> the learner's text


def assemble(assignment: src.Assignment, notebook: dict) -> Plan:
    """The steps to grade `notebook` (a submission already read as JSON) against the source."""
    plan = Plan()
    by_id = {c.grade_id: c for c in assignment.cells if c.grade_id}
    answers: dict[str, str] = {}
    extras: dict[int, list[str]] = {}
    anchor, order = -1, []
    for position, cell in enumerate(notebook.get("cells", [])):
        if not isinstance(cell, dict):
            plan.flags.append(Flag("malformed-cell", f"cell {position} is not a cell object"))
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbg = meta.get("nbgrader") if isinstance(meta.get("nbgrader"), dict) else {}
        grade_id = nbg.get("grade_id") if isinstance(nbg.get("grade_id"), str) else None
        code = src.cell_text(cell) if cell.get("cell_type") == "code" else ""
        source_cell = by_id.get(grade_id)
        if source_cell is None:
            if grade_id is not None and (nbg.get("grade") or nbg.get("solution")):
                plan.flags.append(
                    Flag(
                        "unknown-grade-id",
                        f"cell {position} claims grade_id "
                        f"{grade_id!r}, which the source does not have",
                    )
                )
            if code.strip():
                extras.setdefault(anchor, []).append(code)
            continue
        if grade_id in order:
            plan.flags.append(
                Flag(
                    "duplicate-grade-id",
                    f"grade_id {grade_id!r} appears more "
                    f"than once (cell {position}); the first one counts",
                )
            )
            continue
        order.append(grade_id)
        anchor = source_cell.index
        if source_cell.solution:
            if cell.get("cell_type") != source_cell.cell_type:
                plan.flags.append(
                    Flag(
                        "changed-cell-type",
                        f"answer {grade_id!r} is now a {cell.get('cell_type')} cell",
                    )
                )
            answers[grade_id] = code
            plan.answers[grade_id] = src.cell_text(cell)
        else:
            _compare_locked(plan, source_cell, cell, nbg, code)
    source_order = [c.grade_id for c in assignment.cells if c.grade_id in order]
    if order != source_order:
        plan.flags.append(
            Flag("reordered", "graded or locked cells were moved; the source's order is used")
        )
    for extra in extras.get(-1, []):
        plan.steps.append(Step("run", extra, "added cell"))
    for cell in assignment.cells:
        if cell.grade_id and cell.grade_id not in order:
            kind = "missing-answer" if cell.solution else "deleted-cell"
            plan.flags.append(
                Flag(
                    kind,
                    f"cell {cell.grade_id!r} is not in the submission"
                    + ("" if cell.solution else "; the source's copy is used"),
                )
            )
        if cell.cell_type == "code" and cell.grade_id:
            if cell.solution:
                plan.steps.append(
                    Step(
                        "run",
                        answers.get(cell.grade_id, ""),
                        f"answer {cell.grade_id}",
                        answer_of=cell.grade_id,
                    )
                )
            elif cell.is_test:
                plan.steps.append(Step("test", cell.source, cell.grade_id, test=cell))
            else:
                plan.steps.append(Step("run", cell.source, f"cell {cell.grade_id}"))
        for extra in extras.get(cell.index, []):
            plan.steps.append(Step("run", extra, "added cell"))
    learner_code = "\n".join(
        s.code for s in plan.steps if s.kind == "run" and (s.answer_of or s.label == "added cell")
    )
    for code, rx in _SUSPICIOUS.items():
        match = rx.search(learner_code)
        if match:
            plan.flags.append(Flag(code, f"the learner's code contains {match.group(0)[:60]!r}"))
    return plan


def _compare_locked(
    plan: Plan, source_cell: src.SourceCell, cell: dict, nbg: dict, code: str
) -> None:
    """Flag edits to a test or locked cell; the source's copy is what runs either way."""
    gid = source_cell.grade_id
    for key, want in (
        ("grade", source_cell.grade),
        ("solution", source_cell.solution),
        ("locked", source_cell.locked),
    ):
        if bool(nbg.get(key, False)) != want:
            plan.flags.append(Flag("changed-metadata", f"{gid!r}: {key} changed"))
    if source_cell.grade and nbg.get("points") != source_cell.points:
        plan.flags.append(
            Flag("changed-points", f"{gid!r}: points changed to {nbg.get('points')!r:.20}")
        )
    if source_cell.cell_type == "code":
        released = src.strip_region(source_cell.source, src.BEGIN_HIDDEN, src.END_HIDDEN, None)
        if code.strip() != released.strip():
            plan.flags.append(
                Flag(
                    "edited-test" if source_cell.is_test else "edited-cell",
                    f"{gid!r} differs from the released cell",
                )
            )
