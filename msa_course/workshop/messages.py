"""Every sentence the workshop tools show (progress page, class report, return-feedback), by
key, one catalogue per language.

Call sites ask `text(key, lang, **values)` and hold no sentence themselves, so a Korean edition
adds `CATALOGUES["ko"] = {...}` with the same keys and placeholders (tests/test_workshop_progress.py
checks every language against English) and changes no call site. Whole sentences with named
placeholders: word order differs between languages. The same scheme as the grader's learner
feedback (msa_course.grading.messages), whose language names and placeholder rule it shares.
"""

from __future__ import annotations

from msa_course.grading.messages import DEFAULT, placeholders  # noqa: F401 (one definition)
from msa_course.i18n import Catalogues

EN = {
    # -- the progress page -------------------------------------------------------------------
    "progress-title": "Exercise {number}: the room",
    "progress-subtitle": "{learners} learners, read {when}. Refreshes every {seconds} s.",
    "progress-no-learners": "No learner has a home folder yet.",
    "progress-exercises": "Exercises",
    "progress-offline": "Cannot reach the server; showing the last room read.",
    "progress-names-show": "Show names",
    "progress-names-hide": "Hide names",
    "progress-pseudonym": "Learner {number}",
    "progress-question": "Question",
    "progress-started": "Started",
    "progress-passing": "Pass the visible checks",
    "progress-stuck": "Stuck",
    "progress-stuck-help": "Stuck: the visible checks have failed for {minutes} minutes or more.",
    "progress-hints": "Hints that fired",
    "progress-hints-none": "No hint has fired yet.",
    "progress-hint-count": "{now} now, {ever} so far",
    "progress-legend": "Legend",
    "progress-unreadable-count": "{count} notebooks could not be read (being saved, or not a notebook).",
    "progress-edition-note": "{tag} under a learner: they work in the {language} edition.",
    "progress-both-note": (
        "* after it: work in more than one edition's copy; the page shows the copy changed last."
    ),
    "lang-en": "English",
    "lang-ko": "Korean",
    "state-not-started": "Not started",
    "state-working": "Answer changed, checks not run since",
    "state-failing": "Visible checks fail",
    "state-passing": "Visible checks pass",
    "state-unreadable": "Notebook unreadable",
    "state-missing": "No exercise notebook",
    "mark-not-started": "\u00b7",
    "mark-working": "\u2026",
    "mark-failing": "\u2717",
    "mark-passing": "\u2713",
    "mark-unreadable": "?",
    "mark-missing": "\u2013",
    "hint-other-value": "{name}: another wrong value (no specific hint)",
    "hint-error": "The check raised {error}",
    "hint-unknown": "A failure the exercise's checks do not describe",
    "hint-hidden": "Passes the visible checks, fails the hidden tests",
    # -- the class report --------------------------------------------------------------------
    "report-title": "Class report: {title}",
    "report-summary": (
        "{graded} learners graded, {missing} missing. Mean {mean} of {max_score} points, "
        "median {median}."
    ),
    "report-generated": "Built {when} from {grades}.",
    "report-total-heading": "Total scores",
    "report-total-axis": "points (of {max_score})",
    "report-learners-axis": "learners",
    "report-questions-heading": "Questions",
    "report-question-col": "Question",
    "report-mean-col": "Mean points",
    "report-passed-col": "Passed",
    "report-outcome-passed": "passed",
    "report-outcome-failed": "failed a visible check",
    "report-outcome-hidden": "passed the visible checks, failed the hidden tests",
    "report-outcome-unanswered": "not answered or not graded",
    "report-hardest-heading": "Hardest questions",
    "report-hardest-item": "{title}: {passed} of {learners} passed, mean {mean} of {max_points} points.",
    "report-hints-heading": "Misconceptions: which hints fired",
    "report-hints-intro": (
        "Each hint is a visible check's answer to a typical mistake; the count is the learners "
        "whose graded notebook fired it."
    ),
    "report-hints-none": "No hint fired for this question.",
    "report-hint-col": "Hint",
    "report-learners-col": "Learners",
    "report-who": "Who",
    "report-followup-heading": "Learners to follow up",
    "report-followup-intro": (
        "Below {percent}% of the points, flagged by the grader, or nothing graded."
    ),
    "report-followup-none": "Nobody needs a follow-up.",
    "report-learner-col": "Learner",
    "report-score-col": "Score",
    "report-why-col": "Why",
    "report-why-low": "{percent}% of the points",
    "report-why-flag": "flagged: {codes}",
    "report-why-missing": "nothing submitted",
    "report-why-invalid": "the file was not a notebook",
    "report-learners-heading": "Every learner",
    "report-learners-show": "Show the points of all {count} learners",
    "report-total-col": "Total",
    "report-flags-col": "Flags",
    "report-exports-heading": "Exports",
    "report-export-plain": "gradebook.csv: one row per learner, points per question",
    "report-export-canvas": "canvas.csv: Canvas gradebook import (Grades > Import)",
    "report-export-moodle": "moodle.csv: Moodle grade import (Import > CSV file)",
    "report-export-summary": "summary.json: every number on this page",
    # -- command lines -------------------------------------------------------------------------
    "cli-not-homes": (
        "{homes} is not a folder of learners' homes (no such folder, or not a folder); pass "
        "the folder holding one home per learner, such as /srv/msa-course/homes"
    ),
    "cli-bad-assignment": "--assignment must be two digits such as 03, got {value!r}",
    "cli-bad-lang": "--lang {value!r}: choose one of {choices}",
    "cli-no-exercise": (
        "no exercise {number} in {folder}: pass --exercises with the folder holding "
        "{number}_*.ipynb"
    ),
    "cli-not-grades": (
        "{grades} holds no graded results (no results/*.json): run msa-course grade ... "
        "--out {grades} first"
    ),
    "cli-mixed-grades": (
        "{grades} mixes assignments ({names}); grade each assignment into a folder of its own"
    ),
    "cli-other-assignment": (
        "{grades} holds grades of {found}, not of exercise {number}; pass the grades folder "
        "of exercise {number}"
    ),
    "cli-stale-gradebook": (
        "{grades}/gradebook.csv does not match results/ ({detail}); run the same msa-course "
        "grade command again to rebuild it"
    ),
    "cli-bad-result": "{path}: not a grading result ({detail}); grade again to rewrite it",
    "cli-out-inside": "--out must not be inside {grades}, got {out}",
    "cli-bad-lms-roster": "{path}: {detail}",
    "cli-progress-url": "The room for exercise {number}: {url}",
    "cli-progress-stop": "Press Ctrl-C to stop.",
    "cli-not-a-service": (
        "--hub-service is for JupyterHub to start (deploy/jupyterhub_config.py does); without "
        "a hub, leave it out"
    ),
    "cli-report-written": "Report: {path}",
    "cli-report-no-exercise": (
        "No released exercise at {path}: hints are not named (pass --exercises with the folder "
        "holding it)"
    ),
    "cli-report-pending": (
        "{count} learners wait for hand-graded points; their LMS rows are left blank"
    ),
    "collect-both": (
        "{learner} has work in more than one edition's copy; collected {path}, changed last"
    ),
    "collect-edition": "{count} of them from the {language} edition",
    "cli-link-untranslated": (
        "chapter {chapter} has no {language} edition yet (chapters in it: {have}); pass "
        "--lang en, or another --chapter"
    ),
    "cli-feedback-done": "returned feedback to {done} of {total} graded learners",
    "cli-feedback-written": "{learner}: {path}",
    "cli-feedback-skipped": "skipped {learner}: {reason}",
    "cli-feedback-none": "no feedback was returned: every graded learner was skipped",
    "why-no-home": "no home folder {home}",
    "why-home-link": "the home folder is a symbolic link",
    "why-not-folder": "{path} is not a folder",
    "why-link": "{path} is a symbolic link",
    "why-not-theirs": "{path} does not belong to the learner",
    "why-no-exercise": "no {path} (the exercise is not in their home)",
    "why-no-feedback": "the grades hold no feedback page for them ({path})",
    "why-too-large": "{path} is larger than {limit} MB",
    "why-not-file": "{path} is not a regular file",
    "why-cannot-read": "cannot read {path}: {error}",
    "why-not-as-owner": "could not be read as the learner",
}

# English above; the other languages' sentences in msa_course/i18n/<lang>/workshop.yaml, read
# when first asked for.
CATALOGUES = Catalogues("workshop", EN)


def text(key: str, lang: str = DEFAULT, **values) -> str:
    """The sentence `key` in `lang` (English where that language lacks it), filled in."""
    return CATALOGUES.get(lang, EN).get(key, EN[key]).format(**values)


def check_lang(lang: str) -> None:
    """Refuse a language without a catalogue (ValueError, one line)."""
    if lang not in CATALOGUES:
        raise ValueError(text("cli-bad-lang", value=lang, choices=", ".join(sorted(CATALOGUES))))
