"""OFAC SDN reader: the real July 2021 files, hand-built files, damage, properties."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.errors import InvalidInputError
from backchannel.screening.entity import EntityType, ListedEntity, NameQuality, ReadResult
from backchannel.screening.lists import load_lists, ofac_companions
from backchannel.screening.read_ofac import OFAC_LIST_ID, read_ofac
from tests.conftest import mirror_path

SANCTIONS = Path("sanctions")
FTM_SAMPLE = Path(__file__).parents[1] / "fixtures" / "screening" / "opensanctions_sample.ftm.json"
PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def folder() -> Path:
    root = mirror_path()
    if root is None or not (root / SANCTIONS / "ofac_sdn.csv").is_file():
        pytest.skip("no OFAC files in the data mirror: set BACKCHANNEL_MIRROR")
    return root / SANCTIONS


@pytest.fixture(scope="module")
def sdn(folder: Path) -> ReadResult:
    return read_ofac(folder / "ofac_sdn.csv", folder / "ofac_alt.csv", folder / "ofac_add.csv")


def naive_rows(path: Path, encoding: str = "ascii") -> list[list[str]]:
    """Every non-blank CSV row but OFAC's Ctrl-Z end-of-file line."""
    with path.open(encoding=encoding, newline="") as handle:
        return [row for row in csv.reader(handle) if row and row != ["\x1a"]]


def named(result: ReadResult, name: str) -> ListedEntity:
    [entity] = [e for e in result.entities if e.primary_name == name]
    return entity


# --------------------------------------------------------------------------- the real files


def test_every_row_of_the_real_files_is_accounted_for(sdn: ReadResult, folder: Path) -> None:
    entries = naive_rows(folder / "ofac_sdn.csv")
    aliases = naive_rows(folder / "ofac_alt.csv")
    addresses = naive_rows(folder / "ofac_add.csv")
    assert (len(entries), len(aliases), len(addresses)) == (8976, 11910, 13837)
    assert sdn.records_seen == len(entries)
    assert (len(sdn.entities), sdn.rejected) == (8976, ())
    assert sdn.reconciles()
    assert sdn.details["alias_rows"] == sdn.details["aliases"] == len(aliases)
    assert sdn.details["address_rows"] == sdn.details["addresses"] == len(addresses)
    for orphans in ("alias_orphans", "address_orphans", "alias_rows_rejected"):
        assert sdn.details.get(orphans, 0) == 0
    for part in ("sdn", "alt", "add"):
        assert sdn.details[f"{part}_eof_markers"] == 1  # each file ends with Ctrl-Z
    quoted = sum(len(re.findall(r"\b[afn]\.k\.a\. '", row[11])) for row in entries)
    # one remark is cut off inside its last quoted alias, which is therefore not read
    assert sdn.details["weak_aliases_in_remarks"] == quoted - 1 == 2438
    assert_secondary_rows_accounted_for(sdn)
    assert [e.entity_id for e in sdn.entities] == [row[0] for row in entries]
    assert sdn.list_id == OFAC_LIST_ID


def test_types_and_programmes_against_a_naive_count(sdn: ReadResult, folder: Path) -> None:
    entries = naive_rows(folder / "ofac_sdn.csv")
    types = [e.type for e in sdn.entities]
    assert types.count(EntityType.PERSON) == sum(r[2] == "individual" for r in entries) == 4620
    assert types.count(EntityType.ORGANISATION) == sum(r[2] == "-0- " for r in entries) == 3673
    assert types.count(EntityType.VESSEL) == 406
    assert types.count(EntityType.AIRCRAFT) == 277
    fto = [e for e in sdn.entities if "FTO" in e.programmes]
    assert len(fto) == sum("FTO" in r[3].split("] [") for r in entries) == 74
    assert all(p and "[" not in p and "]" not in p for e in sdn.entities for p in e.programmes)


