"""Grade one submission: run its plan, and decide every test in the grader's own process.

A test cell runs here, with the grader's real builtins and check helpers, against a namespace
whose missing names are fetched from the learner's process as plain data; a learner's
function becomes a proxy whose calls run over there with plain-data arguments. Hidden tests
and expected values never leave this process, so nothing the learner's code does to its own
interpreter (patched builtins or checks, swallowed exceptions, printed "passed") reaches the
verdict. Names the source itself imports (check helpers, msa_course, numpy) always resolve
here, never in the learner's process.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import re
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from msa_course import i18n
from msa_course.grading import source as src
from msa_course.grading import wire
from msa_course.grading.assemble import Flag, assemble
from msa_course.grading.messages import DEFAULT, text
from msa_course.grading.sandbox import Limits, Sandbox, SandboxEnded

_BUILTIN_NAMES = frozenset(dir(builtins))
_EXCEPTIONS = {
    name: obj
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception)
}
PASS_WORDS = ("passed", "all tests", "\u2713", "\u2714", "full marks")
FORMAT = 2  # results JSON format (docs/grading.md)
MESSAGE_CHARS = 500
ANSWER_CHARS = 4000


@dataclass
class Context:
    """What every submission of one run shares: the source, the limits, and what the
    learner's root holds (sandbox.default_allow)."""

    assignment: src.Assignment
    limits: Limits
    allow: list[str]
    lang: str | None = None  # the feedback's language; None: each submission's own
    trusted: dict = field(init=False)

    def __post_init__(self):
        self.trusted = trusted_imports(self.assignment)
        self._editions: dict[str, src.Assignment] = {}

    def edition(self, lang: str) -> src.Assignment:
        """The source in `lang` for titles (solutions/<lang>/NN_x.ipynb beside the source,
        generated from it with the same grade ids and tests); the source itself if there is
        none. Grading always runs the source's own tests, so every edition scores alike."""
        if lang == DEFAULT:
            return self.assignment
        if lang not in self._editions:
            path = self.assignment.path.parent / lang / self.assignment.path.name
            try:
                edition = src.parse(path)
            except src.SourceError:
                edition = self.assignment
            same = [c.grade_id for c in edition.graded] == [
                c.grade_id for c in self.assignment.graded
            ]
            self._editions[lang] = edition if same else self.assignment
        return self._editions[lang]


