"""What reading one event file yields: the accepted events, and notes on single records."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from backchannel.errors import Problem
from backchannel.events.schema import EVENT_SCHEMA

__all__ = ["ReadResult", "RejectedRow", "RowNote", "RowWarning"]


@dataclass(frozen=True)
class RowNote:
    """Something said about one record of a file: where it starts, what, and its event id."""

    file: str
    line: int
    reason: str
    event_id: str | None = None

    def describe(self) -> str:
        """Render as ``file:line: [event id: ]reason``."""
        who = f"{self.event_id}: " if self.event_id else ""
        return f"{self.file}:{self.line}: {who}{self.reason}"

    def as_problem(self) -> Problem:
        """The same note as an ``errors.Problem`` (location = the event id when known)."""
        return Problem(location=self.event_id or "", message=self.reason, line=self.line)


@dataclass(frozen=True)
class RejectedRow(RowNote):
    """A record the reader refused; it is not in ``ReadResult.events``."""


@dataclass(frozen=True)
class RowWarning(RowNote):
    """A record that was accepted as the source wrote it, with a caveat worth knowing."""


@dataclass(frozen=True)
class ReadResult:
    """What one file yielded: accepted events, rejected rows, and how the file was read.

    ``encoding`` is the codec that decoded the file (``utf-8``, ``utf-8-sig`` when it had
    a byte-order mark, ``utf-16``, else the ``cp1252`` / ``latin-1`` fallback); ``sha256``
    is the digest of its bytes. Construction refuses a table that does not conform to
    ``EVENT_SCHEMA`` or counts that do not reconcile.
    """

    events: pa.Table
    rejected: list[RejectedRow]
    rows_read: int
    source_file: str = ""
    format: str = ""
    encoding: str = ""
    sha256: str = ""
    warnings: list[RowWarning] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.events.schema.equals(EVENT_SCHEMA, check_metadata=False):
            raise ValueError("events do not conform to EVENT_SCHEMA")
        if self.rows_read != self.accepted + len(self.rejected):
            raise ValueError(
                f"counts do not reconcile: read {self.rows_read} != accepted "
                f"{self.accepted} + rejected {len(self.rejected)}"
            )

    @property
    def accepted(self) -> int:
        """Number of events accepted (rows of ``events``)."""
        return int(self.events.num_rows)
