"""Learners' homes, as the instructor's tools (run as root: collect, progress,
return-feedback) read and write them without trusting anything inside: no symbolic link is
followed (each folder is opened relative to the one before, with O_NOFOLLOW), only the home
owner's own folders and regular files are used, a read stops at a size limit, and a write
creates a new file owned by the learner, never replacing one of theirs. `Home.as_owner` does
the reading in a process with the owner's uid, so nothing is taken that the learner could not
read themselves.

A learner who plants a link to a classmate's notebook, to the solutions or to /etc/shadow, a
FIFO that would block a reader, or a 10 GB file gets a refusal naming the path, and the
instructor's tool carries on with the next learner.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from msa_course.workshop.link import DEFAULT_TARGET
from msa_course.workshop.messages import text

MAX_BYTES = 32 * 2**20  # a learner's notebook with every output, and then some


class Refused(Exception):
    """A path in a home that is not the learner's own folder or file; the message says why."""


def learners(homes: Path) -> list[str]:
    """The names of the home folders in `homes` (dot-folders skipped), sorted; a symbolic link
    is listed too, so that using it is refused by name rather than silently skipped."""
    if not homes.is_dir():
        raise ValueError(text("cli-not-homes", homes=homes))
    names = []
    for entry in os.scandir(homes):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() or entry.is_dir(follow_symlinks=False):
            names.append(entry.name)
    return sorted(names)