def test_al_shabaab_is_sdgt_and_fto(sdn: ReadResult) -> None:
    shabaab = named(sdn, "AL-SHABAAB")
    assert shabaab.entity_id == "10761"
    assert shabaab.programmes == ("FTO", "SDGT", "SOMALIA")
    assert (shabaab.type, shabaab.listed_on, shabaab.countries) == (
        EntityType.ORGANISATION,
        None,
        ("Somalia",),
    )
    names = {n.text: n for n in shabaab.names}
    assert names["HARAKAT SHABAB AL-MUJAHIDIN"].quality is NameQuality.STRONG
    assert (names["MYM"].quality, names["THE YOUTH"].quality) == (NameQuality.WEAK,) * 2


def test_farc_is_still_fto_in_the_july_2021_file(sdn: ReadResult) -> None:
    # the State Department revoked the FARC's FTO designation on 30 November 2021; this
    # snapshot predates that
    farc = named(sdn, "REVOLUTIONARY ARMED FORCES OF COLOMBIA")
    assert (farc.entity_id, farc.programmes) == ("4711", ("SDNTK", "FTO", "SDGT"))
    assert {n.text for n in farc.names} >= {"FARC", "FUERZAS ARMADAS REVOLUCIONARIAS DE COLOMBIA"}


def test_remarks_cut_off_at_1000_characters_are_warned(sdn: ReadResult) -> None:
    assert sdn.details["remarks_cut_off"] == len(sdn.warnings) == 5
    assert all("1000-character limit" in w.reason for w in sdn.warnings)


def test_entity_lines_point_at_their_rows(sdn: ReadResult) -> None:
    lines = Path(sdn.source).read_text(encoding="ascii").split("\n")
    assert all(lines[e.line - 1].startswith(f"{e.entity_id},") for e in sdn.entities if e.line)


def test_all_real_lists_load_and_reconcile(folder: Path) -> None:
    # How fast they load is measured by benchmarks/fail_fast.py, not asserted here.
    results = load_lists(folder, FTM_SAMPLE)
    assert [r.list_id for r in results] == ["ofac-sdn", "un-sc", "un_sc_sanctions"]
    assert all(r.reconciles() for r in results)


# --------------------------------------------------------------------------- hand-built files


