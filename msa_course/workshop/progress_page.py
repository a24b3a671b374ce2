"""The progress page: HTML for a projector (large type, learners as numbers unless names are
asked for), and the small web server that serves it, on its own with a secret token in the
URL, or as a JupyterHub service behind the hub's login, where only admins may open it.

Everything from a learner's home is escaped; hints are the exercise's own text. The page's
script only re-fetches the room every few seconds: no inline script or style, and a
Content-Security-Policy that allows nothing else.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import tornado.web

from msa_course.workshop import exercise as ex
from msa_course.workshop.messages import DEFAULT, text
from msa_course.workshop.progress import STATES, Room

STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
MAX_HINTS = 5  # per question, most frequent first
STATUS_MARKS = {"unreadable": "unreadable", "missing": "missing"}


def _t(key: str, lang: str, **values) -> str:
    return escape(text(key, lang, **values))


def room_html(snap: dict, refresh: float, lang: str = "en") -> str:
    """The room: heatmap (questions x learners), counts per question, hints that fired."""
    learners = snap["learners"]
    when = time.strftime("%H:%M:%S", time.localtime(snap["read_at"]))
    head = (
        f"<header><h1>{_t('progress-title', lang, number=snap['number'])}</h1>"
        f"<p>{escape(snap['title'])}. "
        f"{_t('progress-subtitle', lang, learners=len(learners), when=when, seconds=f'{refresh:g}')}"
        f"</p></header>"
    )
    if not learners:
        return head + f"<p class='empty'>{_t('progress-no-learners', lang)}</p>"
    columns = "".join(f"<th scope='col' class='who'>{_who(lr, lang)}</th>" for lr in learners)
    header = (
        f"<thead><tr><th scope='col'>{_t('progress-question', lang)}</th>{columns}"
        f"<th scope='col' class='n'>{_t('progress-started', lang)}</th>"
        f"<th scope='col' class='n'>{_t('progress-passing', lang)}</th>"
        f"<th scope='col' class='n'>{_t('progress-stuck', lang)}</th></tr></thead>"
    )
    body = []
    for question in snap["questions"]:
        cells = "".join(_cell(lr, question["grade_id"], lang) for lr in learners)
        stuck = question["stuck"]
        body.append(
            f"<tr><th scope='row' title='{escape(question['title'])}'>"
            f"{escape(question['label'])}</th>{cells}"
            f"<td class='n'>{question['started']}</td><td class='n'>{question['passing']}</td>"
            f"<td class='n{' alert' if stuck else ''}'>{stuck}</td></tr>"
        )
    table = f"<table class='heatmap'>{header}<tbody>{''.join(body)}</tbody></table>"
    unreadable = sum(lr["status"] == "unreadable" for lr in learners)
    minutes = f"{snap['stuck_minutes']:g}"
    notes = _legend(lang)
    notes += f"<p class='note'>{_t('progress-stuck-help', lang, minutes=minutes)}</p>"
    for edition in sorted({lr["lang"] for lr in learners if lr["lang"] != DEFAULT}):
        language = text(f"lang-{edition}", lang)
        notes += f"<p class='note'>{_t('progress-edition-note', lang, tag=edition, language=language)}</p>"
    if any(lr["both"] for lr in learners):
        notes += f"<p class='note'>{_t('progress-both-note', lang)}</p>"
    if unreadable:
        notes += f"<p class='note'>{_t('progress-unreadable-count', lang, count=unreadable)}</p>"
    return head + table + notes + _hints(snap["questions"], lang)


def _who(learner: dict, lang: str) -> str:
    if learner["learner"] is not None:
        who = f"<span class='name'>{escape(learner['learner'])}</span>"
    else:
        who = escape(str(learner["number"]))
    if learner["lang"] != DEFAULT or learner["both"]:
        tag = escape(learner["lang"]) + ("*" if learner["both"] else "")
        who += f"<span class='edition'>{tag}</span>"
    return who


def _label(learner: dict, lang: str) -> str:
    if learner["learner"] is not None:
        return learner["learner"]
    return text("progress-pseudonym", lang, number=learner["number"])


def _cell(learner: dict, grade_id: str, lang: str) -> str:
    state = STATUS_MARKS.get(learner["status"])
    mark = learner["marks"].get(grade_id)
    if state is None:
        state = mark["state"] if mark else "missing"
    stuck = bool(mark and mark["stuck"])
    tip = f"{_label(learner, lang)}: {text('state-' + state, lang)}"
    if mark and mark["hint"]:
        tip += f" \u2014 {mark['hint']}"
    return (
        f"<td class='m {state}{' stuck' if stuck else ''}' title='{escape(tip)}'>"
        f"{_t('mark-' + state, lang)}</td>"
    )


def _legend(lang: str) -> str:
    items = "".join(
        f"<li><span class='m {s}'>{_t('mark-' + s, lang)}</span> {_t('state-' + s, lang)}</li>"
        for s in (*STATES, "unreadable", "missing")
    )
    stuck = (
        f"<li><span class='m failing stuck'>{_t('mark-failing', lang)}</span> "
        f"{_t('progress-stuck', lang)}</li>"
    )
    return f"<ul class='legend' aria-label='{_t('progress-legend', lang)}'>{items}{stuck}</ul>"


def _hints(questions: list[dict], lang: str) -> str:
    blocks = []
    for question in questions:
        hints = question["hints"][:MAX_HINTS]
        if not hints:
            continue
        top = max(h["ever"] for h in hints)
        items = "".join(
            f"<li><svg class='bar' viewBox='0 0 100 10' preserveAspectRatio='none' "
            f"aria-hidden='true'><rect width='{100 * h['ever'] / top:.1f}' height='10'/></svg>"
            f"<span class='count'>{h['ever']}</span> {escape(h['text'])} "
            f"<small>({_t('progress-hint-count', lang, now=h['now'], ever=h['ever'])})</small></li>"
            for h in hints
        )
        blocks.append(
            f"<section><h3>{escape(question['label'])} \u00b7 {escape(_short(question['title']))}</h3>"
            f"<ol class='hints'>{items}</ol></section>"
        )
    body = "".join(blocks) or f"<p>{_t('progress-hints-none', lang)}</p>"
    return f"<div class='fired'><h2>{_t('progress-hints', lang)}</h2>{body}</div>"


def _short(title: str) -> str:
    """A question's title without its "Question 1:" (the label says it)."""
    return re.sub(r"^(?:Question|문제)\s+\S+?:\s*", "", title) or title


