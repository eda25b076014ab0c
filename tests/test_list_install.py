"""Designation lists install only when whole: read by their own reader, their size held.

Every test installs the real UN and OFAC lists from the data mirror into a throw-away data
folder, then offers a truncated or hostile copy built from them in a temporary mirror:
one OFAC row, a UN file whose records cannot be read, a copy 15% or 21% smaller. A refused
copy leaves the installed list byte for byte and ``installed.json`` unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel import datasets
from backchannel.cli import app
from backchannel.datasets.list_check import MAX_DROP, count_floor
from backchannel.datasets.specs import ListCheck
from backchannel.errors import DataUnavailableError
from backchannel.settings import Settings

runner = CliRunner()

SANCTIONS = "sanctions"
OFAC_SDN = "ofac_sdn.csv"
UN_XML = "un_consolidated.xml"


def _settings(root: Path) -> Settings:
    return Settings(data_dir=root / "data", mirror=None)


def _state(folder: Path) -> dict[str, str]:
    """Every file of an installed data set by name, with its SHA-256."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _copy_mirror(mirror: Path, into: Path) -> Path:
    """A writable copy of the mirror's sanctions folder, to be made hostile."""
    target = into / "hostile-mirror"
    shutil.copytree(mirror / SANCTIONS, target / SANCTIONS)
    for path in (target / SANCTIONS).iterdir():
        path.chmod(0o644)
    return target


def _keep_sdn_rows(path: Path, keep: Callable[[int], bool]) -> int:
    """Keep the sdn.csv rows whose 0-based index ``keep`` accepts; the rows kept."""
    raw = path.read_bytes()
    end_mark = raw.endswith(b"\x1a")
    rows = raw.removesuffix(b"\x1a").splitlines(keepends=True)
    kept = [row for index, row in enumerate(rows) if keep(index)]
    path.write_bytes(b"".join(kept) + (b"\x1a" if end_mark else b""))
    return len(kept)


@pytest.fixture
def installed(tmp_path: Path, mirror: Path) -> Settings:
    """The real UN and OFAC lists installed from the mirror."""
    settings = _settings(tmp_path)
    datasets.pull(settings, ["un-sanctions", "ofac-sdn"], mirror=mirror)
    return settings


def _record(settings: Settings, dataset_id: str) -> dict[str, object]:
    path = settings.datasets_dir / dataset_id / datasets.INSTALLED_JSON
    document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return document


# ----------------------------------------------------------------------------- real lists


def test_the_real_lists_record_their_entries_and_publication(installed: Settings) -> None:
    un = _record(installed, "un-sanctions")["designation_list"]
    ofac = _record(installed, "ofac-sdn")["designation_list"]
    assert un == {
        "list_id": "un-sc",
        "entries": 1003,
        "rejected": 0,
        "published": "2026-02-27",
        "forced": False,
        "publication": "2026-02-27",
    }
    # OFAC's delimited files state no date: undated, never the day they were installed
    assert ofac == {
        "list_id": "ofac-sdn",
        "entries": 8976,
        "rejected": 0,
        "published": None,
        "forced": False,
        "publication": "undated",
    }
    today = dt.date.today().isoformat()
    assert today not in json.dumps(ofac)
    records = {r.id: r for r in datasets.installed(installed)}
    listed = records["un-sanctions"].designation_list
    assert listed is not None and listed.published == dt.date(2026, 2, 27)


def test_pulling_the_same_copy_again_is_accepted(installed: Settings, mirror: Path) -> None:
    [again] = datasets.pull(installed, ["ofac-sdn"], mirror=mirror)
    assert again.designation_list is not None and again.designation_list.entries == 8976


# ----------------------------------------------------------------------------- refusals


