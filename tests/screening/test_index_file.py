"""The persisted screening index: built on first use, reused while current, rebuilt when
the lists change or the file is damaged, and screening exactly as the lists do."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel.cli import app
from backchannel.datasets import pull
from backchannel.datasets.designation_lists import load_screening as screening_from_lists
from backchannel.datasets.screening_index_file import rebuild_index
from backchannel.screening import entity_codec, index_store
from backchannel.screening.entity import EntityType, ListedEntity, ListedName, NameQuality
from backchannel.screening.index_store import IndexUnusable, index_file, read_index
from backchannel.screening.screen import NameScreening, Screening
from backchannel.settings import Settings
from backchannel.web.installed_data import InstalledData
from tests.conftest import install_indexed_lists, mirror_path

runner = CliRunner()

# Real names of listed bodies and people, in the scripts and spellings users type them.
REAL_NAMES = (
    "Al-Shabaab",
    "Harakat al-Shabaab al-Mujahideen",
    "Аль-Шабаб",
    "حركة الشباب المجاهدين",
    "Hayat Tahrir al-Sham",
    "FARC-EP",
    "Hizballah",
    "Lashkar-e-Tayyiba",
    "Islamic State in Iraq and the Levant",
    "Joseph Kony",
    "Ayman al-Zawahiri",
    "Boko Haram",
    "Haqqani Network",
    "Anwar al-Aulaqi",
    "Jamaat-e-Islami",
    "Islamic Relief Worldwide",
)


def _installed(folder: Path, *dataset_ids: str, mirror: Path | None = None) -> Settings:
    source = mirror or mirror_path()
    if source is None:
        pytest.skip("no data mirror")
    configured = Settings(data_dir=folder, mirror=None)
    pull(configured, list(dataset_ids), mirror=source)
    return configured


def _env(configured: Settings) -> dict[str, str | None]:
    return {"BACKCHANNEL_DATA_DIR": str(configured.data_dir), "BACKCHANNEL_MIRROR": None}


def _screen(configured: Settings, name: str) -> tuple[list[Any], str]:
    """The JSON hits of ``backchannel screen NAME`` and what it wrote on stderr."""
    result = runner.invoke(app, ["screen", name, "--format", "json"], env=_env(configured))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def _answer(result: NameScreening) -> list[Any]:
    """Everything a screening says about a name, explanations included."""
    return [
        [(h.hit, h.hit.explanation, h.entity, h.decision, h.list_published) for h in hits]
        for hits in (result.hits, result.listed_later)
    ] + [result.notes, result.lists]


def _file_state(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_ino, status.st_mtime_ns


@pytest.fixture(scope="module")
def both_lists(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The UN and OFAC lists installed from the mirror, the index not yet built."""
    return _installed(tmp_path_factory.mktemp("both"), "un-sanctions", "ofac-sdn")


@pytest.fixture(scope="module")
def from_lists(both_lists: Settings) -> Screening:
    """The screening built from the installed lists, as before the index was persisted."""
    return screening_from_lists(both_lists)


@pytest.fixture(scope="module")
def loaded(both_lists: Settings) -> Screening:
    """The screening read back from the persisted index of the installed lists."""
    path = index_file(both_lists.data_dir)
    try:
        return read_index(path, both_lists.data_dir, max_age_days=both_lists.list_max_age_days)
    except IndexUnusable:
        rebuild_index(both_lists, "test", lambda _: None)
        return read_index(path, both_lists.data_dir, max_age_days=both_lists.list_max_age_days)


