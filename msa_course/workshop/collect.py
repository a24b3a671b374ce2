"""`msa-course collect`: copy each learner's exercise notebook out of the hub's homes.

The result is one folder of `<learner>.ipynb` files, the form `msa-course grade` takes.
Learners' files are only read, never changed; a missing, ambiguous or unreadable notebook
is skipped and reported, so one broken home never stops a class from being collected.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from msa_course.workshop.link import DEFAULT_TARGET


@dataclass
class Collection:
    """What collect did: learner -> copied file, and learner -> why it was skipped."""

    copied: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def _read_notebook(path: Path) -> bytes:
    """The file's bytes, if they are a notebook (raises ValueError/OSError otherwise)."""
    data = path.read_bytes()
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not valid notebook JSON ({err})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("JSON without a list of cells, not a notebook")
    return data


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


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
    for home in sorted(p for p in homes.iterdir() if p.is_dir() and not p.name.startswith(".")):
        learner = home.name
        folder = home / course_dir / "exercises"
        try:
            found = sorted(folder.glob(f"{assignment}_*.ipynb"))
        except OSError as err:
            result.skipped[learner] = f"cannot list {folder}: {err.strerror}"
            continue
        if not found:
            result.skipped[learner] = f"no {course_dir}/exercises/{assignment}_*.ipynb"
            continue
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            result.skipped[learner] = f"several notebooks for {assignment}: {names}"
            continue
        try:
            data = _read_notebook(found[0])
        except OSError as err:
            result.skipped[learner] = f"cannot read {found[0].name}: {err.strerror}"
            continue
        except ValueError as err:
            result.skipped[learner] = f"{found[0].name}: {err}"
            continue
        target = out / f"{learner}.ipynb"
        _write_atomic(target, data)
        result.copied[learner] = target
    return result


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

    from msa_course.cli import CommandError

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
