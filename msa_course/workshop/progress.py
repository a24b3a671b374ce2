"""`msa-course progress`: the room, live. Where each learner is in an exercise, read from the
notebooks they saved (the outputs of its check cells), never by running their code.

For every question a learner is in one state:
- not started: its answer cells are still the released stubs;
- working: an answer changed, but its checks have not run since (or never ran);
- failing: the checks ran after the answer and raised; the hint they gave is named;
- passing: the checks ran after the answer and raised nothing (the visible checks pass).
A notebook being saved at that moment, malformed, or not the learner's own regular file is
shown as unreadable, a home without the exercise as missing. The room remembers, between
refreshes, since when a learner has been failing a question (stuck after `stuck_minutes`) and
which hints have fired for whom.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from msa_course.i18n import notebook_language
from msa_course.workshop import editions
from msa_course.workshop import exercise as ex
from msa_course.workshop.homes import Home, Refused, learners
from msa_course.workshop.homes import add_arguments as add_home_arguments
from msa_course.workshop.link import DEFAULT_TARGET

STATES = ("not-started", "working", "failing", "passing")


@dataclass(frozen=True)
class Mark:
    """A learner's state on one question, and the hint that fired when failing."""

    state: str
    hint: ex.Hint | None = None


@dataclass
class LearnerRow:
    name: str
    number: int  # the learner's pseudonym: Learner <number>
    status: str = "ok"  # ok, missing (no exercise notebook), unreadable
    reason: str = ""
    marks: dict[str, Mark] = field(default_factory=dict)  # question grade_id -> Mark
    stuck: set[str] = field(default_factory=set)  # question grade_ids
    lang: str = "en"  # the edition of the copy read (editions.pick)
    both: bool = False  # work in more than one edition's copy: the page says which it shows


def read_marks(exercise: ex.Exercise, data: bytes) -> dict[str, Mark]:
    """Each question's Mark in a saved notebook (ValueError when it is not a notebook)."""
    return marks_of(exercise, parse(data))


def parse(data: bytes) -> dict:
    """A saved notebook's JSON (ValueError when it is not a notebook)."""
    try:
        nb = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("not JSON") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    return nb


def has_work(nb: dict, marks: dict[str, Mark]) -> bool:
    """Whether a notebook shows the learner's work: an answer changed from the released stub,
    or any cell run (a released notebook has no execution counts)."""
    return any(m.state != "not-started" for m in marks.values()) or any(
        _count(cell) for cell in nb["cells"] if isinstance(cell, dict)
    )


def shows_work(exercise: ex.Exercise | None, data: bytes) -> bool:
    """has_work for a saved notebook's bytes (answers compared only when the exercise is
    known); what is not a notebook is not as released, so it counts as work."""
    try:
        nb = parse(data)
    except ValueError:
        return True
    return has_work(nb, marks_of(exercise, nb) if exercise else {})


def marks_of(exercise: ex.Exercise, nb: dict) -> dict[str, Mark]:
    """Each question's Mark; a failure is matched against the hints in the notebook's language."""
    lang = notebook_language(nb)
    cells = {}
    for cell in nb["cells"]:
        grade_id = _grade_id(cell)
        if grade_id is not None:
            cells.setdefault(grade_id, cell)
    return {q.grade_id: _mark(q, cells, lang) for q in exercise.questions}


def _grade_id(cell) -> str | None:
    if not isinstance(cell, dict) or not isinstance(cell.get("metadata"), dict):
        return None
    meta = cell["metadata"].get("nbgrader")
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _count(cell: dict | None) -> int:
    count = cell.get("execution_count") if cell else None
    return count if isinstance(count, int) and not isinstance(count, bool) else 0


def _mark(question: ex.Question, cells: dict[str, dict], lang: str) -> Mark:
    answers = [cells.get(grade_id) for grade_id in question.answers]
    changed = [
        cell is None or _source(cell).strip() != stub.strip()
        for cell, stub in zip(answers, question.answers.values())
    ]
    if question.answers and not any(changed):
        return Mark("not-started")
    test = cells.get(question.grade_id)
    ran = _count(test)
    if not ran or any(_count(cell) > ran for cell in answers):
        return Mark("working")
    outputs = test.get("outputs") if isinstance(test.get("outputs"), list) else []
    for output in outputs:
        if isinstance(output, dict) and output.get("output_type") == "error":
            ename, evalue = output.get("ename"), output.get("evalue")
            ename = ename if isinstance(ename, str) else "Exception"
            evalue = evalue if isinstance(evalue, str) else ""
            return Mark("failing", question.classify(evalue, ename, lang))
    return Mark("passing")


