"""Identity and access: users, their web sessions, roles and the permission table.

Pure core: no database, web or terminal library. The store keeps users, memberships and
sessions (``backchannel.store.users``); the surfaces ask ``permitted`` before acting.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from backchannel.auth.roles import (
    MEMBERSHIP_ROLES,
    PERMISSIONS,
    Action,
    Role,
    allowed,
    permitted,
    require,
)
from backchannel.errors import InvalidInputError, Problem

USER_NAME_PATTERN = re.compile(r"[a-z0-9._-]{1,64}")


def validate_user_name(name: str, field: str = "name") -> str:
    """``name`` itself if it is a valid user name (1-64 of ``a-z 0-9 . _ -``), else an error.

    Lower case only, so that ``Amina`` and ``amina`` cannot be two people; no spaces or
    other characters, so that a name reads the same in the audit log, a shell and a URL.
    """
    if not isinstance(name, str) or USER_NAME_PATTERN.fullmatch(name) is None:
        raise InvalidInputError(
            "user",
            [
                Problem(
                    field,
                    f"{name!r} is not a valid user name: use 1 to 64 lower-case letters a-z, "
                    "digits, '.', '_' or '-'",
                )
            ],
        )
    return name


@dataclass(frozen=True)
class User:
    """A person who may log in. Never carries the password hash."""

    name: str
    role: Role
    disabled: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class WebSession:
    """A logged-in user's session, as the web layer sees it.

    ``expires_at`` is the hard end of the session whatever its use; ``idle_expires_at`` the
    moment it ends if it is not used again before (it slides forward with each use, never
    past ``expires_at``). ``csrf_token`` is random per session, to be echoed by every form.
    """

    user: User
    expires_at: dt.datetime
    csrf_token: str
    idle_expires_at: dt.datetime


__all__ = [
    "MEMBERSHIP_ROLES",
    "PERMISSIONS",
    "USER_NAME_PATTERN",
    "Action",
    "Role",
    "User",
    "WebSession",
    "allowed",
    "permitted",
    "require",
    "validate_user_name",
]
