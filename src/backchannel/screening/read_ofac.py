"""Reader of OFAC's Specially Designated Nationals list in its header-less CSV files.

``sdn.csv`` holds one entry a row (ent_num, SDN_Name, SDN_Type, Program, Title,
Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks); ``alt.csv`` its
aliases (ent_num, alt_num, alt_type, alt_name, alt_remarks) and ``add.csv`` its addresses
(ent_num, add_num, Address, City/State/Province/Postal Code, Country, add_remarks). OFAC
writes an empty value as ``-0-`` (with a trailing space in practice), joins programmes as
``SDGT] [FTO`` inside one field, and may end each file with a DOS end-of-file byte (Ctrl-Z).

Aliases: ``aka`` / ``fka`` / ``nka`` rows of alt.csv are strong (the list names them as
identifying). OFAC's delimited files carry weak aliases not in alt.csv but in the entry's
Remarks, quoted: ``a.k.a. 'MYM'``; they are read from there as weak names. The files give
no listing date, so ``listed_on`` is ``None``, and no publication date, so the list read is
undated (``published`` is ``None``): the day it was downloaded is not the day OFAC published
it.
"""

from __future__ import annotations

import codecs
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from backchannel.csv_records import csv_records
from backchannel.errors import InvalidInputError, Problem
from backchannel.screening.entity import (
    EntityType,
    ListedEntity,
    ListedName,
    NameQuality,
    ReadResult,
    Rejection,
)
from backchannel.screening.names import distinct_names

__all__ = ["ADD_COLUMNS", "ALT_COLUMNS", "OFAC_LIST_ID", "SDN_COLUMNS", "read_ofac"]

OFAC_LIST_ID = "ofac-sdn"
SDN_COLUMNS = (
    "ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign", "Vess_type",
    "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks",
)  # fmt: skip
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "Address", "City/State/Province/Postal Code", "Country",
               "add_remarks")  # fmt: skip

_EMPTY = "-0-"
_EOF_MARKER = "\x1a"
_TYPES = {
    "individual": EntityType.PERSON,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
    "": EntityType.ORGANISATION,  # OFAC leaves the type of entities (organisations) empty
}
_ALT_TYPES = {
    "aka": (NameQuality.STRONG, "aka"),
    "fka": (NameQuality.STRONG, "fka"),
    "nka": (NameQuality.STRONG, "nka"),
    "weak aka": (NameQuality.WEAK, "aka"),
}
# a weak alias in Remarks: "a.k.a. 'ABU-'UMAR'." - the name may itself hold apostrophes,
# so it runs to the quote that ends the remark ("'" then ";" or "." or the end)
_REMARK_ALIAS = re.compile(r"\b([afn])\.k\.a\. '(.+?)'(?=\s*(?:;|\.?\s*$))")
# programme tags written in Remarks, "[SDGT]", as older files do
_REMARK_PROGRAMME = re.compile(r"\[([A-Z][A-Z0-9]*(?:[ -][A-Z0-9]+)*)\]")
_MAX_DIGITS = 12
# OFAC's delimited files cut Remarks off at 1,000 characters (five entries of the July
# 2021 file end mid-word): weak aliases or tags beyond the cut are lost
_REMARKS_LIMIT = 1000
_SHOWN = 20


