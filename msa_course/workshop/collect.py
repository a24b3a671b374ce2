"""`msa-course collect`: copy each learner's exercise notebook out of the hub's homes.

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
from fnmatch import fnmatch
from pathlib import Path

from msa_course.grading.gradebook import atomic_write
from msa_course.workshop.homes import Home, Refused, learners
from msa_course.workshop.link import DEFAULT_TARGET
from msa_course.workshop.messages import text


@dataclass
class Collection:
    """What collect did: learner -> copied file, and learner -> why it was skipped."""

    copied: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)  # learner -> ISO 8601 (UTC)


MANIFEST = "collected.csv"  # read by msa_course.grading.late
MAX_BYTES = 64 * 1024 * 1024


def _find_and_read(home: Home, folder: str, assignment: str) -> tuple[dict, bytes]:
    """The notebooks for `assignment` in home/folder and, when there is exactly one, its
    bytes and when it last changed."""
    names = sorted(n for n in home.names(folder) if fnmatch(n, f"{assignment}_*.ipynb"))
    if len(names) != 1:
        return {"names": names}, b""
    data, info = home.read(f"{folder}/{names[0]}", MAX_BYTES)
    changed = datetime.fromtimestamp(info.st_ctime, timezone.utc)
    return {"names": names, "changed": changed.isoformat(timespec="seconds")}, data


def _read_one(homes: Path, learner: str, folder: str, assignment: str) -> tuple[str, bytes]:
    """(last change, bytes) of the learner's notebook, read as its owner; raises
    FileNotFoundError (no notebook), Refused or ValueError, saying why not."""
    with Home(homes, learner) as home:
        found, data = home.as_owner(lambda h: _find_and_read(h, folder, assignment), MAX_BYTES)
    names = found["names"]
    if not names:
        raise FileNotFoundError(folder)
    if len(names) > 1:
        raise ValueError(f"several notebooks for {assignment}: {', '.join(names)}")
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{names[0]}: not valid notebook JSON ({err})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError(f"{names[0]}: JSON without a list of cells, not a notebook")
    return found["changed"], data


def collect(
    homes: Path, assignment: str, out: Path, course_dir: str = DEFAULT_TARGET
) -> Collection:
    """Copy homes/<learner>/<course_dir>/exercises/<assignment>_*.ipynb to out/<learner>.ipynb."""
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
            changed, data = _read_one(homes, learner, folder, assignment)
        except FileNotFoundError:
            result.skipped[learner] = text("why-no-exercise", path=f"{folder}/{assignment}_*.ipynb")
            continue
        except (Refused, ValueError) as err:
            result.skipped[learner] = str(err)
            continue
        target = out / f"{learner}.ipynb"
        atomic_write(target, data, durable=False)
        when = datetime.fromisoformat(changed).timestamp()
        os.utime(target, (when, when))
        result.copied[learner] = target
        result.changed[learner] = changed
    atomic_write(out / MANIFEST, _manifest(result), durable=False)
    return result


def _manifest(result: Collection) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", "file", "changed"])
    for learner in sorted(result.copied):
        writer.writerow([learner, result.copied[learner].name, result.changed[learner]])
    return buffer.getvalue()


def add_arguments(parser) -> None:
    parser.add_argument(
        "--homes", type=Path, required=True, help="folder holding one home folder per learner"
    )
    parser.add_argument("--assignment", required=True, help="exercise number, two digits (e.g. 03)")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="submissions folder to write <learner>.ipynb files to",
    )
    parser.add_argument(
        "--course-dir",
        default=DEFAULT_TARGET,
        help=f"course folder inside each home (default: {DEFAULT_TARGET})",
    )


def run(args) -> int:
    import sys

    from msa_course.cli import CommandError, writable_folder

    writable_folder(args.out, "--out")
    try:
        result = collect(args.homes, args.assignment, args.out, args.course_dir)
    except ValueError as err:
        raise CommandError(str(err)) from None
    for learner, reason in result.skipped.items():
        print(f"skipped {learner}: {reason}", file=sys.stderr)
    total = len(result.copied) + len(result.skipped)
    print(f"collected {len(result.copied)} of {total} learners into {args.out}")
    if not result.copied:
        raise CommandError(f"no learner in {args.homes} has exercise {args.assignment} to collect")
    print(f"grade them with: msa-course grade {args.out} --assignment {args.assignment} --out ...")
    return 0
