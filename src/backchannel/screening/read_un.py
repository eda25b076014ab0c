"""Reader of the UN Security Council Consolidated Sanctions List (the official XML).

The file is ``CONSOLIDATED_LIST`` (attribute ``dateGenerated``, the list's publication
date) holding ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY`` records. Every record becomes a
``ListedEntity`` or a ``Rejection``. The XML is parsed with ``defusedxml`` and any
document type declaration is refused outright: the UN file has none, and a DTD is what
entity-expansion ("billion laughs") and external-entity attacks need.

Alias qualities differ by record kind in the published file: individuals' aliases are
"Good" or "Low", entities' aliases "a.k.a." or "f.k.a."; an alias element with no name
(the UN writes one for every record without aliases) is skipped and counted.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

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
from backchannel.screening.freshness import publication_date
from backchannel.screening.names import distinct_names, script_of

__all__ = ["UN_LIST_ID", "read_un"]

UN_LIST_ID = "un-sc"
_ROOT = "CONSOLIDATED_LIST"
_RECORDS = {"INDIVIDUAL": EntityType.PERSON, "ENTITY": EntityType.ORGANISATION}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# quality text (lower case) -> (quality, kind); "Low quality" is how the UN's own
# search pages spell "Low", so both are taken
_ALIAS_QUALITY = {
    "good": (NameQuality.STRONG, "aka"),
    "a.k.a.": (NameQuality.STRONG, "aka"),
    "f.k.a.": (NameQuality.STRONG, "fka"),
    "low": (NameQuality.WEAK, "aka"),
    "low quality": (NameQuality.WEAK, "aka"),
}
# xsd:date, which allows a time zone ("2015-04-07-04:00" occurs in the real file), or a
# date-time
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+)?(?:Z|[+-]\d{2}:\d{2})?")
_CHUNK = 1 << 20
_SHOWN = 20


def read_un(path: str | Path) -> ReadResult:
    """Read the UN consolidated list XML into ``ListedEntity`` values (list ``un-sc``).

    Raises ``InvalidInputError`` naming the file when it cannot be read, is not
    well-formed XML, declares a DTD or entities, is not a ``CONSOLIDATED_LIST``, or yields
    no entry at all (a list that screens nobody must not pass for an empty one).
    """
    source = str(path)
    root, lines = _parse(Path(path), source)
    if root.tag != _ROOT:
        raise InvalidInputError(
            source, [Problem(root.tag, f"expected a {_ROOT} document, found <{root.tag}>", 1)]
        )
    reading = _Reading(source)
    for element, index in _records(root):
        reading.take(element, index, lines.get(id(element)))
    return reading.result(root.get("dateGenerated"))


# --------------------------------------------------------------------------- parsing


class _LineRecorder:
    """Tree-builder target that notes the line each record element starts on.

    ElementTree keeps no positions, and a rejection is only useful with its line.
    """

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = self.builder.start(tag, attrs)
        if tag in _RECORDS and self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element

    def end(self, tag: str) -> ET.Element:
        return self.builder.end(tag)

    def data(self, text: str) -> None:
        self.builder.data(text)

    def close(self) -> ET.Element:
        return self.builder.close()


def _parse(path: Path, source: str) -> tuple[ET.Element, dict[int, int]]:
    """The document's root and the start line of each record element (by ``id``)."""
    recorder = _LineRecorder()
    parser = DefusedXMLParser(
        target=recorder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    recorder.parser = parser
    try:
        with path.open("rb") as raw:
            while chunk := raw.read(_CHUNK):
                parser.feed(chunk)
        root: ET.Element = parser.close()
    except OSError as error:
        problem = Problem("", f"cannot read the file: {error.strerror or error}")
        raise InvalidInputError(source, [problem]) from None
    except DefusedXmlException as error:
        line = parser.parser.CurrentLineNumber
        message = (
            f"refused: the file declares a document type or entities ({type(error).__name__}); "
            "the UN list has none, and they are the vehicle of entity-expansion and "
            "external-entity attacks"
        )
        raise InvalidInputError(source, [Problem("", message, line)]) from None
    except ET.ParseError as error:
        line = error.position[0] if error.position else None
        problem = Problem("", f"not well-formed XML: {error.msg}", line)
        raise InvalidInputError(source, [problem]) from None
    except LookupError as error:  # the XML declaration names an encoding Python lacks
        problem = Problem("", f"the XML declaration names an unknown encoding: {error}", 1)
        raise InvalidInputError(source, [problem]) from None
    return root, recorder.lines


def _records(root: ET.Element) -> Iterator[tuple[ET.Element, int]]:
    """Every INDIVIDUAL and ENTITY element in document order, with its 1-based index
    among records of its kind; anywhere in the tree, so a misplaced one is not missed."""
    seen: Counter[str] = Counter()
    for element in root.iter():
        if element.tag in _RECORDS:
            seen[element.tag] += 1
            yield element, seen[element.tag]


# --------------------------------------------------------------------------- records


class _Reading:
    """The entries, rejections, warnings and counts gathered while reading one file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.entities: list[ListedEntity] = []
        self.rejected: list[Rejection] = []
        self.warnings: list[Rejection] = []
        self.details: Counter[str] = Counter()
        self.first_line: dict[str, int | None] = {}

    def take(self, element: ET.Element, index: int, line: int | None) -> None:
        kind = element.tag
        location = f"{kind}[{index}]"
        self.details["individuals" if kind == "INDIVIDUAL" else "entities"] += 1
        data_id = _text(element, "DATAID")
        if not data_id:
            self.rejected.append(Rejection(location, "no DATAID", line))
            return
        if data_id in self.first_line:
            reason = f"duplicate DATAID {data_id} (first on line {self.first_line[data_id]})"
            self.rejected.append(Rejection(location, reason, line))
            return
        names = self._names(element)
        if not names:
            self.rejected.append(Rejection(location, f"DATAID {data_id}: no name", line))
            return
        self.first_line[data_id] = line
        if names[0].quality is not NameQuality.PRIMARY:
            self.details["no_primary_name"] += 1
        programme = _text(element, "UN_LIST_TYPE")
        self.entities.append(
            ListedEntity(
                list_id=UN_LIST_ID,
                entity_id=data_id,
                type=_RECORDS[kind],
                names=names,
                programmes=(programme,) if programme else (),
                reference=_text(element, "REFERENCE_NUMBER") or None,
                listed_on=self._date(element.find("LISTED_ON"), location, line),
                amended_on=self._amended(element, location, line),
                remarks=_text(element, "COMMENTS1", collapse=False) or None,
                countries=_countries(element),
                source=self.source,
                line=line,
            )
        )

    def _names(self, element: ET.Element) -> tuple[ListedName, ...]:
        names: list[ListedName] = []
        primary = " ".join(p for p in (_text(element, part) for part in _NAME_PARTS) if p)
        if primary:
            names.append(ListedName(primary, NameQuality.PRIMARY, script_of(primary)))
        original = _text(element, "NAME_ORIGINAL_SCRIPT")
        if original:
            # the designated name itself, in the script it is written in
            self.details["original_script_names"] += 1
            names.append(
                ListedName(original, NameQuality.PRIMARY, script_of(original), "original_script")
            )
        for alias in element.findall(f"{element.tag}_ALIAS"):
            text = _text(alias, "ALIAS_NAME")
            if not text:
                self.details["empty_aliases"] += 1
                continue
            quality_text = _text(alias, "QUALITY")
            known = _ALIAS_QUALITY.get(quality_text.lower())
            if known is None:
                # an alias of unstated quality still names the entry: keep it strong, so
                # the matcher does not down-weight it, and count it
                self.details["aliases_of_unknown_quality"] += 1
                known = (NameQuality.STRONG, "aka")
            quality, alias_kind = known
            self.details["weak_aliases" if quality is NameQuality.WEAK else "aliases"] += 1
            names.append(ListedName(text, quality, script_of(text), alias_kind))
        return distinct_names(names, self.details)

    def _date(self, element: ET.Element | None, location: str, line: int | None) -> dt.date | None:
        text = " ".join((element.text or "").split()) if element is not None else ""
        if not text:
            return None
        parsed = _iso_date(text)
        if parsed is None:
            self.details["unreadable_dates"] += 1
            tag = element.tag if element is not None else ""
            self.warnings.append(Rejection(location, f"{tag} {text!r} is not a date", line))
        return parsed

    def _amended(self, element: ET.Element, location: str, line: int | None) -> tuple[dt.date, ...]:
        dates = {
            date
            for updated in element.findall("LAST_DAY_UPDATED")
            for value in updated.findall("VALUE")
            if (date := self._date(value, location, line)) is not None
        }
        return tuple(sorted(dates))

    def result(self, snapshot: str | None) -> ReadResult:
        seen = self.details["individuals"] + self.details["entities"]
        published = publication_date(snapshot)
        if snapshot is not None and published is None:
            # the list stays usable, but undated: it must not pass for a dated copy
            self.warnings.append(
                Rejection(
                    _ROOT, f"dateGenerated {snapshot!r} is not a date: the list is undated", 1
                )
            )
        if not self.entities:
            problems = [Problem("", "no entry could be read: the list would screen nobody")]
            problems += [Problem(r.location, r.reason, r.line) for r in self.rejected[:_SHOWN]]
            raise InvalidInputError(self.source, problems)
        return ReadResult(
            list_id=UN_LIST_ID,
            source=self.source,
            entities=tuple(self.entities),
            rejected=tuple(self.rejected),
            records_seen=seen,
            snapshot=snapshot,
            details=dict(self.details),
            warnings=tuple(self.warnings),
            published=published,
        )


# --------------------------------------------------------------------------- values


def _text(element: ET.Element, child: str, *, collapse: bool = True) -> str:
    """A child's text with its whitespace tidied ("" when absent); names are collapsed to
    single spaces because the file wraps some of them across lines."""
    text = element.findtext(child) or ""
    return " ".join(text.split()) if collapse else text.strip()


def _iso_date(text: str) -> dt.date | None:
    return calendar_day(_DATE, text)


def _countries(element: ET.Element) -> tuple[str, ...]:
    """Nationalities and address countries, as the UN spells them, without repeats."""
    found = [value.text or "" for nationality in element.findall("NATIONALITY")
             for value in nationality.findall("VALUE")]  # fmt: skip
    found += [
        address.findtext("COUNTRY") or "" for address in element.findall(f"{element.tag}_ADDRESS")
    ]
    return tuple(dict.fromkeys(c for c in (" ".join(f.split()) for f in found) if c))