def read_ofac(
    sdn: str | Path, alt: str | Path | None = None, add: str | Path | None = None
) -> ReadResult:
    """Read OFAC's ``sdn.csv`` with, when given, its ``alt.csv`` and ``add.csv``.

    Every sdn.csv row is an entry or a ``Rejection`` (wrong number of fields, an
    ``ent_num`` that is not a number or repeats one, no name). Alias and address rows that
    cannot be attached (malformed, or whose ``ent_num`` has no entry: "orphans") become
    ``warnings`` and are counted in ``details``. Raises ``InvalidInputError`` naming the
    file when a file cannot be read or decoded, is not CSV, or no entry can be read.
    """
    sdn_source = str(sdn)
    details: Counter[str] = Counter()
    warnings: list[Rejection] = []
    entries, rejected, refused, seen = _read_entries(sdn_source, details, warnings)
    if alt is not None:
        _attach_aliases(str(alt), entries, refused, details, warnings)
    if add is not None:
        _attach_addresses(str(add), entries, refused, details, warnings)
    if not entries:
        problems = [Problem("", "no entry could be read: the list would screen nobody")]
        problems += [Problem(r.location, r.reason, r.line) for r in rejected[:_SHOWN]]
        raise InvalidInputError(sdn_source, problems)
    entities = tuple(entry.entity(sdn_source, details) for entry in entries.values())
    return ReadResult(
        list_id=OFAC_LIST_ID,
        source=sdn_source,
        entities=entities,
        rejected=tuple(rejected),
        records_seen=seen,
        details=dict(details),
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class _Row:
    """One CSV record: the line it starts on and its fields, stripped, ``-0-`` as ""."""

    line: int
    fields: list[str]


def _rows(source: str, details: Counter[str], kind: str) -> Iterator[_Row]:
    """The non-blank records of one file; a final Ctrl-Z line is counted, not returned."""
    text = _decode(source)
    stripped = text.rstrip("\r\n")
    if stripped.endswith(_EOF_MARKER):
        text = stripped[: -len(_EOF_MARKER)]
        details[f"{kind}_eof_markers"] += 1
    for start, fields in csv_records(io.StringIO(text, newline=""), source):
        yield _Row(start, [_value(f) for f in fields])


def _decode(source: str) -> str:
    """The file's text: UTF-8 (which plain ASCII is), else Windows-1252, which OFAC's
    older downloads used; bytes neither decodes are refused with their line.

    Windows-1252 text that happens to be valid UTF-8 would be taken for UTF-8; real text
    practically never is (it takes sequences such as "Ã©")."""
    try:
        data = Path(source).read_bytes()
    except OSError as error:
        problem = Problem("", f"cannot read the file: {error.strerror or error}")
        raise InvalidInputError(source, [problem]) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError as error:
            failure = error
    line = data.count(b"\n", 0, failure.start) + 1
    problem = Problem(
        "", f"undecodable byte 0x{data[failure.start]:02x}: neither UTF-8 nor Windows-1252", line
    )
    raise InvalidInputError(source, [problem])


def _value(field: str) -> str:
    text = field.strip()
    return "" if text == _EMPTY else text


def _ent_num(text: str) -> int | None:
    # isdecimal, not isdigit: int() refuses superscript digits that isdigit accepts
    if not text.isdecimal() or len(text) > _MAX_DIGITS:
        return None
    return int(text)


# --------------------------------------------------------------------------- entries


@dataclass
class _Entry:
    """An sdn.csv entry while its aliases and addresses are gathered."""

    ent_num: int
    line: int
    name: str
    type: EntityType
    programmes: tuple[str, ...]
    remarks: str
    aliases: list[ListedName] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)

    def entity(self, source: str, details: Counter[str]) -> ListedEntity:
        names = [ListedName(self.name, NameQuality.PRIMARY), *self.aliases]
        for letter, text in _REMARK_ALIAS.findall(self.remarks):
            details["weak_aliases_in_remarks"] += 1
            names.append(ListedName(" ".join(text.split()), NameQuality.WEAK, None, f"{letter}ka"))
        return ListedEntity(
            list_id=OFAC_LIST_ID,
            entity_id=str(self.ent_num),
            type=self.type,
            names=distinct_names(names, details),
            programmes=self.programmes,
            remarks=self.remarks or None,
            countries=tuple(dict.fromkeys(self.countries)),
            source=source,
            line=self.line,
        )


def _read_entries(
    source: str, details: Counter[str], warnings: list[Rejection]
) -> tuple[dict[int, _Entry], list[Rejection], set[int], int]:
    """The entries by ent_num, the rejections, the ent_nums of rejected rows that had one
    (so their aliases are not called orphans), and the number of rows seen."""
    entries: dict[int, _Entry] = {}
    rejected: list[Rejection] = []
    refused: set[int] = set()
    seen = 0
    for seen, row in enumerate(_rows(source, details, "sdn"), start=1):
        parsed = _entry(row, entries, details)
        if isinstance(parsed, _Entry):
            entries[parsed.ent_num] = parsed
            if len(parsed.remarks) >= _REMARKS_LIMIT:
                details["remarks_cut_off"] += 1
                reason = (
                    f"ent_num {parsed.ent_num}: Remarks reach OFAC's {_REMARKS_LIMIT}-character "
                    "limit and may be cut off (weak aliases past the cut are lost)"
                )
                warnings.append(Rejection(f"row {seen}", reason, row.line))
            continue
        rejected.append(Rejection(f"row {seen}", parsed, row.line))
        number = _ent_num(row.fields[0])
        if number is not None and number not in entries:
            refused.add(number)
    return entries, rejected, refused, seen