def test_the_index_is_built_on_first_use_then_reused(both_lists: Settings) -> None:
    path = index_file(both_lists.data_dir)
    path.unlink(missing_ok=True)
    hits, notes = _screen(both_lists, "Al-Shabaab")
    assert "no screening index yet: building it" in notes
    assert {hit["list"] for hit in hits} == {"un-sc", "ofac-sdn"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    built = _file_state(path)
    again, notes = _screen(both_lists, "Al-Shabaab")
    assert again == hits
    assert "index" not in notes  # no notice: nothing was rebuilt
    assert _file_state(path) == built  # not rewritten
    # the web workspace reads the same file, and does not rewrite it either
    loaded = InstalledData(both_lists).lists().screening
    assert loaded.screen("Al-Shabaab").hits[0].hit.list == "un-sc"
    assert _file_state(path) == built


def test_a_data_folder_copied_elsewhere_keeps_its_index_current(
    indexed_lists: Path, tmp_path: Path
) -> None:
    """The index names its files by their place under the data folder, so a moved or
    copied folder is read from its index, not rebuilt."""
    moved = Settings(data_dir=tmp_path / "elsewhere", mirror=None)
    install_indexed_lists(indexed_lists, moved.data_dir)
    screening = read_index(
        index_file(moved.data_dir), moved.data_dir, max_age_days=moved.list_max_age_days
    )
    assert screening.screen("Al-Shabaab").hits[0].hit.list == "un-sc"
    # and a changed list in the copy makes it stale
    record = moved.datasets_dir / "ofac-sdn" / "ofac_sdn.csv"
    record.write_bytes(record.read_bytes() + b"\n")
    with pytest.raises(IndexUnusable, match="out of date"):
        read_index(index_file(moved.data_dir), moved.data_dir, max_age_days=30)


def test_assess_reads_the_lists_through_the_same_index(both_lists: Settings) -> None:
    """An assessment after the first reads the persisted index instead of the lists, and
    concludes exactly as one read from the lists."""
    from tests.conftest import EXAMPLES

    path = index_file(both_lists.data_dir)
    path.unlink(missing_ok=True)
    assess = ["assess", str(EXAMPLES / "somalia-2011.yaml"), "--format", "json"]
    first = runner.invoke(app, assess, env=_env(both_lists))
    assert first.exit_code == 0, first.stderr
    assert "note: there is no screening index yet: building it" in first.stderr
    built = _file_state(path)
    again = runner.invoke(app, assess, env=_env(both_lists))
    assert again.exit_code == 0, again.stderr
    assert "index" not in again.stderr and _file_state(path) == built
    document = json.loads(again.stdout)
    assert document == json.loads(first.stdout)
    # the lists were read: al-Shabaab is designated, and the undated OFAC list is named
    assert "lg-designated" in {r["rule"] for risk in document["risks"] for r in risk["rules_fired"]}
    steps = [step["step"] for step in document["first_steps"]]
    assert any("ofac-sdn states no publication date" in step for step in steps)


@pytest.mark.parametrize("as_of", [None, dt.date(2010, 1, 1)])
def test_the_index_screens_exactly_as_the_lists(
    loaded: Screening, from_lists: Screening, as_of: dt.date | None
) -> None:
    assert loaded.results == from_lists.results
    assert loaded.snapshots == from_lists.snapshots
    # real names, and a sample of the lists' own primary names and aliases
    sampled = [e.names[-1].text for e in from_lists.entities[::97]]
    for name in (*REAL_NAMES, *sampled):
        for threshold in (0.8, 0.5):
            built = from_lists.screen(name, as_of=as_of, threshold=threshold)
            assert _answer(loaded.screen(name, as_of=as_of, threshold=threshold)) == _answer(
                built
            ), name


@pytest.fixture
def un_only(tmp_path: Path) -> Settings:
    """The UN list alone (fast to index) with its index built."""
    configured = _installed(tmp_path / "data", "un-sanctions")
    rebuild_index(configured, "test", lambda _: None)
    return configured


def _refusal(configured: Settings) -> str:
    with pytest.raises(IndexUnusable) as refused:
        read_index(index_file(configured.data_dir), configured.data_dir, max_age_days=30)
    return refused.value.message


def test_a_changed_list_makes_the_index_stale(un_only: Settings, tmp_path: Path) -> None:
    assert _screen(un_only, "Al-Shabaab")[0][0]["list_published"] == "2026-02-27"
    mirror = mirror_path()
    assert mirror is not None
    other = tmp_path / "other" / "sanctions"
    other.mkdir(parents=True)
    xml = (mirror / "sanctions" / "un_consolidated.xml").read_text(encoding="utf-8")
    newer = xml.replace('dateGenerated="2026-02-27', 'dateGenerated="2026-03-02', 1)
    assert newer != xml
    (other / "un_consolidated.xml").write_text(newer, encoding="utf-8")
    _installed(un_only.data_dir, "un-sanctions", mirror=other.parent)
    assert "out of date (datasets/un-sanctions/installed.json changed)" in _refusal(un_only)
    hits, notes = _screen(un_only, "Al-Shabaab")
    assert "out of date" in notes and "building it" in notes
    assert hits[0]["list_published"] == "2026-03-02"  # the new copy, not the stale index
    assert "index" not in _screen(un_only, "Al-Shabaab")[1]


def test_a_new_list_makes_the_index_stale(un_only: Settings) -> None:
    _installed(un_only.data_dir, "ofac-sdn")
    assert "datasets/ofac-sdn/installed.json changed" in _refusal(un_only)


def test_a_list_file_changed_in_place_makes_the_index_stale(un_only: Settings) -> None:
    xml = un_only.datasets_dir / "un-sanctions" / "un_consolidated.xml"
    xml.write_bytes(xml.read_bytes() + b"\n")
    assert "un_consolidated.xml changed" in _refusal(un_only)


def _rewrite(path: Path, edit_header: Any = None, edit_payload: Any = None) -> None:
    """Rewrite the index file's header or payload, keeping its frame valid."""
    data = path.read_bytes()
    start = len(index_store.MAGIC) + 8
    length = int.from_bytes(data[len(index_store.MAGIC) : start], "little")
    header = json.loads(data[start : start + length])
    payload = bytearray(data[start + length :])
    if edit_payload is not None:
        edit_payload(header, payload)
        header["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    if edit_header is not None:
        edit_header(header)
    encoded = json.dumps(header).encode()
    path.write_bytes(index_store.MAGIC + len(encoded).to_bytes(8, "little") + encoded + payload)


def test_a_damaged_index_is_refused_then_rebuilt(un_only: Settings) -> None:
    path = index_file(un_only.data_dir)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert "damaged" in _refusal(un_only)
    path.write_bytes(whole[:20])
    assert "damaged or truncated" in _refusal(un_only)
    flipped = bytearray(whole)
    flipped[-100] ^= 0xFF
    path.write_bytes(bytes(flipped))
    assert "fails its digest" in _refusal(un_only)
    path.write_bytes(b"")
    assert "damaged or truncated" in _refusal(un_only)
    hits, notes = _screen(un_only, "Al-Shabaab")
    assert "damaged or truncated: building it" in notes
    assert hits[0]["name"] == "AL-SHABAAB"
    assert read_index(path, un_only.data_dir, max_age_days=30).entities


def test_an_index_of_another_version_or_code_is_refused(un_only: Settings) -> None:
    path = index_file(un_only.data_dir)
    whole = path.read_bytes()
    _rewrite(path, edit_header=lambda h: h.update(format=index_store.FORMAT_VERSION + 1))
    assert "another format version" in _refusal(un_only)
    path.write_bytes(whole)
    _rewrite(path, edit_header=lambda h: h["fingerprint"].update(rigour="0.0.1"))
    assert "another version of the code" in _refusal(un_only)
    path.write_bytes(whole)
    _rewrite(path, edit_header=lambda h: h.update(dependencies={}))
    assert "records no file" in _refusal(un_only)


def test_a_consistent_looking_but_wrong_index_is_refused(un_only: Settings) -> None:
    """An index whose digest was recomputed after its content was altered still has to
    hold together: a key naming a name beyond the last is refused, not searched."""
    path = index_file(un_only.data_dir)

    def out_of_range(header: dict[str, Any], payload: bytearray) -> None:
        start = header["sections"]["ids"][0]
        payload[start : start + 4] = (2**31 - 1).to_bytes(4, "little")

    _rewrite(path, edit_payload=out_of_range)
    assert "a key names no name" in _refusal(un_only)


def test_an_index_that_cannot_be_written_still_screens(un_only: Settings) -> None:
    path = index_file(un_only.data_dir)
    path.unlink()
    path.mkdir()  # a folder where the file should be: neither readable nor replaceable
    assert "cannot be read" in _refusal(un_only)
    hits, notes = _screen(un_only, "Al-Shabaab")
    assert hits[0]["name"] == "AL-SHABAAB" and "could not be saved" in notes


texts = st.text(max_size=30)
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
names = st.builds(
    ListedName,
    text=texts,
    quality=st.sampled_from(NameQuality),
    script=st.none() | texts,
    kind=st.sampled_from(["name", "aka", "fka", "original_script"]),
)
entities = st.builds(
    ListedEntity,
    list_id=texts,
    entity_id=texts,
    type=st.sampled_from(EntityType),
    names=st.lists(names, max_size=4).map(tuple),
    programmes=st.lists(texts, max_size=3).map(tuple),
    reference=st.none() | texts,
    listed_on=st.none() | days,
    amended_on=st.lists(days, max_size=3).map(tuple),
    remarks=st.none() | texts,
    countries=st.lists(texts, max_size=3).map(tuple),
    source=texts,
    line=st.none() | st.integers(min_value=1, max_value=10**9),
)


@given(entities)
def test_entries_survive_the_file_unchanged(entry: ListedEntity) -> None:
    stored = json.loads(json.dumps(entity_codec.encode_entity(entry)))
    assert entity_codec.decode_entity(stored) == entry


@settings(max_examples=200)
@given(st.binary(max_size=400), st.booleans())
def test_any_bytes_are_refused_cleanly(tmp_path_factory: Any, data: bytes, framed: bool) -> None:
    """Whatever the file holds, reading it refuses it with a reason; nothing else."""
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "index.bin"
    path.write_bytes(index_store.MAGIC + data if framed else data)
    with pytest.raises(IndexUnusable):
        read_index(path, folder, max_age_days=30)
