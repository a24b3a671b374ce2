"""The workshop hub's login (msa_course.workshop.login) on its own: a name is claimed by its
first login, refused with the reason when malformed or off the roster (before any password is
stored), and the instructors' names are claimed when the hub starts. tests/hub logs in
through the real hub's form."""

from __future__ import annotations

import asyncio
import dbm

import pytest

from msa_course.workshop.login import NAME_PATTERN, NAME_RULE, LearnerAuthenticator


class Handler:
    custom_login_error = ""


def authenticator(tmp_path, **config) -> LearnerAuthenticator:
    return LearnerAuthenticator(
        dbm_path=str(tmp_path / "passwords.dbm"),
        min_password_length=8,
        username_pattern=NAME_PATTERN,
        **config,
    )


def login(auth: LearnerAuthenticator, name: str, password: str) -> tuple[str | None, str]:
    handler = Handler()
    result = asyncio.run(auth.authenticate(handler, {"username": name, "password": password}))
    return result, handler.custom_login_error


def stored(auth: LearnerAuthenticator) -> set[str]:
    with dbm.open(auth.dbm_path, "c") as db:
        return {key.decode() for key in db.keys()}


def test_the_first_login_claims_a_name(tmp_path):
    auth = authenticator(tmp_path, allow_all=True)
    assert login(auth, "ada", "ada-password") == ("ada", "")
    assert login(auth, "ada", "someone-else") == (None, "")
    assert login(auth, "Ada", "ada-password") == ("ada", "")  # names are lowercased


@pytest.mark.parametrize(
    "name, password, message",
    [
        ("grace hopper", "long-enough", NAME_RULE),
        ("1ada", "long-enough", NAME_RULE),
        ("a" * 21, "long-enough", NAME_RULE),
        ("linus", "short", "at least 8 characters"),
        ("linus", "x" * 73, "at most 72 bytes"),
        ("stranger", "long-enough", "stranger is not on this workshop's list of learners."),
    ],
)
def test_a_refused_login_says_why_and_stores_nothing(tmp_path, name, password, message):
    auth = authenticator(tmp_path, allowed_users={"ada", "linus"})
    result, error = login(auth, name, password)
    assert result is None and message in error
    assert stored(auth) == set()


def test_instructors_names_are_claimed_at_start(tmp_path):
    auth = authenticator(tmp_path, admin_users={"kim"}, admin_password="kims-password")
    assert stored(auth) == {"kim"}
    assert login(auth, "kim", "a-learner-guess") == (None, "")
    assert login(auth, "kim", "kims-password") == ("kim", "")
    # a restart with another admin password does not take the name back
    again = authenticator(tmp_path, admin_users={"kim"}, admin_password="another-password")
    assert login(again, "kim", "another-password") == (None, "")