def trusted_imports(assignment: src.Assignment) -> dict:
    """The names the source's own import statements bind, imported in the grader."""
    body = []
    for cell in assignment.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        body += [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    namespace = {"__builtins__": builtins}
    exec(compile(ast.Module(body=body, type_ignores=[]), "<source imports>", "exec"), namespace)
    return namespace


class LearnerFunction:
    """A function defined by the learner: calling it runs it in the learner's process."""

    def __init__(self, sandbox: Sandbox, ref: int, name: str, lang: str):
        self._sandbox, self._ref, self.__name__, self._lang = sandbox, ref, name, lang

    def __call__(self, *args, **kwargs):
        try:
            message = {
                "op": "call",
                "ref": self._ref,
                "args": wire.encode(list(args)),
                "kwargs": wire.encode(dict(kwargs)),
            }
        except wire.WireError as err:
            hint = text("hint-call-plain-data", self._lang, name=self.__name__, message=err)
            raise TypeError(hint) from None
        reply = self._sandbox.request(message)
        return _value(self._sandbox, reply, f"{self.__name__}(...)", self._lang)

    def __repr__(self) -> str:
        return f"<your function {self.__name__}>"


def _value(sandbox: Sandbox, reply: dict, what: str, lang: str):
    if reply.get("ok") is not True:
        error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        kind, message = error.get("type"), error.get("message")
        kind = kind[:80] if isinstance(kind, str) else "Error"
        message = message[:MESSAGE_CHARS] if isinstance(message, str) else ""
        if kind == "NotPlainData":
            raise TypeError(text("hint-not-plain-data", lang, what=what, message=message))
        if kind in _EXCEPTIONS:
            raise _EXCEPTIONS[kind](message)
        raise RuntimeError(text("hint-raised", lang, what=what, error=kind, message=message))
    try:
        return wire.decode(
            reply.get("value"), lambda ref, name: LearnerFunction(sandbox, ref, name, lang)
        )
    except wire.WireError as err:
        sandbox.end("protocol", f"sent a malformed value ({err})")


class LearnerNamespace(dict):
    """A test cell's globals: the source's imports, then the learner's values on demand."""

    def __init__(self, sandbox: Sandbox, trusted: dict, lang: str = DEFAULT):
        super().__init__(trusted)
        self._sandbox, self._lang = sandbox, lang

    def __missing__(self, name: str):
        if name in _BUILTIN_NAMES or name.startswith("__"):
            raise KeyError(name)  # the grader's builtins, whatever the learner redefined
        reply = self._sandbox.request({"op": "get", "name": name})
        value = _value(self._sandbox, reply, f"`{name}`", self._lang)
        self[name] = value
        return value


@dataclass
class Outcome:
    """One graded cell's verdict. `status` is a key of messages.py (status-...); `feedback`
    is the test's own message (a visible check's hint), shown after the status sentence."""

    grade_id: str
    title: str
    max_points: float
    points: float | None = 0.0  # None: waiting for the instructor's manual score
    status: str = "not-graded"
    feedback: str = ""
    kind: str = "auto"  # or "manual"
    answer: dict = field(default_factory=dict)  # the learner's code, output, error

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def evaluate_test(
    cell: src.SourceCell, sandbox: Sandbox, trusted: dict, outcome: Outcome, lang: str = DEFAULT
) -> None:
    """Run one test cell here; full points if it raises nothing (nbgrader's rule)."""
    filename = f"<test {cell.grade_id}>"
    try:
        exec(compile(cell.source, filename, "exec"), LearnerNamespace(sandbox, trusted, lang))
    except SandboxEnded:
        raise
    except Exception as err:  # noqa: BLE001 - any error in a test cell fails that test
        lines = [
            f.lineno for f in traceback.extract_tb(err.__traceback__) if f.filename == filename
        ]
        hidden = bool(lines) and lines[-1] in _hidden_lines(cell.source)
        outcome.points, outcome.status = 0.0, "hidden-failed" if hidden else "failed"
        text = str(err) if isinstance(err, AssertionError) else f"{type(err).__name__}: {err}"
        outcome.feedback = (text.strip() or type(err).__name__)[:MESSAGE_CHARS]
        return
    outcome.points, outcome.status = cell.points, "passed"


def _hidden_lines(text: str) -> set[int]:
    hidden, inside = set(), False
    for number, line in enumerate(text.splitlines(), start=1):
        marker = line.strip()
        if marker == src.BEGIN_HIDDEN:
            inside = True
        elif marker == src.END_HIDDEN:
            inside = False
        elif inside:
            hidden.add(number)
    return hidden


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_result(assignment: src.Assignment, learner: str, path: Path | None) -> dict:
    """A result before grading: every graded cell not graded yet (the results format:
    docs/grading.md)."""
    return {
        "format": FORMAT,
        "learner": learner,
        "submission": str(path) if path else None,
        "assignment": assignment.name,
        "title": assignment.title,
        "lang": DEFAULT,  # the submission's language, which its feedback is written in
        "max_score": assignment.max_points,
        "score": 0.0,
        "questions": [],
        "answers": [],
        "flags": [],
        "sandbox": None,
        "uid": None,
        "status": "graded",
    }


def failed_result(
    assignment: src.Assignment, learner: str, path: Path | None, code: str, detail: str
) -> dict:
    """The result of a submission the grader could not finish: nothing earned, flagged."""
    result = new_result(assignment, learner, path)
    result["flags"].append({"code": code, "detail": detail})
    outcomes = [_outcome(assignment, c) for c in assignment.graded]
    for outcome in outcomes:
        outcome.feedback = detail
    return _finish(result, {o.grade_id: o for o in outcomes}, time.monotonic())


def _outcome(
    assignment: src.Assignment, cell: src.SourceCell, edition: src.Assignment | None = None
) -> Outcome:
    """A graded cell's outcome before grading; its title from `edition` (the submission's
    language), which has the same grade ids."""
    kind = "manual" if cell.is_manual else "auto"
    title = (edition or assignment).question_title((edition or assignment).cell(cell.grade_id))
    return Outcome(cell.grade_id, title, cell.points, kind=kind)


def grade_submission(
    ctx: Context, path: Path, learner: str, uid: int | None = None, sandbox: Sandbox | None = None
) -> dict:
    """The full result for one submission, as plain data ready for JSON. `sandbox`, if given,
    is one already spawned for it (and closed here, used or not)."""
    sandbox = sandbox or Sandbox(ctx.limits, ctx.allow, uid)
    try:
        return _grade(ctx, path, learner, sandbox)
    finally:
        sandbox.close()


def _grade(ctx: Context, path: Path, learner: str, sandbox: Sandbox) -> dict:
    started = time.monotonic()
    assignment = ctx.assignment
    result = new_result(assignment, learner, path)
    outcomes = {c.grade_id: _outcome(assignment, c) for c in assignment.graded}
    try:
        data = path.read_bytes()
        result["submission_sha256"] = sha256(data)
        notebook = src.read_notebook(path)
    except (OSError, src.SourceError) as err:
        result["status"] = "invalid"
        result["flags"].append(
            asdict(Flag("invalid-notebook", str(err).replace(str(path), path.name)))
        )
        for outcome in outcomes.values():
            outcome.status = "invalid"
        return _finish(result, outcomes, started)
    # Feedback in the submission's language (its metadata, as the edition it came from wrote
    # it; any other value counts as English): the grader's sentences, the questions' titles,
    # and the checks' hints, which msa_course.i18n gives in the active language.
    lang = result["lang"] = ctx.lang or i18n.notebook_language(notebook)
    edition = ctx.edition(lang)
    result["title"] = edition.title
    outcomes = {c.grade_id: _outcome(assignment, c, edition) for c in assignment.graded}
    i18n.set_language(lang)
    try:
        return _run_plan(ctx, assignment, notebook, result, outcomes, sandbox, started, lang)
    finally:
        i18n.set_language(DEFAULT)


def _run_plan(ctx, assignment, notebook, result, outcomes, sandbox, started, lang) -> dict:
    plan = assemble(assignment, notebook)
    result["flags"] += [asdict(f) for f in plan.flags]
    _manual_outcomes(assignment, plan, outcomes)
    answered: dict[str, dict] = {}  # grade_id of an answer cell -> what it did
    pending: list[str] = []  # answer cells the next test checks: those since the last test,
    tested = False  # or, for tests in a row, the same ones (exercise 02's Q2 (a) and (b))
    try:
        sandbox.ready()
        result["sandbox"], result["uid"] = sandbox.level, sandbox.uid
        with sandbox.sharing_cpu():
            for step in plan.steps:
                if step.kind == "test":
                    outcome = outcomes[step.test.grade_id]
                    outcome.answer = _combined(pending, answered)
                    if pending and all(answered[g]["unanswered"] for g in pending):
                        outcome.points, outcome.status = 0.0, "not-answered"
                    else:
                        evaluate_test(step.test, sandbox, ctx.trusted, outcome, lang)
                    tested = True
                    continue
                reply = sandbox.request(
                    {"op": "exec", "code": step.code, "label": f"<cell {step.label}>"}
                )
                error = None if reply.get("ok") is True else _record_error(result, step, reply)
                if step.answer_of and not assignment.cell(step.answer_of).is_manual:
                    if tested:
                        pending, tested = [], False
                    pending.append(step.answer_of)
                    answered[step.answer_of] = _answer(assignment, step, sandbox.last_output, error)
    except SandboxEnded as ended:
        result["flags"].append({"code": ended.code, "detail": ended.detail})
        for outcome in outcomes.values():
            if outcome.status == "not-graded":
                outcome.feedback = ended.detail
    finally:
        _flag_output(result, sandbox.output(), sandbox.output_size(), ctx.limits)
        killed = sandbox.cgroup.oom_kills() if sandbox.cgroup else 0
        if killed:
            limit = ctx.limits.memory_mb
            detail = f"the kernel ended {killed} of its processes for using over {limit} MB in all"
            result["flags"].append({"code": "memory-limit", "detail": detail})
    return _finish(result, outcomes, started)


def _manual_outcomes(assignment: src.Assignment, plan, outcomes: dict[str, Outcome]) -> None:
    """Hand-graded cells: an answer left as released is "not answered" (0, as nbgrader gives
    it), anything else waits for the instructor's score."""
    from msa_course.grading.release import released_source

    for cell in assignment.graded:
        if not cell.is_manual:
            continue
        outcome = outcomes[cell.grade_id]
        if cell.task:
            outcome.points, outcome.status = None, "pending-manual"
            continue
        text = plan.answers.get(cell.grade_id, "")
        outcome.answer = {"code": text[:ANSWER_CHARS], "output": "", "error": None}
        if text.strip() in ("", released_source(cell).strip()):
            outcome.points, outcome.status = 0.0, "not-answered"
        else:
            outcome.points, outcome.status = None, "pending-manual"


def _answer(assignment: src.Assignment, step, output: bytes, error: dict | None) -> dict:
    from msa_course.grading.release import released_source

    stub = released_source(assignment.cell(step.answer_of)).strip()
    unanswered = step.code.strip() in ("", stub) or (
        error is not None and error["error"] == "NotImplementedError"
    )
    return {
        "code": step.code[:ANSWER_CHARS],
        "output": output[:ANSWER_CHARS].decode("utf-8", "replace"),
        "error": error,
        "unanswered": unanswered,
    }


def _combined(pending: list[str], answered: dict[str, dict]) -> dict:
    """The answer cells a test checks, as one answer to show beside its verdict."""
    parts = [answered[g] for g in pending]
    return {
        "code": "\n\n".join(p["code"] for p in parts)[:ANSWER_CHARS],
        "output": "".join(p["output"] for p in parts)[:ANSWER_CHARS],
        "error": next((p["error"] for p in parts if p["error"]), None),
    }


def _record_error(result: dict, step, reply: dict) -> dict:
    """What the learner's process says a cell raised, checked field by field."""
    error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
    kind = error.get("type")
    kind = (
        kind if isinstance(kind, str) and re.fullmatch(r"[A-Za-z_][\w.]{0,79}", kind) else "Error"
    )
    message = error.get("message")
    line = error.get("line")
    entry = {
        "cell": step.answer_of or step.label,
        "error": kind,
        "message": message[:MESSAGE_CHARS] if isinstance(message, str) else "",
        "line": line if type(line) is int and 0 < line <= 100_000 else None,
    }
    result["answers"].append(entry)
    flags = {
        "MemoryError": "memory-limit",
        "SystemExit": "exits",
        "KeyboardInterrupt": "exits",
        "RecursionError": "recursion-limit",
    }
    if kind in flags:
        result["flags"].append({"code": flags[kind], "detail": f"{entry['cell']} raised {kind}"})
    return entry


def _flag_output(result: dict, output: bytes, size: int, limits: Limits) -> None:
    if size > limits.output_bytes:
        result["flags"].append(
            {"code": "output-limit", "detail": f"printed more than {limits.output_bytes} bytes"}
        )
    text = output.decode("utf-8", "replace").lower()
    words = [w for w in PASS_WORDS if w in text]
    if words:
        result["flags"].append({"code": "imitates-pass", "detail": f"printed {words[0]!r}"})


def _finish(result: dict, outcomes: dict[str, Outcome], started: float) -> dict:
    result["questions"] = [{**asdict(o), "passed": o.passed} for o in outcomes.values()]
    result["score"] = score(result)
    result["seconds"] = round(time.monotonic() - started, 3)
    seen, flags = set(), []
    for flag in result["flags"]:
        if (flag["code"], flag["detail"]) not in seen:
            seen.add((flag["code"], flag["detail"]))
            flags.append(flag)
    result["flags"] = flags
    result["flagged"] = bool(flags)
    return result


def score(result: dict) -> float:
    """Points earned (manual points once given), less any late penalty."""
    earned = sum(q["points"] or 0.0 for q in result["questions"])
    penalty = (result.get("late") or {}).get("penalty", 0.0)
    return round(earned * (1 - penalty), 6)
