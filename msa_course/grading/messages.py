"""Every sentence the grader shows a learner, by key, one catalogue per language.

Call sites ask `text(key, lang, **values)` and never hold a sentence themselves, so a Korean
edition adds `CATALOGUES["ko"] = {...}` with the same keys (a test checks every language has
every key with the same placeholders) and changes no call site. Whole sentences only, with
named placeholders: word order differs between languages.
"""

from __future__ import annotations

import string

from msa_course.i18n import Catalogues

EN = {
    "page-title": "{title}: feedback for {learner}",
    "score": "Score: {score} / {max_score}",
    "score-late": "Score: {score} / {max_score} (late penalty applied)",
    "points": "{points} / {max_points} points",
    "points-pending": "? / {max_points} points (your instructor grades this by hand)",
    "status-passed": "Passed.",
    "status-failed": "Not yet: {message}",
    "status-hidden-failed": (
        "Passes the visible checks but not the hidden tests, which try other inputs: {message}"
    ),
    "status-not-answered": "Not answered.",
    "status-not-graded": "Not graded: your notebook stopped before this test ({reason}).",
    "status-invalid": "Your file could not be read as a notebook, so nothing ran.",
    "status-pending-manual": "Your instructor grades this answer by hand.",
    "status-graded-manually": "Graded by your instructor.",
    "comment": "Comment from your instructor: {comment}",
    "your-answer": "Your answer",
    "its-output": "What it printed",
    "its-error": "It raised {error} on line {line}: {message}",
    "its-error-no-line": "It raised {error}: {message}",
    "no-answer-code": "(no code)",
    "note-invalid": "Your file could not be read as a notebook. Submit the .ipynb file you worked in.",
    "note-flagged": (
        "Your instructor will look at this submission: the grader noted something unusual about it."
    ),
    "note-late": "Handed in {late} after the due time: {penalty}% off.",
    "note-late-no-penalty": "Handed in {late} after the due time.",
    "late-days-hours": "{days} d {hours} h",
    "late-hours-minutes": "{hours} h {minutes} min",
    "missing-submission": "Nothing was submitted.",
    "hint-not-plain-data": (
        "{what} is not plain data ({message}); store numbers, strings, lists or dicts, "
        "or a function that returns them"
    ),
    "hint-raised": "{what} raised {error}: {message}",
    "hint-call-plain-data": "{name}() can only be called with plain data: {message}",
}

# English above; the other languages' sentences in msa_course/i18n/<lang>/grading.yaml, read
# when first asked for.
CATALOGUES = Catalogues("grading", EN)
DEFAULT = "en"


def text(key: str, lang: str = DEFAULT, **values) -> str:
    """The sentence `key` in `lang` (English where that language lacks it), filled in."""
    template = CATALOGUES.get(lang, EN).get(key, EN[key])
    return template.format(**values)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
