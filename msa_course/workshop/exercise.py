"""What an exercise's visible checks can say, read from the released notebook (exercises/NN_*):
its questions (the graded test cells), the answer cells each one checks, and the hint every
check gives for a typical mistake.

The progress page and the class report name a failure by the hint it matches, and show the
hint as the exercise writes it: what they put on a projector comes from the instructor's
exercise, never from text a learner's code produced.

One exercise, every language: the checks are written in English and raise their hint in the
notebook's language (msa_course.i18n.tr), so a Korean learner's failure is matched against the
Korean text of the same hint and counts under it; a page shows a hint, and the titles (from the
edition exercises/<lang>/NN_*), in the page's language.
"""

from __future__ import annotations

import ast
import builtins
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from msa_course import i18n
from msa_course.grading import checks
from msa_course.grading import source as src
from msa_course.workshop.messages import DEFAULT, text

CHECKS = {"expect_equal", "expect_close", "expect_not", "expect_true", "expect_type"}
ELLIPSIS = "\u2026"  # stands for an f-string's placeholder in a hint's text
_EXCEPTIONS = {
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException)
}


@dataclass(frozen=True)
class Hint:
    """One kind of failure: a hint from the exercise, or a class of failure without one.
    `text` is English; `shown(lang)` the same hint in another language."""

    key: str
    text: str
    translate: Callable[[str], str | None] = field(
        default=lambda lang: None, compare=False, repr=False
    )

    def shown(self, lang: str) -> str:
        """The hint in `lang` (in English where that language has no translation of it)."""
        return (lang != DEFAULT and self.translate(lang)) or self.text


@dataclass(frozen=True)
class Said:
    """A check's hint in another language: its catalogue entry is the English literal, or an
    f-string's template with `{}` holes (msa_course.i18n.extract keys it so)."""

    key: str
    formatted: bool

    def _parts(self, lang: str) -> list[tuple[str, bool]] | None:
        """(literal text, a hole follows) pieces of the translation; None without one."""
        translated = i18n.strings(lang).get(self.key)
        if translated is None:
            return None
        if not self.formatted:
            return [(translated, False)]
        try:
            return [
                (lit, name is not None) for lit, name, _, _ in string.Formatter().parse(translated)
            ]
        except ValueError:
            return None

    def __call__(self, lang: str) -> str | None:
        parts = self._parts(lang)
        return None if parts is None else "".join(t + ELLIPSIS * hole for t, hole in parts)

    def regex(self, lang: str) -> str | None:
        parts = self._parts(lang)
        return None if parts is None else "".join(re.escape(t) + ".*?" * hole for t, hole in parts)


def _told(key: str, message: str, **values) -> Hint:
    """A class of failure the tools name themselves (workshop/messages.py), in any language."""
    return Hint(key, text(message, **values), partial(text, message, **values))


@dataclass
class Question:
    grade_id: str  # the test cell's
    label: str  # Q1, Q2, ... in the order of the notebook
    title: str
    points: float
    answers: dict[str, str] = field(default_factory=dict)  # answer grade_id -> released code
    names: list[tuple[re.Pattern, str]] = field(default_factory=list)  # checks' name= templates
    hints: list[tuple[re.Pattern, Hint]] = field(default_factory=list)  # the English text's
    titles: dict[str, str] = field(default_factory=dict)  # language -> title in its edition
    # language -> the hints' patterns in its text, then the English ones (load fills it: the
    # tools may classify in a process that reads nothing outside a learner's home)
    spoken: dict[str, list[tuple[re.Pattern, Hint]]] = field(default_factory=dict, repr=False)

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang, self.title)

    def classify(
        self, message: str, error: str | None = "AssertionError", lang: str = DEFAULT
    ) -> Hint:
        """The hint a failure matches. `error` is the exception's class name, or None when
        `message` is a grader's feedback ("name: hint", or "TypeError: ..." for other errors);
        `lang` the language the check spoke (the notebook's), whose hint texts are tried
        before the English ones (a hint without a translation is raised in English)."""
        message = message.strip()
        if error is None:
            head, sep, rest = message.partition(": ")
            if sep and head in _EXCEPTIONS and not self._named(message):
                error, message = head, rest
            else:
                error = "AssertionError"
        if error != "AssertionError":
            name = error if error in _EXCEPTIONS else "Exception"
            return _told(f"{self.grade_id}/error/{name}", "hint-error", error=name)
        for pattern, name in self.names:
            found = pattern.match(message)
            if not found:
                continue
            rest = message[found.end() :]
            for hint_pattern, hint in self.spoken.get(lang, self.hints):
                if hint_pattern.fullmatch(rest):
                    return hint
            return _told(f"{self.grade_id}/other/{name}", "hint-other-value", name=name)
        return _told(f"{self.grade_id}/unknown", "hint-unknown")

    def _named(self, message: str) -> bool:
        return any(pattern.match(message) for pattern, _ in self.names)


@dataclass
class Exercise:
    path: Path
    number: str  # "01"
    name: str  # "01_infrastructure"
    title: str
    questions: list[Question]
    titles: dict[str, str] = field(default_factory=dict)  # language -> title in its edition

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang, self.title)


