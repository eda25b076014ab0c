"""What every command shares: settings, error reporting, output formats and tables."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from backchannel.errors import (
    AmbiguousNameError,
    AuthenticationError,
    BackchannelError,
    ConfigurationError,
    DataUnavailableError,
    EncryptionKeyError,
    IntegrityError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from backchannel.settings import Settings

if TYPE_CHECKING:
    # imported when a store is opened: SQLAlchemy and the store take half a second to
    # import, which commands that never open the store should not pay
    from backchannel.store.service import CaseStore

#: The one mapping from error types to exit codes; the most specific type wins.
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
    BackchannelError: 1,
}

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    """How a command prints data."""

    table = "table"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Print as a table or as JSON.")
]

T = TypeVar("T")


def exit_code_for(error: BackchannelError) -> int:
    """The exit code for an error: that of its nearest listed type."""
    for kind in type(error).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return 1


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


def print_json(document: Any) -> None:
    """Print a JSON document to standard output."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    """Print rows as a rich table on standard output."""
    table = Table(title=title, title_justify="left")
    for position, column in enumerate(columns):
        # the first column is the identifier a user types next: never cut it
        table.add_column(
            column, no_wrap=position == 0, overflow="fold", min_width=min(len(column), 12)
        )
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    out.print(table)


def parse_day(text: str | None, option: str = "--as-of") -> dt.date | None:
    """A YYYY-MM-DD option value as a date (``None`` stays ``None``); usage error otherwise."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} expects YYYY-MM-DD, got {text!r}") from None
