"""One exception hierarchy for the whole product.

Exceptions carry data only. How they become HTTP statuses or CLI exit codes is decided
in one table per surface (``cli.common.EXIT_CODES``, ``web.errors.BACKCHANNEL_ERRORS``),
never where they are raised. Each table lists the classes defined here; an error class
defined elsewhere derives from one of them and is answered as its nearest listed base.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

#: One part of a location: a field name, or a position in a list.
PathPart = str | int

# a name between dots, or a list position in brackets: ``body.counterparts[0]``
_LOCATION_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected there.

    ``location`` is a path inside the document (``actors[2].kind``); ``line`` is the
    1-based line in the source file when known. ``path`` is the same location as parts
    (``("actors", 2, "kind")``) when the code that found the problem knew them; ``parts``
    gives them in every case.
    """

    location: str
    message: str
    line: int | None = None
    # derived from the same place as ``location``: equal problems are equal without it
    path: tuple[PathPart, ...] | None = field(default=None, compare=False)

    @classmethod
    def at(cls, path: Sequence[PathPart], message: str, line: int | None = None) -> Problem:
        """A problem located by its path parts; ``location`` is their written form."""
        return cls(render_location(path), message, line, tuple(path))

    @property
    def parts(self) -> tuple[PathPart, ...]:
        """The location as parts: names and list positions (``()`` for the whole input)."""
        if self.path is not None:
            return self.path
        return tuple(
            int(index) if index else name for name, index in _LOCATION_PART.findall(self.location)
        )

    def moved(self, prefix: Sequence[PathPart], into: Sequence[PathPart]) -> Problem:
        """This problem with a location under ``prefix`` re-rooted under ``into``
        (``cases[3].title`` moved from ``cases[3]`` into ``body`` is ``body.title``); a
        problem elsewhere keeps its place."""
        parts = self.parts
        if parts[: len(prefix)] != tuple(prefix):
            return self
        return Problem.at((*into, *parts[len(prefix) :]), self.message, self.line)

    def describe(self, source: str | None = None) -> str:
        """Render the problem as ``file:line: at path: message``."""
        place = source or "<input>"
        if self.line is not None:
            place = f"{place}:{self.line}"
        if self.location:
            return f"{place}: at {self.location}: {self.message}"
        return f"{place}: {self.message}"


def render_location(path: Sequence[PathPart]) -> str:
    """Path parts written as a location: ``("actors", 2, "kind")`` is ``actors[2].kind``."""
    written = ""
    for part in path:
        if isinstance(part, int):
            written += f"[{part}]"
        else:
            written += f".{part}" if written else part
    return written


class BackchannelError(Exception):
    """Root of every error the product raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(BackchannelError):
    """A setting is missing, malformed or unsafe."""


class InvalidInputError(BackchannelError):
    """An input document or file broke its contract; ``problems`` says where and how."""

    def __init__(self, source: str | None, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [p.describe(source) for p in self.problems]
        summary = f"{len(lines)} problem(s) in {source or 'input'}"
        super().__init__(summary + ":\n  " + "\n  ".join(lines))


class NotFoundError(BackchannelError):
    """A case, record or data set that was asked for does not exist."""


class ConflictError(BackchannelError):
    """The change clashes with what is stored: a case with that id, or a user with that
    name, exists already."""


class IntegrityError(BackchannelError):
    """Stored data failed an integrity check (audit chain, ciphertext authentication)."""


class EncryptionKeyError(BackchannelError):
    """The encryption key is missing, malformed or does not open the stored data."""


class DataUnavailableError(BackchannelError):
    """An external data set could not be fetched, verified or read."""


class AuthenticationError(BackchannelError):
    """A login failed. The message never says which of name or password was wrong."""


class LockedOutError(AuthenticationError):
    """Too many failed logins for a name or from an address; ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermissionDeniedError(BackchannelError):
    """The acting user's role does not allow the action asked for."""


@dataclass(frozen=True)
class NameCandidate:
    """One of the things a name could mean: how to ask for it exactly, and what it is
    (``details``: where it is named and how often, e.g. ``ACLED actor1: 412 events``)."""

    name: str
    details: tuple[str, ...] = ()


class AmbiguousNameError(BackchannelError):
    """A name matched several things and none was picked: ``candidates`` lists them so the
    user can ask again for one of them by its exact name."""

    def __init__(self, query: str, candidates: list[NameCandidate], what: str = "actors") -> None:
        self.query = query
        self.candidates = list(candidates)
        lines = [
            f"{c.name!r}" + (f" ({'; '.join(c.details)})" if c.details else "")
            for c in self.candidates
        ]
        super().__init__(
            f"{query!r} matches {len(lines)} {what}; ask again with one of these exactly:\n  "
            + "\n  ".join(lines)
        )


@dataclass(frozen=True)
class Leak:
    """A sensitive form found in a redacted output: as written there, what it identifies
    (a masked actor's label, a record's label) and where in the output it stood."""

    found: str
    whose: str
    where: str


class RedactionLeakError(BackchannelError):
    """A redacted output still held a sensitive form, so it was not written.

    ``message`` names each form found, for the analyst who holds the case anyway;
    ``withheld_message`` says only what each form identifies and where, for a surface whose
    reader may not see the names (a viewer of the web workspace).
    """

    def __init__(self, document: str, leaks: list[Leak]) -> None:
        self.document = document
        self.leaks = list(leaks)
        found = "; ".join(f"{leak.found!r} ({leak.whose}) in {leak.where}" for leak in self.leaks)
        super().__init__(
            f"refused to write {document}: {len(self.leaks)} sensitive form(s) remain "
            f"after redaction: {found}. Nothing was written."
        )
        whose = "; ".join(dict.fromkeys(f"{leak.whose} in {leak.where}" for leak in self.leaks))
        self.withheld_message = (
            f"The redacted {document} was not produced: a check found {len(self.leaks)} "
            f"sensitive form(s) still in it ({whose}). Nothing was sent. Ask the case lead "
            "to check the names and aliases recorded for these actors."
        )
