"""Reader of FollowTheMoney entities in JSON lines (OpenSanctions' ``entities.ftm.json``).

Each line is one entity: ``{"id", "schema", "properties": {name: [values]}, ...}``, with
OpenSanctions adding ``caption``, ``datasets``, ``referents`` (ids merged into this one),
``target`` (whether the entity is itself designated) and ``last_change``.

Which lines are list entries: Person, Organization, LegalEntity, Company, PublicBody,
Vessel, Airplane and Vehicle entities that are targets (an entity marked ``"target":
false`` is only related to one, e.g. a relative or an owner). These are the records that
``records_seen`` counts, each read or rejected. Sanction entities are folded onto the
entity they designate (programme, listing date, reference); every other line (Address,
Ownership, Identification...) is counted in ``details`` as ``skipped_<Schema>``, so that
``non-blank lines == records_seen + sanctions + skipped``.

Names: ``name`` is primary, ``alias`` a strong alias, ``previousName`` a strong
formerly-known-as, ``weakAlias`` weak.

The file states no publication date: ``snapshot`` is the latest ``last_change`` of its
entities, which says when the newest entry changed, not when the export was made, so the
list read is undated (``published`` is ``None``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from backchannel.errors import InvalidInputError, Problem
from backchannel.screening.entity import (
    EntityType,
    ListedEntity,
    ListedName,
    NameQuality,
    ReadResult,
    Rejection,
    calendar_day,
)
from backchannel.screening.names import distinct_names, script_of

__all__ = ["LISTED_SCHEMAS", "read_ftm"]

LISTED_SCHEMAS: dict[str, EntityType] = {
    "Person": EntityType.PERSON,
    "Organization": EntityType.ORGANISATION,
    "LegalEntity": EntityType.ORGANISATION,
    "Company": EntityType.ORGANISATION,
    "PublicBody": EntityType.ORGANISATION,
    "Vessel": EntityType.VESSEL,
    "Airplane": EntityType.AIRCRAFT,
    "Vehicle": EntityType.UNKNOWN,
}
"""FtM schemas whose (target) entities are list entries, and the entry type of each."""

_SANCTION = "Sanction"
_NAMES = (
    ("name", NameQuality.PRIMARY, "name"),
    ("alias", NameQuality.STRONG, "aka"),
    ("previousName", NameQuality.STRONG, "fka"),
    ("weakAlias", NameQuality.WEAK, "aka"),
)
# for a Person written with name parts but no full name
_NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
_COUNTRY_PROPERTIES = ("country", "nationality", "citizenship", "jurisdiction")
_PROGRAMME_PROPERTIES = ("program", "programId")
_REFERENCE_PROPERTIES = ("unscId", "authorityId")
# FtM dates are ISO prefixes: "2010", "2010-04", "2010-04-12", "2010-04-12T08:00:00"
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?")
_SHOWN = 20


def read_ftm(path: str | Path, list_id: str | None = None) -> ReadResult:
    """Read a FollowTheMoney JSON-lines file into ``ListedEntity`` values.

    ``list_id`` names the list (e.g. the OpenSanctions dataset ``un_sc_sanctions``);
    when ``None`` it is the one dataset every entry names, else ``ftm:<file name>``.
    A line that is not UTF-8, not a JSON object, or an entry without id or name is
    rejected with its line. Raises ``InvalidInputError`` naming the file when it cannot be
    read or no entry can be read at all.
    """
    source = str(path)
    reading = _Reading(source)
    for number, line in _lines(Path(path), source):
        reading.take(number, line)
    return reading.result(list_id)


# --------------------------------------------------------------------------- lines


def _lines(path: Path, source: str) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines with their 1-based numbers, as bytes (each is decoded alone,
    so one damaged line costs that line only)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        problem = Problem("", f"cannot read the file: {error.strerror or error}")
        raise InvalidInputError(source, [problem]) from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            yield number, line


@dataclass
class _Draft:
    """An entry while its sanctions are folded in."""

    entity_id: str
    type: EntityType
    line: int
    names: list[ListedName]
    programmes: list[str]
    listing_dates: list[dt.date]
    start_dates: list[dt.date]
    created_dates: list[dt.date]
    amended: list[dt.date]
    references: list[str]
    remarks: str | None
    countries: list[str]
    datasets: tuple[str, ...]
    referents: tuple[str, ...] = field(default=())


class _Rejected(Exception):
    """Raised while reading one line; becomes a ``Rejection``."""


class _Reading:
    """Entries, rejections and counts gathered while reading one file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.drafts: dict[str, _Draft] = {}
        self.rejected: list[Rejection] = []
        self.rejected_ids: set[str] = set()
        self.warnings: list[Rejection] = []
        self.details: Counter[str] = Counter()
        self.sanctions: list[tuple[int, dict[str, object]]] = []
        self.seen = 0
        self.last_change: str | None = None

    def take(self, number: int, raw: bytes) -> None:
        location = f"line {number}"
        try:
            entity = _json_object(raw)
        except _Rejected as rejection:
            self.seen += 1
            self.rejected.append(Rejection(location, str(rejection), number))
            return
        schema = entity.get("schema")
        if schema == _SANCTION:
            self.details["sanctions"] += 1
            self.sanctions.append((number, entity))
            return
        if not isinstance(schema, str) or schema not in LISTED_SCHEMAS:
            if isinstance(schema, str) and schema:
                self.details[f"skipped_{schema}"] += 1
                return
            self.seen += 1
            self.rejected.append(Rejection(location, "no schema", number))
            return
        if entity.get("target") is False:
            self.details["skipped_not_target"] += 1
            return
        self.seen += 1
        self._note_change(entity)
        try:
            draft = self._draft(entity, schema, number)
        except _Rejected as rejection:
            entity_id = entity.get("id")
            if isinstance(entity_id, str):
                self.rejected_ids.add(entity_id)
            self.rejected.append(Rejection(location, str(rejection), number))
            return
        self.drafts[draft.entity_id] = draft

    def _note_change(self, entity: dict[str, object]) -> None:
        change = entity.get("last_change")
        if isinstance(change, str) and (self.last_change is None or change > self.last_change):
            self.last_change = change

    def _draft(self, entity: dict[str, object], schema: str, number: int) -> _Draft:
        entity_id = entity.get("id")
        if not isinstance(entity_id, str) or not entity_id.strip():
            raise _Rejected(f"{schema} without an id")
        if entity_id in self.drafts:
            first = self.drafts[entity_id].line
            raise _Rejected(f"duplicate id {entity_id} (first on line {first})")
        properties = _properties(entity)
        names = self._names(entity, properties, schema)
        if not names:
            raise _Rejected(f"{entity_id}: no name")
        return _Draft(
            entity_id=entity_id,
            type=LISTED_SCHEMAS[schema],
            line=number,
            names=names,
            programmes=_values(properties, *_PROGRAMME_PROPERTIES),
            listing_dates=self._dates(properties, "listingDate"),
            start_dates=[],
            created_dates=self._dates(properties, "createdAt"),
            amended=self._dates(properties, "modifiedAt"),
            references=_values(properties, "unscId"),
            remarks="\n".join(_values(properties, "notes", "summary")) or None,
            countries=_values(properties, *_COUNTRY_PROPERTIES),
            datasets=_strings(entity.get("datasets"), "datasets"),
            referents=_strings(entity.get("referents"), "referents"),
        )

    def _names(
        self, entity: dict[str, object], properties: dict[str, list[str]], schema: str
    ) -> list[ListedName]:
        names: list[ListedName] = []
        for prop, quality, kind in _NAMES:
            for text in _values(properties, prop):
                if quality is not NameQuality.PRIMARY:
                    self.details["weak_aliases" if quality is NameQuality.WEAK else "aliases"] += 1
                names.append(ListedName(text, quality, script_of(text), kind))
        if not any(n.quality is NameQuality.PRIMARY for n in names):
            # OpenSanctions' caption, else a person's name parts, stand for a missing name
            caption = entity.get("caption")
            parts = " ".join(_values(properties, *_NAME_PARTS)) if schema == "Person" else ""
            fallback = " ".join(caption.split()) if isinstance(caption, str) else ""
            if fallback or parts:
                self.details["names_from_caption_or_parts"] += 1
                text = fallback or parts
                names.insert(0, ListedName(text, NameQuality.PRIMARY, script_of(text)))
        return list(distinct_names(names, self.details))

    def _dates(self, properties: dict[str, list[str]], prop: str) -> list[dt.date]:
        dates = []
        for text in _values(properties, prop):
            date = _full_date(text)
            if date is None:
                # "2010" or "2010-04" is a true statement of the list, but not a day
                self.details["dates_not_to_the_day"] += 1
            else:
                dates.append(date)
        return dates

    # ----------------------------------------------------------------------- sanctions

    def _fold_sanctions(self) -> None:
        """Put each Sanction's programme, dates and reference on the entity it names."""
        canonical = {ref: d.entity_id for d in self.drafts.values() for ref in d.referents}
        for number, sanction in self.sanctions:
            location = f"line {number}"
            try:
                properties = _properties(sanction)
            except _Rejected as rejection:
                self.details["sanctions_unreadable"] += 1
                self.warnings.append(Rejection(location, f"Sanction: {rejection}", number))
                continue
            # ids are opaque: compared exactly, not tidied like names
            targets = [t for t in properties.get("entity", ()) if t]
            found = [
                self.drafts[key]
                for key in (canonical.get(t, t) for t in targets)
                if key in self.drafts
            ]
            if not found:
                if any(t in self.rejected_ids for t in targets):
                    self.details["sanctions_of_rejected_entries"] += 1
                    reason = "Sanction of a rejected entry"
                else:
                    self.details["sanction_orphans"] += 1
                    reason = f"orphan: Sanction names no entry of the file ({', '.join(targets)})"
                self.warnings.append(Rejection(location, reason, number))
                continue
            self.details["sanctions_folded"] += 1
            for draft in found:
                draft.programmes += _values(properties, *_PROGRAMME_PROPERTIES)
                draft.listing_dates += self._dates(properties, "listingDate")
                draft.start_dates += self._dates(properties, "startDate")
                draft.amended += self._dates(properties, "modifiedAt")
                draft.references += _values(properties, *_REFERENCE_PROPERTIES)

    # ----------------------------------------------------------------------- result

    def result(self, list_id: str | None) -> ReadResult:
        self._fold_sanctions()
        if not self.drafts:
            problems = [Problem("", "no entry could be read: the list would screen nobody")]
            problems += [Problem(r.location, r.reason, r.line) for r in self.rejected[:_SHOWN]]
            raise InvalidInputError(self.source, problems)
        name = list_id or self._common_dataset() or f"ftm:{Path(self.source).name}"
        entities = tuple(_entity(d, name, self.source) for d in self.drafts.values())
        return ReadResult(
            list_id=name,
            source=self.source,
            entities=entities,
            rejected=tuple(self.rejected),
            records_seen=self.seen,
            snapshot=self.last_change,
            details=dict(self.details),
            warnings=tuple(self.warnings),
        )

    def _common_dataset(self) -> str | None:
        datasets = {d.datasets for d in self.drafts.values()}
        if len(datasets) == 1:
            [only] = datasets
            if len(only) == 1:
                return only[0]
        return None


