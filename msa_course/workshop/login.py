"""The workshop hub's login: a learner's first login claims their name with their own password.

FirstUseAuthenticator (jupyterhub-firstuseauthenticator) stores a bcrypt hash per name; later
logins must match it, so nobody else can log in as that learner. On top of it, a name that is
malformed, or missing from the roster when there is one, is refused with a message saying why
before any password is stored (upstream would store it first), and the instructors' names are
claimed when the hub starts, with their own password, so no learner can take them.
In the isolated mode a learner's Unix account is made when the learner is added to the hub.
The instructor resets a learner's password by deleting the learner in the hub's admin page:
the learner's files stay, and their next login sets a new password.
"""

from __future__ import annotations

import dbm
import re
from pathlib import Path

import bcrypt
from firstuseauthenticator import FirstUseAuthenticator
from traitlets import Unicode

from msa_course.workshop.spawner import ensure_account

NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,19}$"
NAME_RULE = (
    "A name is 1 to 20 characters: lowercase letters, digits, - or _, starting with a letter."
)
BCRYPT_MAX_BYTES = 72  # bcrypt reads no further (and bcrypt >= 5 refuses longer passwords)


def read_roster(path: Path) -> set[str]:
    """The learner names in a roster file: one per line; blank lines and # comments skipped."""
    names = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        name = line.split("#", 1)[0].strip()
        if name and not re.fullmatch(NAME_PATTERN, name):
            raise ValueError(f"{path} line {number}: {name!r} is not a valid name. {NAME_RULE}")
        if name:
            names.add(name)
    if not names:
        raise ValueError(f"{path} lists no learner; write one name per line")
    return names


class LearnerAuthenticator(FirstUseAuthenticator):
    admin_password = Unicode(
        "", config=True, help="Password that claims every admin name not claimed yet, at start."
    )

    account_prefix = Unicode(
        "",
        config=True,
        help="When set (the isolated mode), a learner's Unix account <account_prefix><name> is "
        "made as soon as the learner is added (roster at start, API, first login), not when "
        "their server starts: a room's spawns then wait for no account.",
    )
    homes = Unicode("", config=True, help="Folder of learners' homes, as LearnerSpawner.homes.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.admin_password:
            with dbm.open(self.dbm_path, "c", 0o600) as db:
                for name in self.admin_users:
                    if name.encode() not in db:
                        db[name] = bcrypt.hashpw(self.admin_password.encode(), bcrypt.gensalt())

    async def authenticate(self, handler, data):
        name = self.normalize_username(data["username"])
        if not self.validate_username(name):
            handler.custom_login_error = NAME_RULE
            return None
        if not (self.allow_all or name in self.admin_users or self.check_allowed(name)):
            handler.custom_login_error = f"{name} is not on this workshop's list of learners."
            return None
        if len(data["password"].encode()) > BCRYPT_MAX_BYTES:
            handler.custom_login_error = f"Use a password of at most {BCRYPT_MAX_BYTES} bytes."
            return None
        return await super().authenticate(handler, data)

    async def add_user(self, user):
        super().add_user(user)
        if self.account_prefix:
            await ensure_account(user.name, self.account_prefix, self.homes)
