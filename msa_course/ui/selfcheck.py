"""'Check your understanding' questions with instant, specific feedback.

Three kinds: `choice` (every wrong option says why it is wrong), `numeric` (a tolerance, and
hints for the typical wrong numbers), `short` (accepted answers as regular expressions).
Each is a widget; without a widget front-end (GitHub, nbviewer, the static site) it shows the
question and a <details> answer instead. `evaluate(value)` is the logic, kept free of widgets.

A check is written once, in English, in a chapter's code cell; what it shows comes through
`msa_course.i18n.tr`, so the Korean notebook (setup_notebook(lang="ko")) asks and answers in
Korean from the same code. Options keep their English text as their value. A short answer's
accepted patterns and hint patterns also accept their translations (a Korean learner types
Korean).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as widgets

from msa_course.i18n import menu, tr
from msa_course.ui.fallback import StaticFallback

CORRECT = "#009E73"
WRONG = "#D55E00"


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str


class _Check(StaticFallback, widgets.VBox):
    """Question, an input, a Check button, and the feedback line."""

    def __init__(self, question: str, input_widget: widgets.Widget, explanation: str):
        self.question = tr(question)
        self.explanation = tr(explanation) if explanation else ""
        self.input = input_widget
        self.button = widgets.Button(description=tr("Check"), button_style="primary")
        self.feedback = widgets.HTML()
        self.button.on_click(lambda _b: self.check())
        super().__init__(
            children=[
                widgets.HTMLMath(f"<b>{self.question}</b>"),
                self.input,
                self.button,
                self.feedback,
            ]
        )
        self.add_class("msa-selfcheck")

    def check(self) -> Feedback:
        """Evaluate the current input and show the feedback."""
        result = self.evaluate(self.input.value)
        colour = CORRECT if result.correct else WRONG
        mark = tr("✔ Correct.") if result.correct else tr("✘ Not yet.")
        extra = f" {self.explanation}" if result.correct and self.explanation else ""
        self.feedback.value = (
            f"<div style='color:{colour}'><b>{mark}</b> {result.message}{extra}</div>"
        )
        return result

    def evaluate(self, value) -> Feedback:  # pragma: no cover - abstract
        raise NotImplementedError

    def answer_text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def static_html(self) -> str:
        return (
            f"<div class='msa-selfcheck-static'><p><b>{self.question}</b></p>{self._static_body()}"
            f"<details><summary>{tr('Show the answer')}</summary><p>{self.answer_text()}</p>"
            f"<p>{self.explanation}</p></details></div>"
        )

    def _static_body(self) -> str:
        return ""

    def static_text(self) -> str:
        answer = tr("(Answer: {answer})", answer=_plain(self.answer_text()))
        return f"{_plain(self.question)}\n{answer}"


class Choice(_Check):
    def __init__(
        self,
        question,
        options: Sequence[str],
        answer: str,
        why: Mapping[str, str],
        explanation: str = "",
    ):
        if answer not in options:
            raise ValueError(f"answer {answer!r} is not one of the options {list(options)}")
        missing = [o for o in options if o != answer and o not in why]
        if missing:
            raise ValueError(f"every wrong option needs a 'why'; missing for {missing}")
        self.options, self.answer, self.why = list(options), answer, dict(why)
        radio = widgets.RadioButtons(
            options=menu(self.options),
            value=None,
            layout=widgets.Layout(width="max-content"),
        )
        super().__init__(question, radio, explanation)

    def evaluate(self, value) -> Feedback:
        if value is None:
            return Feedback(False, tr("Pick an option first."))
        if value == self.answer:
            return Feedback(True, tr(self.why.get(value, "")))
        return Feedback(False, tr(self.why[value]))

    def answer_text(self) -> str:
        return html.escape(tr(self.answer))

    def _static_body(self) -> str:
        items = "".join(f"<li>{html.escape(tr(o))}</li>" for o in self.options)
        return f"<ul>{items}</ul>"


class Numeric(_Check):
    def __init__(
        self,
        question,
        answer: float,
        *,
        tolerance: float = 0.0,
        unit: str = "",
        hints: Mapping[float, str] | None = None,
        explanation: str = "",
    ):
        if tolerance < 0 or not math.isfinite(tolerance):
            raise ValueError(f"tolerance must be a finite number >= 0, not {tolerance}")
        self.answer, self.tolerance, self.unit = float(answer), float(tolerance), unit
        self.hints = dict(hints or {})
        box = widgets.FloatText(
            value=None, description=tr(unit), layout=widgets.Layout(width="16em")
        )
        super().__init__(question, box, explanation)

    def evaluate(self, value) -> Feedback:
        if value is None or not math.isfinite(float(value)):
            return Feedback(False, tr("Type a number first."))
        value = float(value)
        if abs(value - self.answer) <= self.tolerance:
            return Feedback(True, "")
        for wrong, hint in self.hints.items():
            if abs(value - wrong) <= max(self.tolerance, 1e-9 * max(1.0, abs(wrong))):
                return Feedback(False, tr(hint))
        amount = f"{value:g} {tr(self.unit)}".strip()
        if value > self.answer:
            return Feedback(False, tr("{amount} is too high.", amount=amount))
        return Feedback(False, tr("{amount} is too low.", amount=amount))

    def answer_text(self) -> str:
        within = f" (±{self.tolerance:g})" if self.tolerance else ""
        return f"{self.answer:g} {html.escape(tr(self.unit))}{within}".strip()


class Short(_Check):
    def __init__(
        self,
        question,
        accept: Sequence[str],
        *,
        answer: str,
        hints: Mapping[str, str] | None = None,
        explanation: str = "",
    ):
        """`accept`: regular expressions (case-insensitive) any of which marks it right;
        `hints`: regular expression -> why that answer is wrong."""
        self.accept = [re.compile(p, re.IGNORECASE) for p in _with_translations(accept)]
        self.hints = {
            re.compile(pattern, re.IGNORECASE): hint
            for p, hint in (hints or {}).items()
            for pattern in _with_translations([p])
        }
        self.answer = answer
        box = widgets.Text(placeholder=tr("your answer"), layout=widgets.Layout(width="30em"))
        super().__init__(question, box, explanation)

    def evaluate(self, value) -> Feedback:
        text = (value or "").strip()
        if not text:
            return Feedback(False, tr("Type an answer first."))
        if any(p.search(text) for p in self.accept):
            return Feedback(True, "")
        for pattern, hint in self.hints.items():
            if pattern.search(text):
                return Feedback(False, tr(hint))
        return Feedback(False, tr("That is not it; reread the section above and try again."))

    def answer_text(self) -> str:
        return html.escape(tr(self.answer))


def _with_translations(patterns: Sequence[str]) -> list[str]:
    """The patterns, each followed by its translation where the catalogue has a different one."""
    out = []
    for pattern in patterns:
        out += [pattern] if tr(pattern) == pattern else [pattern, tr(pattern)]
    return out


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def choice(question, options, answer, why, explanation="") -> Choice:
    """A multiple-choice check; `why` maps every wrong option to why it is wrong."""
    return Choice(question, options, answer, why, explanation)


def numeric(question, answer, *, tolerance=0.0, unit="", hints=None, explanation="") -> Numeric:
    """A numeric check within `tolerance`; `hints` maps typical wrong values to advice."""
    return Numeric(
        question, answer, tolerance=tolerance, unit=unit, hints=hints, explanation=explanation
    )


def short(question, accept, *, answer, hints=None, explanation="") -> Short:
    """A short-answer check; `accept` are regular expressions, `answer` the model answer."""
    return Short(question, accept, answer=answer, hints=hints, explanation=explanation)