class Room:
    """The learners of `homes` on one exercise; `refresh()` reads what changed since the last
    call (a notebook is parsed again only when its size, mtime or inode changed)."""

    def __init__(
        self,
        homes: Path,
        exercise: ex.Exercise,
        course_dir: str = DEFAULT_TARGET,
        stuck_minutes: float = 5.0,
        clock=time.time,
    ):
        self.homes, self.exercise, self.course_dir = Path(homes), exercise, course_dir
        self.stuck_seconds = stuck_minutes * 60
        self.clock = clock
        self.numbers: dict[str, int] = {}  # learner -> pseudonym number, in order of arrival
        self._salt = secrets.token_bytes(8)
        self._cache: dict[tuple[str, str], tuple[tuple, tuple]] = {}  # (learner, path) -> read
        self._failing_since: dict[tuple[str, str], float] = {}
        self.fired: dict[str, dict[ex.Hint, set[str]]] = {}  # question -> hint -> learners
        self.read_at = 0.0

    @property
    def notebooks(self) -> dict[str, str]:
        """language -> the exercise's copy of that edition in a home."""
        return editions.paths(self.course_dir, self.exercise.name)

    def refresh(self) -> list[LearnerRow]:
        now = self.clock()
        names = learners(self.homes)
        self._number(names)
        rows = [self._read(name) for name in names]
        for row in rows:
            self._remember(row, now)
        self.read_at = now
        return sorted(rows, key=lambda r: r.number)

    def _number(self, names: list[str]) -> None:
        """Pseudonyms are numbered in order of arrival; learners present at the first read are
        shuffled, so Learner 1 is not the first name in the alphabet."""
        new = [n for n in names if n not in self.numbers]
        new.sort(key=lambda n: hashlib.blake2b(n.encode(), key=self._salt).digest())
        for name in new:
            self.numbers[name] = len(self.numbers) + 1

    def _read(self, name: str) -> LearnerRow:
        """The learner's row from the copy they worked in (editions.pick)."""
        row = LearnerRow(name, self.numbers[name])
        try:
            with Home(self.homes, name) as home:
                read = [
                    self._read_copy(home, name, lang, path) for lang, path in self.notebooks.items()
                ]
        except Refused as err:
            row.status, row.reason = "unreadable", str(err)
            return row
        found = {copy: result for copy, result in filter(None, read)}
        chosen = editions.pick(list(found))
        if chosen is None:
            row.status = "missing"
            return row
        row.lang, row.both = chosen.lang, editions.both_worked(list(found))
        result = found[chosen]
        if isinstance(result, str):
            row.status, row.reason = "unreadable", result
        else:
            row.marks = result
        return row

    def _read_copy(
        self, home: Home, name: str, lang: str, path: str
    ) -> tuple[editions.Copy, dict[str, Mark] | str] | None:
        """(the copy, its marks or why it cannot be read); None when the home has no such copy.
        A copy is parsed again only when its stat changed."""
        changed = math.inf  # a copy that cannot even be looked at is the one to report
        try:
            info = home.stat(path)
            changed = info.st_ctime
            key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            cached = self._cache.get((name, path))
            if cached and cached[0] == key:
                return cached[1]
            data, _ = home.read(path)
            nb = parse(data)
            marks = marks_of(self.exercise, nb)
            copy = editions.Copy(lang, path, changed, has_work(nb, marks))
            self._cache[(name, path)] = (key, (copy, marks))
            return copy, marks
        except FileNotFoundError:
            return None
        except (Refused, ValueError) as err:
            reason = str(err)
        except OSError as err:
            reason = err.strerror or str(err)
        return editions.Copy(lang, path, changed, True), reason

    def _remember(self, row: LearnerRow, now: float) -> None:
        for question in self.exercise.questions:
            key = (row.name, question.grade_id)
            mark = row.marks.get(question.grade_id)
            if mark is None or mark.state != "failing":
                if row.status == "ok":  # an unreadable save does not end being stuck
                    self._failing_since.pop(key, None)
                continue
            since = self._failing_since.setdefault(key, now)
            if now - since >= self.stuck_seconds:
                row.stuck.add(question.grade_id)
            self.fired.setdefault(question.grade_id, {}).setdefault(mark.hint, set()).add(row.name)

    def snapshot(self, rows: list[LearnerRow], names: bool = False, lang: str = "en") -> dict:
        """Everything the page shows, as plain data (the page's JSON; names only if asked),
        with the titles and hints in `lang`."""
        questions = []
        for question in self.exercise.questions:
            marks = [r.marks[question.grade_id] for r in rows if question.grade_id in r.marks]
            now: dict[ex.Hint, int] = {}
            for mark in marks:
                if mark.hint is not None:
                    now[mark.hint] = now.get(mark.hint, 0) + 1
            fired = self.fired.get(question.grade_id, {})
            hints = sorted(
                (
                    {"text": h.shown(lang), "now": now.get(h, 0), "ever": len(who)}
                    for h, who in fired.items()
                ),
                key=lambda h: (-h["ever"], -h["now"], h["text"]),
            )
            questions.append(
                {
                    "grade_id": question.grade_id,
                    "label": question.label,
                    "title": question.title_in(lang),
                    "started": sum(m.state != "not-started" for m in marks),
                    "passing": sum(m.state == "passing" for m in marks),
                    "stuck": sum(question.grade_id in r.stuck for r in rows),
                    "hints": hints,
                }
            )
        learners_ = [
            {
                "learner": row.name if names else None,
                "number": row.number,
                "status": row.status,
                "reason": row.reason,
                "lang": row.lang,
                "both": row.both,
                "marks": {
                    grade_id: {
                        "state": mark.state,
                        "hint": mark.hint.shown(lang) if mark.hint else None,
                        "stuck": grade_id in row.stuck,
                    }
                    for grade_id, mark in row.marks.items()
                },
            }
            for row in sorted(rows, key=lambda r: r.name if names else r.number)
        ]
        return {
            "exercise": self.exercise.name,
            "number": self.exercise.number,
            "title": self.exercise.title_in(lang),
            "read_at": self.read_at,
            "stuck_minutes": self.stuck_seconds / 60,
            "questions": questions,
            "learners": learners_,
        }