@dataclass
class Entry:
    ent_num: str = "100"
    name: str = "FRONT FOR TESTING"
    type: str = "-0- "
    program: str = "SDGT] [FTO"
    remarks: str = "-0- "
    aliases: list[tuple[str, str]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


def ofac_files(
    folder: Path,
    entries: list[Entry],
    *,
    eof: bool = True,
    prefix: str = "",
    encoding: str = "cp1252",
) -> tuple[Path, Path, Path]:
    """Write sdn/alt/add files as OFAC does: quoted text, ``-0- `` empties, CRLF, Ctrl-Z."""
    sdn, alt, add = io.StringIO(), io.StringIO(), io.StringIO()
    writers = [csv.writer(out, lineterminator="\r\n") for out in (sdn, alt, add)]
    alt_num = add_num = 0
    for entry in entries:
        empty = ["-0- "] * 7
        writers[0].writerow([entry.ent_num, entry.name, entry.type, entry.program, *empty,
                             entry.remarks])  # fmt: skip
        for alias_type, alias in entry.aliases:
            alt_num += 1
            writers[1].writerow([entry.ent_num, alt_num, alias_type, alias, "-0- "])
        for country in entry.countries:
            add_num += 1
            writers[2].writerow([entry.ent_num, add_num, "-0- ", "-0- ", country, "-0- "])
    paths = []
    for part, out in zip(("sdn", "alt", "add"), (sdn, alt, add), strict=True):
        path = folder / f"{prefix}{part}.csv"
        path.write_bytes((out.getvalue() + ("\x1a" if eof else "")).encode(encoding))
        paths.append(path)
    return paths[0], paths[1], paths[2]


def test_one_entry_with_aliases_and_addresses(tmp_path: Path) -> None:
    entry = Entry(
        remarks="Website www.example.org; a.k.a. 'TF'; f.k.a. 'OLD FRONT'.",
        aliases=[("aka", "TESTING FRONT"), ("fka", "FRONT OF OLD"), ("nka", "NEW FRONT")],
        countries=["Somalia", "Kenya", "Somalia", "-0- "],
        type="-0- ",
    )
    result = read_ofac(*ofac_files(tmp_path, [entry]))
    [entity] = result.entities
    assert (entity.entity_id, entity.type, entity.programmes) == (
        "100",
        EntityType.ORGANISATION,
        ("SDGT", "FTO"),
    )
    assert [(n.text, n.quality.value, n.kind) for n in entity.names] == [
        ("FRONT FOR TESTING", "primary", "name"),
        ("TESTING FRONT", "strong", "aka"),
        ("FRONT OF OLD", "strong", "fka"),
        ("NEW FRONT", "strong", "nka"),
        ("TF", "weak", "aka"),
        ("OLD FRONT", "weak", "fka"),
    ]
    assert entity.countries == ("Somalia", "Kenya")
    assert entity.remarks == "Website www.example.org; a.k.a. 'TF'; f.k.a. 'OLD FRONT'."
    assert (entity.listed_on, entity.reference, entity.line) == (None, None, 1)
    assert result.details["addresses"] == 4


@pytest.mark.parametrize(
    ("program", "remarks", "expected"),
    [
        ("SDGT", "-0- ", ("SDGT",)),
        ("SDGT] [FTO", "-0- ", ("SDGT", "FTO")),
        ("[SDNTK] [FTO] [SDGT]", "-0- ", ("SDNTK", "FTO", "SDGT")),
        ("-0- ", "-0- ", ()),
        ("SDGT", "Linked To: X; [FTO]", ("SDGT", "FTO")),
        ("SDGT", "[SDGT] [FTO] tags", ("SDGT", "FTO")),
        ("IRAN] [SDGT", "(IRGC) is not a tag", ("IRAN", "SDGT")),
    ],
)
def test_programmes(tmp_path: Path, program: str, remarks: str, expected: tuple[str, ...]) -> None:
    result = read_ofac(ofac_files(tmp_path, [Entry(program=program, remarks=remarks)])[0])
    assert result.entities[0].programmes == expected


@pytest.mark.parametrize(
    ("sdn_type", "expected"),
    [("individual", EntityType.PERSON), ("vessel", EntityType.VESSEL),
     ("aircraft", EntityType.AIRCRAFT), ("-0- ", EntityType.ORGANISATION),
     ("spaceship", EntityType.UNKNOWN)],
)  # fmt: skip
def test_types(tmp_path: Path, sdn_type: str, expected: EntityType) -> None:
    result = read_ofac(ofac_files(tmp_path, [Entry(type=sdn_type)])[0])
    assert result.entities[0].type is expected


@pytest.mark.parametrize(
    ("alt_type", "quality", "kind"),
    [("aka", NameQuality.STRONG, "aka"), ("fka", NameQuality.STRONG, "fka"),
     ("nka", NameQuality.STRONG, "nka"), ("weak aka", NameQuality.WEAK, "aka"),
     ("AKA", NameQuality.STRONG, "aka"), ("dba", NameQuality.STRONG, "aka")],
)  # fmt: skip
def test_alias_types(tmp_path: Path, alt_type: str, quality: NameQuality, kind: str) -> None:
    sdn, alt, _ = ofac_files(tmp_path, [Entry(aliases=[(alt_type, "OTHER NAME")])])
    result = read_ofac(sdn, alt)
    alias = result.entities[0].names[1]
    assert (alias.text, alias.quality, alias.kind) == ("OTHER NAME", quality, kind)
    if alt_type == "dba":
        [warning] = result.warnings
        assert warning.reason == "unknown alt_type 'dba'"


def test_orphan_aliases_and_addresses_are_reported(tmp_path: Path) -> None:
    sdn, alt, add = ofac_files(
        tmp_path,
        [Entry(ent_num="1", aliases=[("aka", "ONE")]), Entry(ent_num="2", name="-0- ")],
    )
    with alt.open("ab") as handle:  # after the Ctrl-Z, as a careless merge might leave it
        handle.write(b'\r\n2,8,"aka","TWO",-0- \r\n77,9,"aka","NOBODY",-0- \r\nx,10,"aka","Y",-0-')
    with add.open("wb") as handle:
        handle.write(b'77,1,-0- ,-0- ,"Chad",-0- \r\n1,2,-0- \r\n')
    result = read_ofac(sdn, alt, add)
    assert result.reconciles()
    assert [e.entity_id for e in result.entities] == ["1"]
    [rejected] = result.rejected
    assert (rejected.location, rejected.reason, rejected.line) == (
        "row 2",
        "ent_num 2: no SDN_Name",
        2,
    )
    details = result.details
    assert (details["alias_rows"], details["aliases"], details["alias_orphans"]) == (5, 1, 1)
    assert (details["alias_rows_of_rejected_entries"], details["alias_rows_rejected"]) == (1, 2)
    assert (details["address_rows"], details["address_orphans"]) == (2, 1)
    assert details["address_rows_rejected"] == 1
    assert details.get("alt_eof_markers", 0) == 0  # the Ctrl-Z is no longer last
    reasons = [(w.location, w.reason, w.line) for w in result.warnings]
    assert reasons == [
        ("alt.csv row 2", "wrong number of fields: expected 5, found 1", 2),  # the Ctrl-Z
        ("alt.csv row 3", "ent_num 2: its sdn.csv entry was rejected", 3),
        ("alt.csv row 4", "orphan: ent_num 77 has no sdn.csv entry", 4),
        ("alt.csv row 5", "ent_num 'x' is not a whole number", 5),
        ("add.csv row 1", "orphan: ent_num 77 has no sdn.csv entry", 1),
        ("add.csv row 2", "wrong number of fields: expected 6, found 3", 2),
    ]
    assert_secondary_rows_accounted_for(result)


def test_rows_that_cannot_be_entries_are_rejected_with_their_line(tmp_path: Path) -> None:
    sdn, _, _ = ofac_files(
        tmp_path,
        [Entry(ent_num="1"), Entry(ent_num="1", name="AGAIN"), Entry(ent_num="²"),
         Entry(ent_num="9" * 40), Entry(ent_num="5")],
    )  # fmt: skip
    with sdn.open("r+b") as handle:
        content = handle.read().replace(b"\x1a", b'6,"SHORT",-0- \r\n\x1a')
        handle.seek(0)
        handle.write(content)
    result = read_ofac(sdn)
    assert [e.entity_id for e in result.entities] == ["1", "5"]
    assert [(r.reason, r.line) for r in result.rejected] == [
        ("duplicate ent_num 1 (first on line 1)", 2),
        ("ent_num '²' is not a whole number", 3),
        (f"ent_num '{'9' * 40}' is not a whole number", 4),
        ("wrong number of fields: expected 12, found 3", 6),
    ]
    assert result.records_seen == 6


def test_quoted_fields_over_several_lines_keep_their_first_line(tmp_path: Path) -> None:
    sdn, _, _ = ofac_files(
        tmp_path, [Entry(ent_num="1", remarks="line one\r\nline two"), Entry(ent_num="2")]
    )
    assert [e.line for e in read_ofac(sdn).entities] == [1, 3]


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    sdn, _, _ = ofac_files(tmp_path, [Entry(name="CAF\u00c9 \u2013 \u201cNORTE\u201d")])
    assert read_ofac(sdn).entities[0].primary_name == "CAF\u00c9 \u2013 \u201cNORTE\u201d"


def test_files_without_ctrl_z_or_with_a_bom_are_read(tmp_path: Path) -> None:
    sdn, _, _ = ofac_files(tmp_path, [Entry()], eof=False)
    sdn.write_bytes(b"\xef\xbb\xbf" + sdn.read_bytes())
    result = read_ofac(sdn)
    assert (result.entities[0].entity_id, result.details.get("sdn_eof_markers", 0)) == ("100", 0)


def test_undecodable_bytes_name_file_and_line(tmp_path: Path) -> None:
    sdn, _, _ = ofac_files(tmp_path, [Entry(ent_num="1"), Entry(ent_num="2", name="MARK")])
    sdn.write_bytes(sdn.read_bytes().replace(b"MARK", b"M\x81RK"))  # 0x81: neither codec
    with pytest.raises(InvalidInputError) as caught:
        read_ofac(sdn)
    [problem] = caught.value.problems
    assert (caught.value.source, problem.line) == (str(sdn), 2)
    assert "undecodable byte 0x81" in problem.message


@pytest.mark.parametrize("content", [b"", b"\x1a", b"\r\n\r\n", b'1,"ONLY TWO"\r\n'])
def test_files_with_no_entry_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match="no entry could be read") as caught:
        read_ofac(path)
    assert caught.value.source == str(path)


