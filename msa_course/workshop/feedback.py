"""`msa-course return-feedback --homes DIR --assignment NN GRADES_DIR`: each learner's feedback
page, from the grades, into their home next to the exercise, where their JupyterLab opens it
(`~/msa-course/exercises/NN_name.feedback.html`, or `exercises/ko/` for a learner who worked in
the Korean edition: the copy collect takes, editions.pick). The page is the grader's, in the
language of the notebook the learner handed in.

The grades are checked first (one assignment, the one named, results and gradebook agreeing:
classreport.load); a learner without a home, without the exercise in it, or with a link where a
folder should be is skipped and named, and the others get theirs. A file of the learner's is
never replaced: the page goes in as a new file owned by the learner (homes.Home.write_new), and
only a page this command wrote before and nobody changed since is updated in place; otherwise
the page takes the next free name (NN_name.feedback-2.html).
"""

from __future__ import annotations

import hashlib
import sys
from functools import partial
from pathlib import Path

from msa_course.workshop import editions
from msa_course.workshop import exercise as ex
from msa_course.workshop.classreport import load
from msa_course.workshop.homes import MAX_BYTES, Home, Refused
from msa_course.workshop.homes import add_arguments as add_home_arguments
from msa_course.workshop.link import DEFAULT_TARGET
from msa_course.workshop.messages import DEFAULT, check_lang, text
from msa_course.workshop.progress import shows_work

MARK = b"<!-- msa-course return-feedback sha256:"


def sealed(page: bytes) -> bytes:
    """The page with a last line recording its hash: the mark of a page we wrote."""
    page = page if page.endswith(b"\n") else page + b"\n"
    return page + MARK + hashlib.sha256(page).hexdigest().encode() + b" -->\n"


def untouched(data: bytes) -> bool:
    """A page this command wrote and nobody changed since."""
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    if not last.startswith(MARK):
        return False
    return last == (MARK + hashlib.sha256(body + b"\n").hexdigest().encode() + b" -->")


def return_feedback(
    homes: Path,
    number: str,
    grades_dir: Path,
    course_dir: str = DEFAULT_TARGET,
    lang: str = "en",
    exercise: ex.Exercise | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Deliver every graded learner's page: (learner -> path written, learner -> why not).
    `exercise` (the released one) tells a learner's copy from an untouched one, as collect."""
    if not homes.is_dir():
        raise ValueError(text("cli-not-homes", lang, homes=homes))
    grades = load(grades_dir, number)
    target = f"{grades.assignment}.feedback.html"
    worked = partial(shows_work, exercise)
    done, skipped = {}, {}
    for learner in sorted(grades.results):
        page_path = grades_dir / "feedback" / f"{learner}.html"
        try:
            page = page_path.read_bytes()
        except OSError:
            skipped[learner] = text("why-no-feedback", lang, path=page_path)
            continue
        data = sealed(page)
        try:
            with Home(homes, learner) as home:
                try:
                    _, chosen, _ = editions.locate(home, course_dir, number, worked, MAX_BYTES)
                except FileNotFoundError:
                    chosen = None
                if chosen is None:
                    path = f"{editions.folder(course_dir, DEFAULT)}/{grades.assignment}.ipynb"
                    skipped[learner] = text("why-no-exercise", lang, path=path)
                    continue
                folder = chosen.path.rpartition("/")[0]
                name = home.write_new(folder, target, data, untouched)
        except Refused as err:
            skipped[learner] = str(err)
            continue
        done[learner] = f"{folder}/{name}"
    return done, skipped


def add_arguments(parser) -> None:
    add_home_arguments(parser)
    parser.add_argument("--assignment", required=True, metavar="NN", help="exercise number")
    parser.add_argument("grades", type=Path, metavar="GRADES_DIR", help="msa-course grade's --out")
    parser.add_argument("--lang", default="en", help="language of the messages (default en)")


def run(args) -> int:
    import re

    from msa_course.cli import CommandError
    from msa_course.workshop.collect import released

    try:
        check_lang(args.lang)
        if not re.fullmatch(r"\d\d", args.assignment):
            raise ValueError(text("cli-bad-assignment", args.lang, value=args.assignment))
        exercise = released(args.exercises, args.assignment)
        done, skipped = return_feedback(
            args.homes, args.assignment, args.grades, args.course_dir, args.lang, exercise
        )
    except ValueError as err:
        raise CommandError(str(err)) from None
    for learner, path in done.items():
        print(text("cli-feedback-written", args.lang, learner=learner, path=path))
    for learner, reason in skipped.items():
        print(
            text("cli-feedback-skipped", args.lang, learner=learner, reason=reason), file=sys.stderr
        )
    total = len(done) + len(skipped)
    print(text("cli-feedback-done", args.lang, done=len(done), total=total))
    if not done:
        raise CommandError(text("cli-feedback-none", args.lang))
    return 0