def test_a_one_row_ofac_list_is_refused_and_the_installed_one_kept(
    installed: Settings, mirror: Path, tmp_path: Path
) -> None:
    folder = installed.datasets_dir / "ofac-sdn"
    before = _state(folder)
    hostile = _copy_mirror(mirror, tmp_path)
    assert _keep_sdn_rows(hostile / SANCTIONS / OFAC_SDN, lambda i: i == 0) == 1

    with pytest.raises(DataUnavailableError) as caught:
        datasets.pull(installed, ["ofac-sdn"], mirror=hostile)
    message = caught.value.message
    assert OFAC_SDN in message and "1 entry" in message
    assert "installed copy's 8,976" in message and "at least 7,181 expected" in message
    assert "Nothing of ofac-sdn was replaced" in message and "--force" in message
    assert _state(folder) == before  # installed.json included, byte for byte
    assert not list(installed.datasets_dir.glob(".*")), "staging left behind"


def test_a_one_row_ofac_list_is_refused_on_a_first_install_too(
    tmp_path: Path, mirror: Path
) -> None:
    hostile = _copy_mirror(mirror, tmp_path)
    _keep_sdn_rows(hostile / SANCTIONS / OFAC_SDN, lambda i: i == 0)
    settings = _settings(tmp_path)
    with pytest.raises(DataUnavailableError, match="July 2021"):
        datasets.pull(settings, ["ofac-sdn"], mirror=hostile)
    assert not (settings.datasets_dir / "ofac-sdn").exists()


def _un_without_readable_entries(path: Path) -> None:
    """The real file with every DATAID emptied: records the reader must reject, each."""
    text = path.read_text(encoding="utf-8")
    head, *parts = text.split("<DATAID>")
    path.write_text(
        head + "".join("<DATAID>" + part[part.index("</DATAID>") :] for part in parts),
        encoding="utf-8",
    )


def _un_without_names(path: Path) -> None:
    """The real file with every name emptied: well-formed, every record there, none named."""
    text = path.read_text(encoding="utf-8")
    for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"):
        text = re.sub(rf"<{tag}>[^<]*</{tag}>", "", text)
    text = re.sub(r"<(NAME_ORIGINAL_SCRIPT|ALIAS_NAME)>[^<]*</\1>", "", text)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "damage", [_un_without_readable_entries, _un_without_names], ids=["no-dataid", "nameless"]
)
def test_a_un_file_the_reader_cannot_take_is_refused(
    installed: Settings,
    mirror: Path,
    tmp_path: Path,
    damage: Callable[[Path], None],
) -> None:
    folder = installed.datasets_dir / "un-sanctions"
    before = _state(folder)
    hostile = _copy_mirror(mirror, tmp_path)
    damage(hostile / SANCTIONS / UN_XML)
    with pytest.raises(DataUnavailableError) as caught:
        datasets.pull(installed, ["un-sanctions"], mirror=hostile)
    message = caught.value.message
    assert UN_XML in message and "Nothing of un-sanctions was replaced" in message
    assert "Expected the UN Security Council consolidated list XML" in message
    assert str(installed.datasets_dir) not in message  # the staging folder is not named
    assert _state(folder) == before


def test_a_un_file_with_no_readable_entry_is_refused_naming_why(
    tmp_path: Path, mirror: Path
) -> None:
    hostile = _copy_mirror(mirror, tmp_path)
    _un_without_readable_entries(hostile / SANCTIONS / UN_XML)
    with pytest.raises(DataUnavailableError, match="no entry could be read"):
        datasets.pull(_settings(tmp_path), ["un-sanctions"], mirror=hostile)


# ----------------------------------------------------------------------------- the guard


def test_force_installs_a_short_list_and_says_so(
    installed: Settings, mirror: Path, tmp_path: Path
) -> None:
    hostile = _copy_mirror(mirror, tmp_path)
    _keep_sdn_rows(hostile / SANCTIONS / OFAC_SDN, lambda i: i < 10)
    env = {"BACKCHANNEL_DATA_DIR": str(installed.data_dir), "BACKCHANNEL_MIRROR": None}
    refused = runner.invoke(app, ["data", "pull", "ofac-sdn", "--mirror", str(hostile)], env=env)
    assert refused.exit_code != 0 and "--force" in refused.stderr
    forced = runner.invoke(
        app, ["data", "pull", "ofac-sdn", "--mirror", str(hostile), "--force"], env=env
    )
    assert forced.exit_code == 0, forced.stderr
    assert "10 entries, undated" in forced.stdout and "--force" in forced.stdout
    listed = _record(installed, "ofac-sdn")["designation_list"]
    assert isinstance(listed, dict) and (listed["entries"], listed["forced"]) == (10, True)
    # the forced copy is now the installed one: the full list goes back in unforced
    restored = runner.invoke(app, ["data", "pull", "ofac-sdn", "--mirror", str(mirror)], env=env)
    assert restored.exit_code == 0 and "8,976 entries" in restored.stdout