def _entry(row: _Row, entries: dict[int, _Entry], details: Counter[str]) -> _Entry | str:
    """The row as an entry, or why it cannot be one."""
    if len(row.fields) != len(SDN_COLUMNS):
        return f"wrong number of fields: expected {len(SDN_COLUMNS)}, found {len(row.fields)}"
    values = dict(zip(SDN_COLUMNS, row.fields, strict=True))
    ent_num = _ent_num(values["ent_num"])
    if ent_num is None:
        return f"ent_num {values['ent_num']!r} is not a whole number"
    if ent_num in entries:
        return f"duplicate ent_num {ent_num} (first on line {entries[ent_num].line})"
    name = " ".join(values["SDN_Name"].split())
    if not name:
        return f"ent_num {ent_num}: no SDN_Name"
    entity_type = _TYPES.get(values["SDN_Type"].lower())
    if entity_type is None:
        details["unknown_types"] += 1
        entity_type = EntityType.UNKNOWN
    return _Entry(
        ent_num=ent_num,
        line=row.line,
        name=name,
        type=entity_type,
        programmes=_programmes(values["Program"], values["Remarks"], details),
        remarks=values["Remarks"],
    )


def _programmes(program: str, remarks: str, details: Counter[str]) -> tuple[str, ...]:
    """The Program field's programmes ("SDGT] [FTO" holds two) and any ``[TAG]`` in
    Remarks, in order, once each; FTO is one of them, so rules can test for it."""
    listed = [p.strip(" []") for p in program.split("] [")]
    tagged = _REMARK_PROGRAMME.findall(remarks)
    if extra := len(set(tagged) - set(listed)):
        details["programmes_from_remarks"] += extra
    return tuple(dict.fromkeys(p for p in [*listed, *tagged] if p))


# --------------------------------------------------------------------------- aliases, addresses


def _attach_aliases(
    source: str,
    entries: dict[int, _Entry],
    refused: set[int],
    details: Counter[str],
    warnings: list[Rejection],
) -> None:
    name = Path(source).name
    for index, row in enumerate(_rows(source, details, "alt"), start=1):
        details["alias_rows"] += 1
        location = f"{name} row {index}"
        problem = _secondary_problem(
            row, ALT_COLUMNS, entries=entries, refused=refused, details=details, kind="alias"
        )
        alias = " ".join(row.fields[3].split()) if problem is None else ""
        if problem is None and not alias:
            problem = "no alt_name"
            details["alias_rows_rejected"] += 1
        if problem is not None:
            warnings.append(Rejection(location, problem, row.line))
            continue
        known = _ALT_TYPES.get(row.fields[2].lower())
        if known is None:
            # an alias of a type this reader does not know still names the entry
            details["aliases_of_unknown_type"] += 1
            warnings.append(Rejection(location, f"unknown alt_type {row.fields[2]!r}", row.line))
            known = (NameQuality.STRONG, "aka")
        quality, kind = known
        details["weak_aliases" if quality is NameQuality.WEAK else "aliases"] += 1
        entries[int(row.fields[0])].aliases.append(ListedName(alias, quality, None, kind))


def _attach_addresses(
    source: str,
    entries: dict[int, _Entry],
    refused: set[int],
    details: Counter[str],
    warnings: list[Rejection],
) -> None:
    name = Path(source).name
    for index, row in enumerate(_rows(source, details, "add"), start=1):
        details["address_rows"] += 1
        location = f"{name} row {index}"
        problem = _secondary_problem(
            row, ADD_COLUMNS, entries=entries, refused=refused, details=details, kind="address"
        )
        if problem is not None:
            warnings.append(Rejection(location, problem, row.line))
            continue
        details["addresses"] += 1
        country = " ".join(row.fields[4].split())
        if country:
            entries[int(row.fields[0])].countries.append(country)


def _secondary_problem(
    row: _Row,
    columns: tuple[str, ...],
    *,
    entries: dict[int, _Entry],
    refused: set[int],
    details: Counter[str],
    kind: str,
) -> str | None:
    """Why an alias or address row cannot be attached, counted; ``None`` when it can."""
    if len(row.fields) != len(columns):
        details[f"{kind}_rows_rejected"] += 1
        return f"wrong number of fields: expected {len(columns)}, found {len(row.fields)}"
    ent_num = _ent_num(row.fields[0])
    if ent_num is None:
        details[f"{kind}_rows_rejected"] += 1
        return f"ent_num {row.fields[0]!r} is not a whole number"
    if ent_num in entries:
        return None
    if ent_num in refused:
        details[f"{kind}_rows_of_rejected_entries"] += 1
        return f"ent_num {ent_num}: its sdn.csv entry was rejected"
    details[f"{kind}_orphans"] += 1
    return f"orphan: ent_num {ent_num} has no sdn.csv entry"
