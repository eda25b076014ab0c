"""One exception hierarchy for the whole product.

Exceptions carry data only. How they become HTTP statuses or CLI exit codes is decided
in one place per surface (``cli.EXIT_CODES``), never where they are raised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected there.

    ``location`` is a path inside the document (``actors[2].kind``); ``line`` is the
    1-based line in the source file when known.
    """

    location: str
    message: str
    line: int | None = None

    def describe(self, source: str | None = None) -> str:
        """Render the problem as ``file:line: at path: message``."""
        place = source or "<input>"
        if self.line is not None:
            place = f"{place}:{self.line}"
        if self.location:
            return f"{place}: at {self.location}: {self.message}"
        return f"{place}: {self.message}"


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
    """The change clashes with what is stored (a case with that id exists already)."""


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
