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
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from msa_course.grading import source as src
from msa_course.grading import wire
from msa_course.grading.assemble import Flag, assemble
from msa_course.grading.sandbox import Limits, Sandbox, SandboxEnded

_BUILTIN_NAMES = frozenset(dir(builtins))
_EXCEPTIONS = {
    name: obj
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception)
}
PASS_WORDS = ("passed", "all tests", "\u2713", "\u2714", "full marks")


@dataclass
class Context:
    """What every submission of one run shares: the source, the limits, and what the
    learner's root holds (sandbox.default_allow)."""

    assignment: src.Assignment
    limits: Limits
    allow: list[str]
    trusted: dict = field(init=False)

    def __post_init__(self):
        self.trusted = trusted_imports(self.assignment)


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

    def __init__(self, sandbox: Sandbox, ref: int, name: str):
        self._sandbox, self._ref, self.__name__ = sandbox, ref, name

    def __call__(self, *args, **kwargs):
        try:
            message = {
                "op": "call",
                "ref": self._ref,
                "args": wire.encode(list(args)),
                "kwargs": wire.encode(dict(kwargs)),
            }
        except wire.WireError as err:
            raise TypeError(
                f"{self.__name__}() can only be called with plain data: {err}"
            ) from None
        return _value(self._sandbox, self._sandbox.request(message), f"{self.__name__}(...)")

    def __repr__(self) -> str:
        return f"<your function {self.__name__}>"


def _value(sandbox: Sandbox, reply: dict, what: str):
    if not reply.get("ok"):
        error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        kind, message = str(error.get("type", "Error"))[:80], str(error.get("message", ""))[:500]
        if kind == "NotPlainData":
            raise TypeError(
                f"{what} is not plain data ({message}); store numbers, strings, "
                f"lists or dicts, or a function that returns them"
            )
        if kind in _EXCEPTIONS:
            raise _EXCEPTIONS[kind](message)
        raise RuntimeError(f"{what} raised {kind}: {message}")
    try:
        return wire.decode(
            reply.get("value"), lambda ref, name: LearnerFunction(sandbox, ref, name)
        )
    except wire.WireError as err:
        sandbox._end("protocol", f"sent a malformed value ({err})")


class LearnerNamespace(dict):
    """A test cell's globals: the source's imports, then the learner's values on demand."""

    def __init__(self, sandbox: Sandbox, trusted: dict):
        super().__init__(trusted)
        self._sandbox = sandbox

    def __missing__(self, name: str):
        if name in _BUILTIN_NAMES or name.startswith("__"):
            raise KeyError(name)  # the grader's builtins, whatever the learner redefined
        reply = self._sandbox.request({"op": "get", "name": name})
        value = _value(self._sandbox, reply, f"`{name}`")
        self[name] = value
        return value


@dataclass
class Outcome:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    feedback: str = ""
    hidden: bool = False  # failed in the hidden tests


def evaluate_test(cell: src.SourceCell, sandbox: Sandbox, trusted: dict) -> Outcome:
    """Run one test cell here; full points if it raises nothing (nbgrader's rule)."""
    filename = f"<test {cell.grade_id}>"
    outcome = Outcome(cell.grade_id, 0.0, cell.points, False)
    try:
        exec(compile(cell.source, filename, "exec"), LearnerNamespace(sandbox, trusted))
    except SandboxEnded:
        raise
    except Exception as err:  # noqa: BLE001 - any error in a test cell fails that test
        lines = [
            f.lineno for f in traceback.extract_tb(err.__traceback__) if f.filename == filename
        ]
        outcome.hidden = bool(lines) and lines[-1] in _hidden_lines(cell.source)
        outcome.feedback = _feedback(err, outcome.hidden)
        return outcome
    outcome.points, outcome.passed = cell.points, True
    return outcome


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


def _feedback(err: Exception, hidden: bool) -> str:
    text = str(err) if isinstance(err, AssertionError) else f"{type(err).__name__}: {err}"
    text = text.strip() or type(err).__name__
    if hidden:
        return "Passes the visible checks but not the hidden tests, which try other inputs: " + text
    return text


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def grade_submission(ctx: Context, path: Path, learner: str, uid: int | None = None) -> dict:
    """The full result for one submission, as plain data ready for JSON."""
    started = time.monotonic()
    assignment = ctx.assignment
    tests = assignment.tests
    result = {
        "learner": learner,
        "submission": str(path),
        "assignment": assignment.name,
        "max_score": sum(t.points for t in tests),
        "score": 0.0,
        "questions": [],
        "answers": [],
        "flags": [],
        "sandbox": None,
        "status": "graded",
    }
    outcomes = {t.grade_id: Outcome(t.grade_id, 0.0, t.points, False, "not graded") for t in tests}
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
            outcome.feedback = "Your file could not be read as a notebook, so nothing ran."
        return _finish(result, outcomes, started)
    plan = assemble(assignment, notebook)
    result["flags"] += [asdict(f) for f in plan.flags]
    sandbox = Sandbox(ctx.limits, ctx.allow, uid)
    try:
        sandbox.start()
        result["sandbox"] = sandbox.level
        result["uid"] = sandbox.uid
        for step in plan.steps:
            if step.kind == "test":
                outcomes[step.test.grade_id] = evaluate_test(step.test, sandbox, ctx.trusted)
                continue
            reply = sandbox.request(
                {"op": "exec", "code": step.code, "label": f"<cell {step.label}>"}
            )
            if not reply.get("ok"):
                _record_error(result, step, reply.get("error"))
    except SandboxEnded as ended:
        result["flags"].append({"code": ended.code, "detail": ended.detail})
        for outcome in outcomes.values():
            if outcome.feedback == "not graded":
                outcome.feedback = (
                    f"Not graded: your notebook stopped before this test ({ended.detail})."
                )
    finally:
        _flag_output(result, sandbox.output(), sandbox.output_size(), ctx.limits)
        sandbox.close()
    return _finish(result, outcomes, started)


def _record_error(result: dict, step, error) -> None:
    error = error if isinstance(error, dict) else {}
    kind = str(error.get("type", "Error"))[:80]
    entry = {
        "cell": step.answer_of or step.label,
        "error": kind,
        "message": str(error.get("message", ""))[:300],
        "line": error.get("line"),
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


def _flag_output(result: dict, output: bytes, size: int, limits: Limits) -> None:
    if size >= limits.output_bytes:
        result["flags"].append(
            {"code": "output-limit", "detail": f"printed {limits.output_bytes} bytes or more"}
        )
    text = output.decode("utf-8", "replace").lower()
    words = [w for w in PASS_WORDS if w in text]
    if words:
        result["flags"].append({"code": "imitates-pass", "detail": f"printed {words[0]!r}"})


def _finish(result: dict, outcomes: dict[str, Outcome], started: float) -> dict:
    result["questions"] = [asdict(o) for o in outcomes.values()]
    result["score"] = sum(o.points for o in outcomes.values())
    result["seconds"] = round(time.monotonic() - started, 3)
    codes = {f["code"] for f in result["flags"]}
    result["flags"] = [
        f
        for i, f in enumerate(result["flags"])
        if (f["code"], f["detail"]) not in {(g["code"], g["detail"]) for g in result["flags"][:i]}
    ]
    result["flagged"] = bool(codes)
    return result
