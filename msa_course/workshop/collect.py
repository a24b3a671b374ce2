"""`msa-course collect`: copy each learner's exercise notebook out of the hub's homes: the
copy they worked in, English or Korean (`exercises/ko/`; editions.py says how it is chosen).

The result is one folder of `<learner>.ipynb` files, the form `msa-course grade` takes, and
`collected.csv` saying when each learner last changed their notebook (its status-change time,
which a learner cannot set back; the copy's modification time is set to it too). Learners'
files are only read, never changed; a missing, ambiguous or unreadable notebook is skipped and
reported, so one broken home never stops a class from being collected.

The instructor runs this, often as root, in homes the learners control, so only a learner's
own regular files are taken, by the rules every workshop tool reads homes with (homes.py): no
path component may be a symbolic link (a link to a classmate's notebook or to the solutions is
refused, not followed), nor a special file or one that is not the home owner's, and as root
each home is read by a process with the home owner's uid and no other groups, so a file the
learner could not read themselves is not collected for them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from msa_course.grading.gradebook import atomic_write
from msa_course.workshop import editions
from msa_course.workshop import exercise as ex
from msa_course.workshop.homes import Home, Refused, learners
from msa_course.workshop.homes import add_arguments as add_home_arguments
from msa_course.workshop.link import DEFAULT_TARGET
from msa_course.workshop.messages import DEFAULT, text
from msa_course.workshop.progress import default_exercises, shows_work


@dataclass
class Collection:
    """What collect did: learner -> copied file, and learner -> why it was skipped."""

    copied: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)  # learner -> ISO 8601 (UTC)
    used: dict[str, editions.Copy] = field(default_factory=dict)  # learner -> the copy taken
    both: set[str] = field(default_factory=set)  # learners with work in several editions


MANIFEST = "collected.csv"  # read by msa_course.grading.late
MAX_BYTES = 64 * 1024 * 1024


def _read_one(
    homes: Path, learner: str, course_dir: str, assignment: str, exercise: ex.Exercise | None
) -> tuple[editions.Copy, list[editions.Copy], bytes]:
    """The copy of the learner's notebook they worked in (editions.pick, read as its owner),
    every copy found, and its bytes; raises FileNotFoundError (no notebook), Refused or
    ValueError, saying why not."""
    worked = partial(shows_work, exercise)
    with Home(homes, learner) as home:
        copies, chosen, data = editions.locate(home, course_dir, assignment, worked, MAX_BYTES)
    if chosen is None:
        raise FileNotFoundError(course_dir)
    name = chosen.path.removeprefix(f"{editions.folder(course_dir, 'en')}/")
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{name}: not valid notebook JSON ({err})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError(f"{name}: JSON without a list of cells, not a notebook")
    return chosen, copies, data


def collect(
    homes: Path,
    assignment: str,
    out: Path,
    course_dir: str = DEFAULT_TARGET,
    exercise: ex.Exercise | None = None,
) -> Collection:
    """Copy homes/<learner>/<course_dir>/exercises/<assignment>_*.ipynb (or the Korean
    edition's exercises/ko/<assignment>_*.ipynb, if that is the one the learner worked in:
    editions.pick; answers are compared with `exercise`'s when given) to out/<learner>.ipynb."""
    if not re.fullmatch(r"\d\d", assignment):
        raise ValueError(f"assignment must be two digits such as 03, got {assignment!r}")
    if not homes.is_dir():
        raise ValueError(f"homes must be the folder holding one home per learner, got {homes}")
    if out.resolve() == homes.resolve() or homes.resolve() in out.resolve().parents:
        raise ValueError(f"out must be outside the learners' homes, got {out}")
    out.mkdir(parents=True, exist_ok=True)
    result = Collection()
    folder = f"{course_dir}/exercises"
    for learner in learners(homes):
        try:
            chosen, copies, data = _read_one(homes, learner, course_dir, assignment, exercise)
        except FileNotFoundError:
            result.skipped[learner] = text("why-no-exercise", path=f"{folder}/{assignment}_*.ipynb")
            continue
        except (Refused, ValueError) as err:
            result.skipped[learner] = str(err)
            continue
        changed = datetime.fromtimestamp(chosen.changed, timezone.utc)
        changed = changed.replace(microsecond=0)
        target = out / f"{learner}.ipynb"
        atomic_write(target, data, durable=False)
        os.utime(target, (changed.timestamp(), changed.timestamp()))
        result.copied[learner] = target
        result.changed[learner] = changed.isoformat()
        result.used[learner] = chosen
        if editions.both_worked(copies):
            result.both.add(learner)
    atomic_write(out / MANIFEST, _manifest(result), durable=False)
    return result


def _manifest(result: Collection) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", "file", "changed", "lang", "source"])
    for learner in sorted(result.copied):
        used = result.used[learner]
        row = [learner, result.copied[learner].name, result.changed[learner], used.lang, used.path]
        writer.writerow(row)
    return buffer.getvalue()


def add_arguments(parser) -> None:
    add_home_arguments(parser)
    parser.add_argument("--assignment", required=True, help="exercise number, two digits (e.g. 03)")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="submissions folder to write <learner>.ipynb files to",
    )


def released(folder: Path | None, number: str) -> ex.Exercise | None:
    """The released exercise `number` in `folder` (default: the checkout's), or None when
    there is none (collect then tells work by the cells a learner ran)."""
    try:
        return ex.load(ex.find(folder or default_exercises(), number))
    except (ValueError, OSError):
        return None


def run(args) -> int:
    import sys

    from msa_course.cli import CommandError, writable_folder

    writable_folder(args.out, "--out")
    try:
        exercise = released(args.exercises, args.assignment)
        result = collect(args.homes, args.assignment, args.out, args.course_dir, exercise)
    except ValueError as err:
        raise CommandError(str(err)) from None
    for learner, reason in result.skipped.items():
        print(f"skipped {learner}: {reason}", file=sys.stderr)
    for learner in sorted(result.both):
        print(text("collect-both", learner=learner, path=result.used[learner].path))
    for lang in sorted({c.lang for c in result.used.values()} - {DEFAULT}):
        count = sum(c.lang == lang for c in result.used.values())
        print(text("collect-edition", count=count, language=text(f"lang-{lang}")))
    total = len(result.copied) + len(result.skipped)
    print(f"collected {len(result.copied)} of {total} learners into {args.out}")
    if not result.copied:
        raise CommandError(f"no learner in {args.homes} has exercise {args.assignment} to collect")
    print(f"grade them with: msa-course grade {args.out} --assignment {args.assignment} --out ...")
    return 0