def test_missing_files_are_invalid_input(tmp_path: Path) -> None:
    sdn, _, _ = ofac_files(tmp_path, [Entry()])
    with pytest.raises(InvalidInputError, match="cannot read the file"):
        read_ofac(tmp_path / "absent.csv")
    with pytest.raises(InvalidInputError, match="cannot read the file") as caught:
        read_ofac(sdn, tmp_path / "alt-absent.csv")
    assert caught.value.source == str(tmp_path / "alt-absent.csv")


def test_load_lists_finds_the_companion_files(tmp_path: Path) -> None:
    sdn, alt, add = ofac_files(tmp_path, [Entry(aliases=[("aka", "X")], countries=["Chad"])])
    assert ofac_companions(sdn) == (alt, add)
    [result] = load_lists(sdn, alt)
    assert result.details["aliases"] == 1 and result.entities[0].countries == ("Chad",)
    with pytest.raises(InvalidInputError, match="read with its sdn file"):
        load_lists(alt)
    with pytest.raises(InvalidInputError, match="no such file"):
        load_lists(tmp_path / "nothing.csv")
    upper = ofac_files(tmp_path, [Entry()], prefix="OFAC_")[0]
    upper.rename(tmp_path / "OFAC_SDN.csv")
    assert ofac_companions(tmp_path / "OFAC_SDN.csv") == (None, None)  # OFAC_alt.csv is lower


