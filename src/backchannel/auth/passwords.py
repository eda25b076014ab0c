"""Password hashing with Argon2id (``argon2-cffi``), the winner of the Password Hashing Competition.

The parameters are RFC 9106's second recommended option (64 MiB of memory, 3 passes,
4 lanes), argon2-cffi's default profile: memory-hard enough that a stolen table of hashes
is slow to attack on graphics cards, cheap enough for an interactive login (about 0.4 s
measured on a busy two-core machine; less on a server).
Each hash carries its own salt and parameters (``$argon2id$v=19$m=65536,t=3,p=4$...``), so
``needs_rehash`` can tell when stored hashes lag behind stronger parameters.

Passwords are NFKC-normalised before hashing and verifying (as NIST SP 800-63B
recommends), so a password typed on another keyboard or system, where the same letters
may come as other code points, still matches.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from backchannel.errors import InvalidInputError, Problem

MIN_LENGTH = 12

_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


def _normalised(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_strength(password: str, field: str = "password") -> None:
    """Refuse a password shorter than ``MIN_LENGTH`` characters, naming the field."""
    if len(_normalised(password)) < MIN_LENGTH:
        raise InvalidInputError(
            "user",
            [Problem(field, f"must be at least {MIN_LENGTH} characters long")],
        )


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (salted, self-describing); refuses short passwords."""
    check_strength(password)
    return _HASHER.hash(_normalised(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; ``False`` (never an error) otherwise.

    The comparison is the library's, in constant time; a malformed or foreign stored hash
    is a mismatch too, so nobody logs in against a damaged row.
    """
    try:
        return _HASHER.verify(password_hash, _normalised(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (or is not Argon2id)."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    """A hash of no one's password, verified against for unknown names.

    A login for a name that does not exist then costs as long as one for a name that does,
    so the time taken does not tell an attacker which names exist.
    """
    return _HASHER.hash("not the password of any user of backchannel")
