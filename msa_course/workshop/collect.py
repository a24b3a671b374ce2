"""`msa-course collect`: copy each learner's exercise notebook out of the hub's homes.

The result is one folder of `<learner>.ipynb` files, the form `msa-course grade` takes, and
`collected.csv` saying when each learner last changed their notebook (its status-change time,
which a learner cannot set back; the copy's modification time is set to it too). Learners'
files are only read, never changed; a missing, ambiguous or unreadable notebook is skipped and
reported, so one broken home never stops a class from being collected.

The instructor runs this, often as root, in homes the learners control, so only a learner's
own regular files are taken: no path component may be a symbolic link (a link to a
classmate's notebook or to the solutions is refused, not followed), special files are refused,
and as root each home is read by a process with the home owner's uid and groups, so a file
the learner could not read themselves is not collected for them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fnmatch import fnmatch
from pathlib import Path

from msa_course.workshop.link import DEFAULT_TARGET


@dataclass
class Collection:
    """What collect did: learner -> copied file, and learner -> why it was skipped."""

    copied: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)  # learner -> ISO 8601 (UTC)


MANIFEST = "collected.csv"  # read by msa_course.grading.late
MAX_BYTES = 64 * 1024 * 1024


class Refused(OSError):
    """A path the learner controls that is not their own regular file."""


def _open_inside(home: int, parts: list[str], directory: bool) -> int:
    """Open parts... inside the home folder open as `home`, following no symbolic link."""
    fd = os.dup(home)
    try:
        for i, part in enumerate(parts):
            want_dir = directory or i < len(parts) - 1
            where = "/".join(parts[: i + 1])
            mode = os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode
            if stat.S_ISLNK(mode):
                raise Refused(f"{where} is a symbolic link")
            if want_dir and not stat.S_ISDIR(mode):
                raise Refused(f"{where} is not a folder")
            if not want_dir and not stat.S_ISREG(mode):
                raise Refused(f"{where} is not a regular file")
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
            child = os.open(part, flags | (os.O_DIRECTORY if want_dir else 0), dir_fd=fd)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def _find_and_read(home: int, course_dir: str, assignment: str) -> dict:
    """The learner's notebook for `assignment` as {"name", "changed", "data"} or {"error"}."""
    parts = [*Path(course_dir).parts, "exercises"]
    try:
        folder = _open_inside(home, parts, directory=True)
        try:
            names = sorted(n for n in os.listdir(folder) if fnmatch(n, f"{assignment}_*.ipynb"))
        finally:
            os.close(folder)
    except FileNotFoundError:
        return {"error": f"no {course_dir}/exercises/{assignment}_*.ipynb"}
    except Refused as err:
        return {"error": f"refused: {err}"}
    except OSError as err:
        return {"error": f"cannot list {course_dir}/exercises: {err.strerror}"}
    if not names:
        return {"error": f"no {course_dir}/exercises/{assignment}_*.ipynb"}
    if len(names) > 1:
        return {"error": f"several notebooks for {assignment}: {', '.join(names)}"}
    try:
        fd = _open_inside(home, [*parts, names[0]], directory=False)
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise Refused(f"{names[0]} is not a regular file")
            data = fh.read(MAX_BYTES + 1)
    except Refused as err:
        return {"error": f"refused: {err}"}
    except OSError as err:
        return {"error": f"cannot read {names[0]}: {err.strerror}"}
    if len(data) > MAX_BYTES:
        return {"error": f"{names[0]} is larger than {MAX_BYTES // 2**20} MB"}
    changed = datetime.fromtimestamp(info.st_ctime, timezone.utc)
    return {"name": names[0], "changed": changed.isoformat(timespec="seconds"), "data": data}


def _read_as_owner(home: Path, course_dir: str, assignment: str) -> dict:
    """_find_and_read, as root in a process with the home owner's uid (and no other groups).
    The home folder itself is opened here, so the folders above it need not be open to its
    owner."""
    try:
        home_fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as err:
        return {"error": f"cannot open the home folder: {err.strerror}"}
    try:
        return _read_with(home_fd, os.fstat(home_fd), course_dir, assignment)
    finally:
        os.close(home_fd)


def _read_with(home_fd: int, info, course_dir: str, assignment: str) -> dict:
    if os.geteuid() != 0 or info.st_uid == 0:
        return _find_and_read(home_fd, course_dir, assignment)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # never returns into the instructor's code
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setgid(info.st_gid)
            os.setuid(info.st_uid)
            found = _find_and_read(home_fd, course_dir, assignment)
            data = found.pop("data", b"")
            with os.fdopen(write_fd, "wb") as out:
                out.write(json.dumps(found).encode() + b"\n" + data)
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        reply = fh.read(MAX_BYTES + 65536)
    os.waitpid(pid, 0)
    header, _, data = reply.partition(b"\n")
    try:
        found = json.loads(header)
    except ValueError:
        return {"error": "could not be read as its owner"}
    if "error" not in found:
        found["data"] = data
    return found


def _read_notebook(data: bytes) -> bytes:
    """The bytes, if they are a notebook (raises ValueError otherwise)."""
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
    for home in sorted(p for p in homes.iterdir() if not p.name.startswith(".")):
        learner = home.name
        mode = home.lstat().st_mode
        if stat.S_ISLNK(mode):
            result.skipped[learner] = "refused: the home folder is a symbolic link"
            continue
        if not stat.S_ISDIR(mode):
            continue
        found = _read_as_owner(home, course_dir, assignment)
        if "error" in found:
            result.skipped[learner] = found["error"]
            continue
        try:
            data = _read_notebook(found["data"])
        except ValueError as err:
            result.skipped[learner] = f"{found['name']}: {err}"
            continue
        target = out / f"{learner}.ipynb"
        _write_atomic(target, data)
        changed = datetime.fromisoformat(found["changed"]).timestamp()
        os.utime(target, (changed, changed))
        result.copied[learner] = target
        result.changed[learner] = found["changed"]
    _write_atomic(out / MANIFEST, _manifest(result).encode())
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