# --------------------------------------------------------------------------- properties

# generated files are UTF-8: a Windows-1252 file can also be valid UTF-8 ("Ã©" written in
# cp1252), and then the reader, which tries UTF-8 first, takes it for UTF-8
text_field = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=30
).map(lambda s: " ".join(s.split())).filter(lambda s: s and s != "-0-")  # fmt: skip
alias_name = text_field.filter(lambda s: "'" not in s)
alt_types = st.sampled_from(["aka", "fka", "nka"])
programme = st.from_regex(r"[A-Z][A-Z0-9]{1,8}(-[A-Z0-9]{1,6})?", fullmatch=True)


@st.composite
def entries(draw: st.DrawFn) -> list[Entry]:
    numbers = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=6, unique=True))
    out = []
    for number in numbers:
        weak = draw(st.lists(alias_name, max_size=2))
        out.append(
            Entry(
                ent_num=str(number),
                name=draw(text_field),
                type=draw(st.sampled_from(["individual", "vessel", "aircraft", "-0- "])),
                program="] [".join(draw(st.lists(programme, min_size=1, max_size=3, unique=True))),
                remarks="; ".join(f"a.k.a. '{w}'" for w in weak) + "." if weak else "-0- ",
                aliases=draw(st.lists(st.tuples(alt_types, text_field), max_size=3)),
                countries=draw(st.lists(text_field, max_size=2)),
            )
        )
    return out