def _entity(draft: _Draft, list_id: str, source: str) -> ListedEntity:
    # the listing date is the earliest the list states: a listing date, else the start of a
    # sanction, else when the source created the record
    listed = draft.listing_dates or draft.start_dates or draft.created_dates
    return ListedEntity(
        list_id=list_id,
        entity_id=draft.entity_id,
        type=draft.type,
        names=tuple(draft.names),
        programmes=tuple(dict.fromkeys(draft.programmes)),
        reference=draft.references[0] if draft.references else None,
        listed_on=min(listed) if listed else None,
        amended_on=tuple(sorted(set(draft.amended))),
        remarks=draft.remarks,
        countries=tuple(dict.fromkeys(draft.countries)),
        source=source,
        line=draft.line,
    )


# --------------------------------------------------------------------------- values


def _json_object(raw: bytes) -> dict[str, object]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Rejected(f"not UTF-8 ({error.reason} at byte {error.start})") from None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise _Rejected(f"not JSON: {error}") from None
    if not isinstance(value, dict):
        raise _Rejected(f"expected a JSON object, found {type(value).__name__}")
    return value


def _properties(entity: dict[str, object]) -> dict[str, list[str]]:
    """The entity's properties, each a list of strings, or why they are not."""
    properties = entity.get("properties", {})
    if not isinstance(properties, dict):
        raise _Rejected("properties is not an object")
    checked: dict[str, list[str]] = {}
    for key, values in properties.items():
        checked[key] = list(_strings(values, f"properties.{key}"))
    return checked


def _strings(values: object, where: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _Rejected(f"{where} is not a list of strings")
    return tuple(values)


def _values(properties: dict[str, list[str]], *props: str) -> list[str]:
    """The non-empty values of these properties, whitespace collapsed, in order."""
    found = (" ".join(v.split()) for prop in props for v in properties.get(prop, ()))
    return [v for v in found if v]


def _full_date(text: str) -> dt.date | None:
    return calendar_day(_FULL_DATE, text)