def test_a_fifteen_percent_drop_is_accepted_and_twenty_one_refused(
    installed: Settings, mirror: Path, tmp_path: Path
) -> None:
    hostile = _copy_mirror(mirror, tmp_path)
    sdn = hostile / SANCTIONS / OFAC_SDN
    original = sdn.read_bytes()
    kept = _keep_sdn_rows(sdn, lambda i: i >= 1346)
    assert kept == 7630  # 1,346 fewer: 15.0% of 8,976
    [record] = datasets.pull(installed, ["ofac-sdn"], mirror=hostile)
    assert record.designation_list is not None and record.designation_list.entries == 7630
    assert not record.designation_list.forced

    # held to the installed 7,630 now: 21% fewer than that is too many
    sdn.write_bytes(original)
    assert _keep_sdn_rows(sdn, lambda i: i >= 2949) == 6027
    with pytest.raises(DataUnavailableError, match=r"installed copy's 7,630 \(at least 6,104"):
        datasets.pull(installed, ["ofac-sdn"], mirror=hostile)


def test_a_record_without_a_count_is_held_to_the_installed_files(
    installed: Settings, mirror: Path, tmp_path: Path
) -> None:
    """An installation recorded before counts were kept: its files give the baseline."""
    record_path = installed.datasets_dir / "un-sanctions" / datasets.INSTALLED_JSON
    document = json.loads(record_path.read_text(encoding="utf-8"))
    document.pop("designation_list")
    record_path.write_text(json.dumps(document), encoding="utf-8")
    hostile = _copy_mirror(mirror, tmp_path)
    xml = hostile / SANCTIONS / UN_XML
    text = xml.read_text(encoding="utf-8")
    # drop the entities (273 of 1,003, 27%): the copy still reads
    start, end = text.index("<ENTITIES>"), text.index("</ENTITIES>") + len("</ENTITIES>")
    xml.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(DataUnavailableError, match="installed copy's 1,003"):
        datasets.pull(installed, ["un-sanctions"], mirror=hostile)


def test_an_unreadable_publication_stamp_is_recorded_as_undated(
    tmp_path: Path, mirror: Path
) -> None:
    hostile = _copy_mirror(mirror, tmp_path)
    xml = hostile / SANCTIONS / UN_XML
    text = xml.read_text(encoding="utf-8")
    xml.write_text(
        text.replace('dateGenerated="2026-02-27T00:00:09.554Z"', 'dateGenerated="last week"'),
        encoding="utf-8",
    )
    settings = _settings(tmp_path)
    [record] = datasets.pull(settings, ["un-sanctions"], mirror=hostile)
    assert record.designation_list is not None
    assert (record.designation_list.published, record.designation_list.publication) == (
        None,
        "undated",
    )


# ----------------------------------------------------------------------------- the floor


@given(count=st.integers(1, 10**7), entries=st.integers(0, 10**7))
def test_the_floor_refuses_exactly_the_drops_of_more_than_a_fifth(count: int, entries: int) -> None:
    # "more than 20% below" in whole numbers: entries < 0.8 * count, i.e. 5 * entries < 4 * count
    assert MAX_DROP == 0.20
    assert (entries < count_floor(count)) == (5 * entries < 4 * count)


def test_the_floor_of_the_real_counts() -> None:
    assert (count_floor(8976), count_floor(1003), count_floor(1000)) == (7181, 803, 800)


def test_a_reference_count_must_say_which_copy_it_counts() -> None:
    with pytest.raises(ValueError, match="which copy"):
        ListCheck(reader="un", reference_entries=10)
    with pytest.raises(ValueError, match="1 or more"):
        ListCheck(reader="un", reference_entries=0, reference="a copy")
