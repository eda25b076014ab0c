"""What every command shares: settings, error reporting, and (from ``output``) formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.markup import escape

from backchannel.cli.output import (
    FormatOption,
    OutputFormat,
    WideOption,
    err,
    out,
    print_data,
    print_json,
    print_line,
    print_listing,
    print_table,
)
from backchannel.errors import (
    AmbiguousNameError,
    AuthenticationError,
    BackchannelError,
    ConfigurationError,
    ConflictError,
    DataUnavailableError,
    EncryptionKeyError,
    IntegrityError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RedactionLeakError,
)
from backchannel.settings import Settings

if TYPE_CHECKING:
    # imported when a store is opened: SQLAlchemy and the store take half a second to
    # import, which commands that never open the store should not pay
    from backchannel.store.service import CaseStore

#: Every exit code a command may end with, and what it means: the table the README and
#: ``backchannel --help``'s module docstring print.
EXIT_CODE_MEANINGS: dict[int, str] = {
    0: "success",
    1: "unexpected error inside backchannel",
    2: "wrong usage (unknown option, missing argument)",
    3: "invalid input: a case file, data file or value broke its contract",
    4: "not found: no such case, data set or file",
    5: "integrity failure: the audit chain or a sealed value does not verify",
    6: "data unavailable: a download or mirror install failed",
    7: "configuration or key problem",
    8: "authentication failed: wrong user name or password, or locked out",
    9: "permission denied: the user's role does not allow the action",
    10: "ambiguous name: several actors match; the candidates are listed, give one exactly",
    11: "`watch`: the pass ran but a data pull or a case failed",
    12: "conflict: a case with that id or a user with that name exists already",
    13: "redaction refused: a sensitive name remained in a redacted output; nothing was written",
}

#: The one mapping from error types to exit codes; the most specific type wins. Every
#: class of ``backchannel.errors`` is listed; one defined elsewhere derives from one of them.
EXIT_CODES: dict[type[BackchannelError], int] = {
    InvalidInputError: 3,
    NotFoundError: 4,
    IntegrityError: 5,
    DataUnavailableError: 6,
    ConfigurationError: 7,
    EncryptionKeyError: 7,
    AuthenticationError: 8,
    PermissionDeniedError: 9,
    AmbiguousNameError: 10,
    ConflictError: 12,
    RedactionLeakError: 13,
    BackchannelError: 1,
}

__all__ = [
    "EXIT_CODES",
    "EXIT_CODE_MEANINGS",
    "FormatOption",
    "OutputFormat",
    "WideOption",
    "err",
    "exit_code_for",
    "exit_code_of",
    "listed_base",
    "load_settings",
    "note_on_stderr",
    "out",
    "parse_day",
    "print_data",
    "print_json",
    "print_line",
    "print_listing",
    "print_table",
    "reported_errors",
    "with_store",
]

T = TypeVar("T")


def exit_code_for(error: BackchannelError) -> int:
    """The exit code for an error: that of its nearest listed type."""
    return exit_code_of(type(error))


def exit_code_of(kind: type[BackchannelError]) -> int:
    """The exit code for errors of ``kind``: that of its nearest listed type."""
    return EXIT_CODES[listed_base(kind)]


def listed_base(kind: type[BackchannelError]) -> type[BackchannelError]:
    """The nearest type of ``kind``'s ancestry (itself first) that ``EXIT_CODES`` lists."""
    return next(base for base in kind.__mro__ if base in EXIT_CODES)


def note_on_stderr(line: str) -> None:
    """Say ``line`` on standard error as a note (plain text, no markup)."""
    err.print(f"note: {line}", highlight=False, markup=False)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print a BackchannelError as one line and exit with its code."""
    try:
        yield
    except BackchannelError as error:
        # messages quote names from input files: brackets in them are text, not markup
        err.print(f"[bold red]error:[/] {escape(error.message)}", markup=True, highlight=False)
        raise typer.Exit(exit_code_for(error)) from None


def load_settings() -> Settings:
    """The settings from the environment, or exit 7 naming the bad setting."""
    with reported_errors():
        try:
            return Settings()
        except ValueError as exc:
            raise ConfigurationError(f"invalid BACKCHANNEL_* setting: {exc}") from None


def with_store(settings: Settings, work: Callable[[CaseStore], T]) -> T:
    """Run ``work`` on an open store and close it afterwards."""
    from backchannel.store.service import CaseStore

    store = CaseStore.open(settings)
    try:
        return work(store)
    finally:
        store.close()


def parse_day(text: str | None, option: str = "--as-of") -> dt.date | None:
    """A YYYY-MM-DD option value as a date (``None`` stays ``None``); usage error otherwise."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} expects YYYY-MM-DD, got {text!r}") from None