def page_html(
    inner: str, number: str, numbers: list[str], names: bool, refresh: float, lang: str = "en"
) -> str:
    """The whole page around a room: exercise tabs, the names switch, the refresh script."""
    current = " aria-current='page'"
    tabs = "".join(
        f"<a href='?{escape(urlencode(_query(n, names)))}'{current if n == number else ''}>"
        f"{escape(n)}</a>"
        for n in numbers
    )
    switch_to = not names
    switch = _t("progress-names-show" if switch_to else "progress-names-hide", lang)
    return (
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_t('progress-title', lang, number=number)}</title>"
        "<link rel='stylesheet' href='static/progress.css'>"
        "<link rel='icon' href='static/progress.svg'>"
        "<script src='static/progress.js' defer></script></head>"
        f"<body data-refresh='{refresh:g}' data-offline='{_t('progress-offline', lang)}'><nav><span>{_t('progress-exercises', lang)}</span> "
        f"{tabs}<a class='names' href='?{escape(urlencode(_query(number, switch_to)))}'>"
        f"{switch}</a><span id='status' role='status'></span></nav>"
        f"<main id='room' aria-live='polite'>{inner}</main></body></html>\n"
    )


def _query(number: str, names: bool) -> dict:
    return {"assignment": number, **({"names": "1"} if names else {})}


