"""Visible checks for exercise notebooks: an assertion with feedback a learner can act on.

Test cells in `solutions/` call these on the learner's answers. They must stay pure functions
of plain values (numbers, strings, lists, dicts, bools, None): the autograder re-runs test
cells outside the learner's process, where only plain data crosses over, and nbgrader runs
them unchanged. A failing check raises AssertionError whose message is the feedback.

The feedback is written in English in the test cell and given in the active language
(msa_course.i18n: a Korean exercise's setup cell, or the grader for a Korean submission), so
one test cell serves both editions. `name` says what was checked: the learner's variable or
an expression (`layer_counts(node_dockerfile)`), kept as it is, or a few words ("the example",
"Ready pods after 30 s"), given in the active language like the feedback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from msa_course.i18n import DEFAULT, language, tr


def _plain(value):
    """A numpy scalar (np.int64, np.bool_, np.float32) as the Python value it stands for, so
    an answer computed with numpy is judged like the same answer in plain Python."""
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
        return value.item()
    return value


def _fail(name: str, message: str) -> None:
    raise AssertionError(f"{shown_name(name)}: {tr(message)}")


def shown_name(name: str, lang: str | None = None) -> str:
    """A check's `name` as the learner reads it in `lang` (default: the active language): a
    descriptive name translated, a name that is code as it is."""
    if (lang or language()) == DEFAULT or not descriptive(name):
        return name
    return tr(name, lang=lang)


def descriptive(name: str) -> bool:
    """Whether a check's name is words ("a strategy exactly at the limit", "limit 100") rather
    than code: it is no Python expression (`report_64['utilisation']`, `q7`), and outside its
    quoted strings it has a plain lower-case word of two letters or more (not
    `servers_needed(...)`, nor units: `least_allocated_score(1000, 4 GiB, ...)`).
    An f-string's template counts its `{}` holes as values."""
    import ast
    import re

    probe = name.replace("{}", "x")
    try:
        tree = ast.parse(probe, mode="eval")
        if not isinstance(tree.body, ast.Tuple) or probe.startswith("("):
            return False  # code; "desired_replicas, example (a)" parses as a tuple
    except SyntaxError:
        pass
    words = re.findall(r"[A-Za-z_][\w.]*", re.sub(r"(['\"]).*?\1", " ", probe))
    return any(w.isalpha() and w[0].islower() and len(w) > 1 for w in words)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def expect_type(value, kind: type | tuple[type, ...], *, name: str) -> None:
    """`value` must be an instance of `kind` (bool never counts as a number)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    value = _plain(value)
    if isinstance(value, bool) and bool not in kinds:
        _fail(name, tr("expected {kinds}, got a bool ({value})", kinds=_kinds(kinds), value=value))
    if not isinstance(value, kinds):
        _fail(name, _got(_kinds(kinds), value))


def expect_equal(value, expected, *, name: str, hints: Mapping | None = None) -> None:
    """`value == expected`; a value listed in `hints` fails with that hint."""
    if value == expected:
        return
    for wrong, hint in (hints or {}).items():
        if value == wrong:
            _fail(name, hint)
    _fail(name, tr("{value} is not right yet", value=f"{value!r:.80}"))


def expect_close(
    value,
    expected: float,
    *,
    name: str,
    rel: float = 1e-6,
    abs_tol: float = 0.0,
    unit: str = "",
    hints: Mapping[float, str] | None = None,
) -> None:
    """A finite number within `rel` (relative) or `abs_tol` of `expected`.

    `hints` maps the typical wrong results (the average instead of the peak, a forgotten
    factor) to the advice for each; other wrong values are told whether they are too high or low.
    """
    value = _plain(value)
    if not _is_number(value):
        _fail(name, _got(tr("a finite number"), value))
    if math.isclose(value, expected, rel_tol=rel, abs_tol=abs_tol):
        return
    for wrong, hint in (hints or {}).items():
        if math.isclose(value, wrong, rel_tol=rel, abs_tol=abs_tol):
            _fail(name, hint)
    amount = f"{value:g} {tr(unit)}".strip()
    if value > expected:
        _fail(name, tr("{amount} is too high", amount=amount))
    _fail(name, tr("{amount} is too low", amount=amount))


def expect_not(
    value, mistakes: Mapping, *, name: str, rel: float = 1e-6, abs_tol: float = 0.0
) -> None:
    """Fail with the hint when `value` is one of the typical wrong answers in `mistakes`.

    For visible checks: they name the kind of mistake without showing the expected value,
    which stays in the hidden tests. Numbers match within `rel` or `abs_tol`, anything else by
    equality; a value that matches no mistake passes (the hidden tests judge it).
    """
    value = _plain(value)
    for wrong, hint in mistakes.items():
        if _same_answer(value, wrong, rel, abs_tol):
            _fail(name, hint)


def _same_answer(value, wrong, rel: float, abs_tol: float) -> bool:
    """Numbers within tolerance; a list and a tuple with the same items; a bool only a bool."""
    if _is_number(value) and _is_number(wrong):
        return math.isclose(value, wrong, rel_tol=rel, abs_tol=abs_tol)
    if isinstance(value, bool) != isinstance(wrong, bool):
        return False
    if isinstance(value, (list, tuple)) and isinstance(wrong, (list, tuple)):
        return tuple(value) == tuple(wrong)
    try:
        return bool(value == wrong)
    except (TypeError, ValueError):  # an array compared element-wise, say
        return False


def expect_true(condition, message: str, *, name: str) -> None:
    """A condition with the sentence that explains what is wrong when it is false."""
    if condition is not True:
        _fail(name, message)


def _kinds(kinds: tuple[type, ...]) -> str:
    return " | ".join(k.__name__ for k in kinds)


def _got(expected: str, value) -> str:
    return tr(
        "expected {expected}, got {kind} ({value})",
        expected=expected,
        kind=type(value).__name__,
        value=f"{value!r:.60}",
    )