def default_exercises() -> Path:
    """The course checkout's exercises/ (next to the msa_course package), else ./exercises."""
    import msa_course

    beside = Path(msa_course.__file__).resolve().parents[1] / "exercises"
    return beside if beside.is_dir() else Path.cwd() / "exercises"


def add_arguments(parser) -> None:
    import argparse

    add_home_arguments(parser)
    parser.add_argument(
        "--assignment", metavar="NN", help="exercise to show first (default: the first one)"
    )
    parser.add_argument(
        "--anonymous",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="learners as numbers, not names (default; --no-anonymous shows names)",
    )
    parser.add_argument(
        "--stuck-minutes",
        type=float,
        default=5.0,
        help="minutes a question's checks must keep failing to count as stuck (default 5)",
    )
    parser.add_argument(
        "--refresh", type=float, default=3.0, help="seconds between refreshes (default 3)"
    )
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument(
        "--hub-service",
        action="store_true",
        help="run as a JupyterHub service (deploy/jupyterhub_config.py starts it so)",
    )
    parser.add_argument("--lang", default="en", help="language of the page (default en)")


def run(args) -> int:
    import asyncio
    import os

    from msa_course.cli import CommandError
    from msa_course.workshop.messages import check_lang, text
    from msa_course.workshop.progress_page import Rooms, make_app

    exercises = args.exercises or default_exercises()
    numbers = ex.available(exercises)
    try:
        check_lang(args.lang)
        if not args.homes.is_dir():
            raise ValueError(text("cli-not-homes", homes=args.homes))
        number = args.assignment or (numbers[0] if numbers else "00")
        ex.find(exercises, number)
        if args.refresh <= 0 or args.stuck_minutes < 0:
            raise ValueError("--refresh must be > 0 and --stuck-minutes >= 0")
        rooms = Rooms(args.homes, exercises, args.course_dir, args.stuck_minutes)
        rooms.get(number).refresh()
        if args.hub_service and "JUPYTERHUB_SERVICE_URL" not in os.environ:
            raise ValueError(text("cli-not-a-service"))
    except ValueError as err:
        raise CommandError(str(err)) from None
    names = not args.anonymous
    if args.hub_service:
        from urllib.parse import urlsplit

        where = urlsplit(os.environ["JUPYTERHUB_SERVICE_URL"])
        ip, port, token = where.hostname, where.port, None
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    else:
        ip, port, token, prefix = args.ip, args.port, secrets.token_urlsafe(24), "/"
    app = make_app(
        rooms, number, prefix=prefix, token=token, names=names, refresh=args.refresh, lang=args.lang
    )

    async def serve() -> None:
        from tornado.httpserver import HTTPServer
        from tornado.netutil import bind_sockets

        sockets = bind_sockets(port, address=ip)
        HTTPServer(app, xheaders=args.hub_service).add_sockets(sockets)
        if token:
            bound = sockets[0].getsockname()[1]
            host = f"[{ip}]" if ":" in ip else ip
            url = f"http://{host}:{bound}/?assignment={number}&token={token}"
            print(text("cli-progress-url", args.lang, number=number, url=url), flush=True)
            print(text("cli-progress-stop", args.lang), flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())
    return 0
