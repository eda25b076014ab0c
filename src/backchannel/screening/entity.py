"""One internal model of a designation-list entry, whatever list it comes from.

Readers of the UN consolidated list, OFAC's SDN files and FollowTheMoney JSON lines all
produce ``ListedEntity`` values; the matcher, the jurisdiction rules and the brief read
only these. Every reader also accounts for each record it saw (``ReadResult``): read, or
rejected with a reason, so that the counts reconcile with the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum


class EntityType(StrEnum):
    """What a listed entry designates."""

    PERSON = "person"
    ORGANISATION = "organisation"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


class NameQuality(StrEnum):
    """How much a name can be trusted to identify the entry.

    ``primary`` is the name the list designates; ``strong`` an alias the list gives as good
    quality (UN "Good", OFAC "aka"); ``weak`` an alias the list itself calls low quality (UN
    "Low", OFAC "weak aka"), which the matcher down-weights.
    """

    PRIMARY = "primary"
    STRONG = "strong"
    WEAK = "weak"


def calendar_day(pattern: re.Pattern[str], text: str) -> dt.date | None:
    """The day ``text`` names when it matches ``pattern`` in full, its first three groups
    being year, month and day; ``None`` when it does not match or the day does not exist."""
    match = pattern.fullmatch(text)
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()[:3]))
    except ValueError:
        return None


@dataclass(frozen=True)
class ListedName:
    """One name of an entry: its text, quality, and script when not Latin."""

    text: str
    quality: NameQuality
    script: str | None = None  # e.g. "Arabic" for an original-script name
    kind: str = "name"  # "name", "aka", "fka" (formerly known as), "original_script"


@dataclass(frozen=True)
class ListedEntity:
    """One designated person, organisation, vessel or aircraft on one list."""

    list_id: str  # "un-sc", "ofac-sdn", or the FollowTheMoney dataset name
    entity_id: str  # the list's own id: UN DATAID, OFAC ent_num, FtM id
    type: EntityType
    names: tuple[ListedName, ...]
    programmes: tuple[str, ...] = ()  # UN regime ("Al-Qaida"), OFAC programme ("SDGT", "FTO")
    reference: str | None = None  # the list's reference ("QDe.142"), when it has one
    listed_on: dt.date | None = None
    amended_on: tuple[dt.date, ...] = ()
    remarks: str | None = None
    countries: tuple[str, ...] = ()
    source: str = ""  # file the entry was read from
    line: int | None = None  # where it starts in that file

    @property
    def primary_name(self) -> str:
        """The name the list designates (the first primary name)."""
        for name in self.names:
            if name.quality is NameQuality.PRIMARY:
                return name.text
        return self.names[0].text if self.names else self.entity_id


@dataclass(frozen=True)
class Rejection:
    """A record the reader could not take, where it is and why."""

    location: str  # e.g. "INDIVIDUAL[12]" or "row 5031"
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class ReadResult:
    """What a reader produced from one list: entries, rejections, and what it saw.

    ``records_seen`` counts the records in the file (XML record elements, CSV rows of the
    main file, JSON lines of listable entities); it equals ``len(entities) + len(rejected)``.
    ``warnings`` are things that did not stop a record being read but must not pass
    unseen: rows of secondary files that could not be attached (an OFAC alias whose
    ``ent_num`` has no entry), dates that could not be read, FtM sanctions without their
    entity. They sit outside the reconciliation because they are not records of the list.
    ``published`` is the publication date the file itself states (the UN's
    ``dateGenerated``); ``None`` when it states none, as OFAC's delimited files do.
    """

    list_id: str
    source: str
    entities: tuple[ListedEntity, ...]
    rejected: tuple[Rejection, ...]
    records_seen: int
    snapshot: str | None = None  # the list's own date or version, e.g. UN dateGenerated
    details: dict[str, int] = field(default_factory=dict)  # e.g. aliases attached, orphans
    warnings: tuple[Rejection, ...] = ()
    published: dt.date | None = None

    def reconciles(self) -> bool:
        """Whether every record seen was either read or rejected."""
        return self.records_seen == len(self.entities) + len(self.rejected)