@PROPERTY_SETTINGS
@given(generated=entries())
def test_generated_entries_read_back(tmp_path: Path, generated: list[Entry]) -> None:
    result = read_ofac(*ofac_files(tmp_path, generated, encoding="utf-8"))
    assert result.reconciles() and not result.rejected and not result.warnings
    assert [e.entity_id for e in result.entities] == [g.ent_num for g in generated]
    for entry, entity in zip(generated, result.entities, strict=True):
        assert entity.primary_name == entry.name
        assert entity.programmes == tuple(entry.program.split("] ["))
        texts = {n.text for n in entity.names}
        assert {a for _, a in entry.aliases} <= texts
        assert set(re.findall(r"'(.+?)'", entry.remarks)) <= texts
        assert entity.countries == tuple(dict.fromkeys(entry.countries))
    assert result.details.get("aliases", 0) == sum(len(g.aliases) for g in generated)


@PROPERTY_SETTINGS
@given(generated=entries(), data=st.data())
def test_wrong_column_counts_are_rejected_row_by_row(
    tmp_path: Path, generated: list[Entry], data: st.DataObject
) -> None:
    sdn, _, _ = ofac_files(tmp_path, generated, encoding="utf-8")
    rows = naive_rows(sdn, "utf-8")
    damaged = data.draw(st.sets(st.integers(0, len(generated) - 1)))
    for index in damaged:
        width = data.draw(st.integers(1, 20).filter(lambda n: n != 12))
        rows[index] = (rows[index] + ["extra"] * width)[:width]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    sdn.write_bytes(out.getvalue().encode("utf-8") + b"\x1a")
    if len(damaged) == len(generated):
        with pytest.raises(InvalidInputError, match="no entry could be read"):
            read_ofac(sdn)
        return
    result = read_ofac(sdn)
    assert result.reconciles() and result.records_seen == len(generated)
    assert sorted(r.line for r in result.rejected if r.line) == sorted(i + 1 for i in damaged)
    assert all("wrong number of fields" in r.reason for r in result.rejected)


@PROPERTY_SETTINGS
@given(generated=entries(), data=st.data())
def test_corrupted_files_raise_invalid_input_or_read_whole(
    tmp_path: Path, generated: list[Entry], data: st.DataObject
) -> None:
    sdn, alt, add = ofac_files(tmp_path, generated, encoding="utf-8")
    target = data.draw(st.sampled_from([sdn, alt, add]))
    content = bytearray(target.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, max(len(content) - 1, 0)))
        how = data.draw(st.sampled_from(["truncate", "flip", "insert"]))
        if how == "truncate":
            del content[at:]
        elif how == "flip" and content:
            content[at] = data.draw(st.integers(0, 255))
        else:
            content[at:at] = data.draw(
                st.binary(max_size=6) | st.sampled_from([b'"', b",", b"\x00", b"\x1a", b"\r\n"])
            )
    target.write_bytes(bytes(content))
    try:
        result = read_ofac(sdn, alt, add)
    except InvalidInputError as error:
        assert error.source in (str(sdn), str(alt), str(add))
        return
    # nothing partially loaded: every sdn row is read or rejected, every alias and address
    # row attached or reported
    assert result.reconciles()
    assert_secondary_rows_accounted_for(result)


def assert_secondary_rows_accounted_for(result: ReadResult) -> None:
    details = result.details
    for kind, attached in (("alias", ("aliases", "weak_aliases")), ("address", ("addresses",))):
        outcomes = (*attached, f"{kind}_orphans", f"{kind}_rows_rejected",
                    f"{kind}_rows_of_rejected_entries")  # fmt: skip
        assert details.get(f"{kind}_rows", 0) == sum(details.get(o, 0) for o in outcomes)
    unattached = sum(
        details.get(f"{kind}_{outcome}", 0)
        for kind in ("alias", "address")
        for outcome in ("orphans", "rows_rejected", "rows_of_rejected_entries")
    )
    assert len(result.warnings) == (
        unattached + details.get("aliases_of_unknown_type", 0) + details.get("remarks_cut_off", 0)
    )


@PROPERTY_SETTINGS
@given(content=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_arbitrary_bytes_raise_only_invalid_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(content)
    try:
        result = read_ofac(path)
    except InvalidInputError as error:
        assert error.source == str(path)
    else:
        assert result.reconciles() and result.entities