def find(folder: Path, number: str) -> Path:
    """exercises/<number>_*.ipynb in `folder` (ValueError naming what to pass otherwise)."""
    if not re.fullmatch(r"\d\d", number or ""):
        raise ValueError(text("cli-bad-assignment", value=number))
    found = sorted(Path(folder).glob(f"{number}_*.ipynb"))
    if len(found) != 1:
        raise ValueError(text("cli-no-exercise", number=number, folder=folder))
    return found[0]


def available(folder: Path) -> list[str]:
    """The exercise numbers in `folder`, in order."""
    return sorted({p.name[:2] for p in Path(folder).glob("[0-9][0-9]_*.ipynb")})


def load(path: Path) -> Exercise:
    """Parse a released exercise (raises src.SourceError for a malformed one)."""
    assignment = src.parse(path)
    questions: list[Question] = []
    answers: dict[str, str] = {}
    for cell in assignment.cells:
        if cell.solution and cell.cell_type == "code":
            answers[cell.grade_id] = cell.source
        elif cell.is_test:
            if not answers and questions:  # a second test of the same answers
                answers = questions[-1].answers
            question = Question(
                grade_id=cell.grade_id,
                label=_label(cell.grade_id, len(questions) + 1),
                title=assignment.question_title(cell),
                points=cell.points,
                answers=answers,
            )
            _read_checks(question, cell.source)
            _translate(question)
            questions.append(question)
            answers = {}
    exercise = Exercise(path, path.stem[:2], path.stem, assignment.title, questions)
    for lang in i18n.LANGUAGES:
        _read_titles(exercise, lang, path.parent / lang / path.name)
    return exercise


def _read_titles(exercise: Exercise, lang: str, path: Path) -> None:
    """The titles of the exercise's edition in `lang` (exercises/<lang>/NN_*, released from
    the same source), when there is one with the same questions."""
    if lang == DEFAULT or not path.is_file():
        return
    try:
        edition = src.parse(path)
    except src.SourceError:
        return
    tests = [c for c in edition.cells if c.is_test]
    if [c.grade_id for c in tests] != [q.grade_id for q in exercise.questions]:
        return
    exercise.titles[lang] = edition.title
    for question, cell in zip(exercise.questions, tests):
        question.titles[lang] = edition.question_title(cell)


def _label(grade_id: str, number: int) -> str:
    """Q1, Q2b: the test's grade_id without "-test" (q2b-test), else its position."""
    label = re.sub(r"[-_]?test$", "", grade_id, flags=re.IGNORECASE)
    return label[:1].upper() + label[1:] if 0 < len(label) <= 6 else f"Q{number}"


def _read_checks(question: Question, code: str) -> None:
    """Collect the name templates and hints of every check call in a test cell."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return
    seen: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _callee(node) not in CHECKS:
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        regex, shown, said = _template(keywords["name"]) if "name" in keywords else (None, "", None)
        if regex is None:
            regex, shown = ".+?", ELLIPSIS
        regex = "|".join([regex, *_spoken_name(said)])
        compiled = re.compile(f"(?:{regex}): ", re.DOTALL)
        if compiled.pattern not in {p.pattern for p, _ in question.names}:
            question.names.append((compiled, _display(shown)))
        for hint in _hint_nodes(_callee(node), node, keywords):
            regex, shown, said = _template(hint)
            if regex is None or shown in seen:
                continue
            seen.add(shown)
            key = f"{question.grade_id}/hint/{len(seen)}"
            question.hints.append((re.compile(regex, re.DOTALL), Hint(key, shown, said)))


def _spoken_name(said: Said | None) -> list[str]:
    """The regex of a check's name in each other language that says it differently: a name of
    words is raised translated (checks.shown_name), a name that is code as it is."""
    if said is None or not checks.descriptive(said.key):
        return []
    return [r for lang in i18n.LANGUAGES if lang != DEFAULT and (r := said.regex(lang))]


def _translate(question: Question) -> None:
    """Each language's patterns of the question's hints (a hint without a translation is
    raised in English, so the English patterns follow)."""
    for lang in i18n.LANGUAGES:
        if lang == DEFAULT:
            continue
        found = []
        for _, hint in question.hints:
            said = hint.translate
            regex = said.regex(lang) if isinstance(said, Said) else None
            if regex is not None:
                found.append((re.compile(regex, re.DOTALL), hint))
        question.spoken[lang] = found + question.hints


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _hint_nodes(check: str, node: ast.Call, keywords: dict) -> list[ast.expr]:
    if check == "expect_true":
        message = node.args[1] if len(node.args) > 1 else keywords.get("message")
        return [message] if message is not None else []
    table = node.args[1] if check == "expect_not" and len(node.args) > 1 else None
    table = table or keywords.get("hints") or keywords.get("mistakes")
    return list(table.values) if isinstance(table, ast.Dict) else []


def _template(node: ast.expr) -> tuple[str | None, str, Said | None]:
    """(regex, display text, catalogue entry) for a string constant or an f-string; (None, "",
    None) otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value), node.value, Said(node.value, False)
    if isinstance(node, ast.JoinedStr):
        regex, shown, key = [], [], []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                regex.append(re.escape(part.value))
                shown.append(part.value)
                key.append(part.value)
            else:
                regex.append(".*?")
                shown.append(ELLIPSIS)
                key.append("{}")
        return "".join(regex), "".join(shown), Said("".join(key), True)
    return None, "", None


def _display(name: str) -> str:
    return name if len(name) <= 80 else name[:79] + ELLIPSIS