class Home:
    """One learner's home folder, opened without following links; use as a context manager."""

    def __init__(self, homes: Path, name: str):
        self.name = name
        path = Path(homes) / name
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except FileNotFoundError:
            raise Refused(text("why-no-home", home=path)) from None
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(path):
                raise Refused(text("why-home-link")) from None
            raise Refused(text("why-not-folder", path=path)) from None
        info = os.fstat(self.fd)
        self.uid, self.gid = info.st_uid, info.st_gid

    def __enter__(self) -> Home:
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)

    def _folder(self, parts: list[str]) -> int:
        """An open descriptor of the folder home/parts (the caller closes it)."""
        fd = os.dup(self.fd)
        try:
            for depth, part in enumerate(parts, 1):
                child, _ = self._open_own(fd, part, "/".join(parts[:depth]), folder=True)
                os.close(fd)
                fd = child
            return fd
        except BaseException:
            os.close(fd)
            raise

    def _lstat(self, fd: int, name: str, where: str) -> os.stat_result:
        try:
            return os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            raise FileNotFoundError(where) from None
        except OSError as err:
            raise Refused(text("why-cannot-read", path=where, error=err.strerror)) from None

    def _open_own(self, fd: int, name: str, where: str, folder: bool) -> tuple[int, os.stat_result]:
        """Open `name` in the folder fd if it is the learner's own folder (or regular file):
        not a link, not another owner's, and still the one checked when opened (never
        blocking on a FIFO). Returns the descriptor and its stat."""
        info = self._lstat(fd, name, where)
        if stat.S_ISLNK(info.st_mode):
            raise Refused(text("why-link", path=where))
        kind = "why-not-folder" if folder else "why-not-file"
        if not (stat.S_ISDIR if folder else stat.S_ISREG)(info.st_mode):
            raise Refused(text(kind, path=where))
        if info.st_uid != self.uid:
            raise Refused(text("why-not-theirs", path=where))
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | (os.O_DIRECTORY if folder else 0)
        try:
            opened_fd = os.open(name, flags, dir_fd=fd)
        except FileNotFoundError:
            raise FileNotFoundError(where) from None
        except OSError as err:
            raise Refused(text("why-cannot-read", path=where, error=err.strerror)) from None
        opened = os.fstat(opened_fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):  # swapped meanwhile
            os.close(opened_fd)
            raise Refused(text(kind, path=where))
        return opened_fd, opened

    def names(self, folder: str) -> list[str]:
        """The names in the learner's own folder home/folder."""
        fd = self._folder([p for p in folder.split("/") if p])
        try:
            return os.listdir(fd)
        except OSError as err:
            raise Refused(text("why-cannot-read", path=folder, error=err.strerror)) from None
        finally:
            os.close(fd)

    def stat(self, path: str) -> os.stat_result:
        """lstat of home/path, its folders checked (FileNotFoundError when it is missing)."""
        *folders, name = path.split("/")
        fd = self._folder(folders)
        try:
            return self._lstat(fd, name, path)
        finally:
            os.close(fd)

    def read(self, path: str, limit: int = MAX_BYTES) -> tuple[bytes, os.stat_result]:
        """The bytes of the learner's own regular file home/path, and its stat."""
        *folders, name = path.split("/")
        fd = self._folder(folders)
        try:
            return self._read_at(fd, name, path, limit)
        finally:
            os.close(fd)

    def _read_at(self, fd: int, name: str, path: str, limit: int) -> tuple[bytes, os.stat_result]:
        file_fd, opened = self._open_own(fd, name, path, folder=False)
        with os.fdopen(file_fd, "rb") as fh:  # the size is checked before and while reading
            data = fh.read(limit + 1) if opened.st_size <= limit else None
        if data is None or len(data) > limit:
            raise Refused(text("why-too-large", path=path, limit=limit // 2**20))
        return data, opened

    def as_owner(
        self, work: Callable[[Home], tuple[dict, bytes]], limit: int = MAX_BYTES
    ) -> tuple[dict, bytes]:
        """work(self), run (when we are root) in a forked process with the home owner's uid and
        no other groups, so that only what the learner may read is read: work returns plain
        data and at most `limit` bytes; Refused and FileNotFoundError come back as raised."""
        if os.geteuid() != 0 or self.uid == 0:
            return work(self)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # never returns into the caller's code
            try:
                os.close(read_fd)
                os.setgroups([])
                os.setgid(self.gid)
                os.setuid(self.uid)
                try:
                    header, data = work(self)
                    reply = {"done": header}
                except Refused as err:
                    reply, data = {"refused": str(err)}, b""
                except FileNotFoundError as err:
                    reply, data = {"missing": str(err)}, b""
                with os.fdopen(write_fd, "wb") as out:
                    out.write(json.dumps(reply).encode() + b"\n" + data[:limit])
            finally:
                os._exit(0)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as fh:
            answer = fh.read(limit + 65536)
        os.waitpid(pid, 0)
        line, _, data = answer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            raise Refused(text("why-not-as-owner")) from None
        if "refused" in reply:
            raise Refused(reply["refused"])
        if "missing" in reply:
            raise FileNotFoundError(reply["missing"])
        return reply["done"], data

    def write_new(
        self, folder: str, name: str, data: bytes, replaceable: Callable[[bytes], bool]
    ) -> str:
        """Write `data` into home/folder as `name`, or, when a file the learner may have made
        holds that name, as name-2, name-3...: an existing file is only replaced when
        `replaceable(its bytes)` says it is one of ours, untouched. The new file belongs to
        the learner. Returns the name written."""
        fd = self._folder([p for p in folder.split("/") if p])
        try:
            stem, dot, suffix = name.rpartition(".")
            tmp = self._write_temp(fd, data)
            try:
                for attempt in range(1, 100):
                    target = name if attempt == 1 else f"{stem}-{attempt}{dot}{suffix}"
                    if self._place(fd, tmp, target, replaceable):
                        return target
                raise Refused(text("why-not-file", path=f"{folder}/{name}"))
            finally:
                try:
                    os.unlink(tmp, dir_fd=fd)
                except FileNotFoundError:
                    pass
        finally:
            os.close(fd)

    def _write_temp(self, fd: int, data: bytes) -> str:
        tmp = f".msa-course-{secrets.token_hex(8)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        out = os.open(tmp, flags, 0o644, dir_fd=fd)
        try:
            if os.geteuid() == 0:
                os.fchown(out, self.uid, self.gid)
            view = memoryview(data)
            while view:
                view = view[os.write(out, view) :]
            os.fsync(out)
        finally:
            os.close(out)
        return tmp

    def _place(self, fd: int, tmp: str, target: str, replaceable) -> bool:
        """Put tmp at target if nothing is there (a hard link: never clobbers) or if what is
        there is replaceable; False when target is taken by something else."""
        try:
            os.link(tmp, target, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
            return True
        except FileExistsError:
            pass
        try:
            data, _ = self._read_at(fd, target, target, MAX_BYTES)
        except (Refused, FileNotFoundError):
            return False
        if not replaceable(data):
            return False
        os.replace(tmp, target, src_dir_fd=fd, dst_dir_fd=fd)
        return True


def add_arguments(parser) -> None:
    """--homes, --course-dir and --exercises: where collect, progress and return-feedback find
    each learner's copy of an exercise."""
    parser.add_argument(
        "--homes", type=Path, required=True, help="folder holding one home folder per learner"
    )
    parser.add_argument(
        "--course-dir",
        default=DEFAULT_TARGET,
        help=f"course folder inside each home (default: {DEFAULT_TARGET})",
    )
    parser.add_argument(
        "--exercises",
        type=Path,
        help="folder of the released exercises, to tell a learner's copy from the released "
        "one (default: the course checkout's exercises/)",
    )