class Rooms:
    """One Room per exercise number, made when first asked for."""

    def __init__(self, homes: Path, exercises: Path, course_dir: str, stuck_minutes: float):
        self.homes, self.exercises = homes, exercises
        self.course_dir, self.stuck_minutes = course_dir, stuck_minutes
        self.rooms: dict[str, Room] = {}

    def numbers(self) -> list[str]:
        return ex.available(self.exercises)

    def get(self, number: str) -> Room:
        if number not in self.rooms:
            exercise = ex.load(ex.find(self.exercises, number))
            self.rooms[number] = Room(self.homes, exercise, self.course_dir, self.stuck_minutes)
        return self.rooms[number]


class _Base(tornado.web.RequestHandler):
    """Shared by every page handler: security headers, the query, the room."""

    def initialize(self, rooms: Rooms, default: str, names: bool, refresh: float, lang: str):
        self.rooms, self.default, self.names = rooms, default, names
        self.refresh_seconds, self.lang = refresh, lang

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def _room(self) -> tuple[Room, str, bool]:
        number = self.get_argument("assignment", self.default)
        if number not in self.rooms.numbers():
            raise tornado.web.HTTPError(404, reason="no such exercise")
        names = self.get_argument("names", "1" if self.names else "0") == "1"
        return self.rooms.get(number), number, names

    def _render(self) -> tuple[str, str, bool]:
        room, number, names = self._room()
        rows = room.refresh()
        snap = room.snapshot(rows, names=names, lang=self.lang)
        return room_html(snap, self.refresh_seconds, self.lang), number, names


class PageHandler(_Base):
    @tornado.web.authenticated
    def get(self) -> None:
        inner, number, names = self._render()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(
            page_html(inner, number, self.rooms.numbers(), names, self.refresh_seconds, self.lang)
        )


class RoomHandler(_Base):
    @tornado.web.authenticated
    def get(self) -> None:
        inner, _, _ = self._render()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("X-Msa-Room", "1")  # the script replaces the room only with a room
        self.write(inner)


class JsonHandler(_Base):
    @tornado.web.authenticated
    def get(self) -> None:
        room, _, names = self._room()
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps(room.snapshot(room.refresh(), names=names, lang=self.lang)))


class TokenAuth:
    """Standalone: `?token=<secret>` once (it becomes a cookie), as Jupyter's own servers do."""

    token = ""

    def get_current_user(self):
        if self.get_secure_cookie("msa-progress", max_age_days=1) == b"instructor":
            return "instructor"
        given = self.get_argument("token", "")
        if given and secrets.compare_digest(given, self.token):
            self.set_secure_cookie("msa-progress", "instructor", httponly=True, samesite="Strict")
            return "instructor"
        return None

    def get_login_url(self) -> str:
        raise tornado.web.HTTPError(403, reason="open the URL with its token")


def make_app(
    rooms: Rooms,
    default: str,
    *,
    prefix: str = "/",
    token: str | None = None,
    names: bool = False,
    refresh: float = 3.0,
    lang: str = "en",
) -> tornado.web.Application:
    """The server's routes under `prefix`: behind `token`, or behind JupyterHub's login (the
    service's OAuth; token None)."""
    if token is None:
        from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated

        auth, extra = HubOAuthenticated, [(f"{prefix}oauth_callback", HubOAuthCallbackHandler)]
    else:
        auth = type("Token", (TokenAuth,), {"token": token})
        extra = []
    settings = dict(rooms=rooms, default=default, names=names, refresh=refresh, lang=lang)
    handlers = [
        (prefix, type("Page", (auth, PageHandler), {}), settings),
        (f"{prefix}room", type("Room", (auth, RoomHandler), {}), settings),
        (f"{prefix}room.json", type("Json", (auth, JsonHandler), {}), settings),
        (
            f"{prefix}static/(progress\\.(?:css|js|svg))",
            tornado.web.StaticFileHandler,
            {"path": STATIC},
        ),
        *extra,
    ]
    if prefix != "/":
        handlers.append((prefix.rstrip("/"), tornado.web.RedirectHandler, {"url": prefix}))
    return tornado.web.Application(
        handlers, cookie_secret=secrets.token_bytes(32), xsrf_cookies=False
    )
