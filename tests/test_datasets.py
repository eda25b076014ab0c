"""The data manifest, pull from a mirror or a server, and the installed listing, on real files."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import http.server
import io
import json
import random
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel import datasets
from backchannel.cli import app
from backchannel.datasets import MANIFEST, DatasetSpec, Status, layouts
from backchannel.datasets.analysis_inputs import (
    installed_conflicts,
    installed_event_extents,
    installed_inputs,
)
from backchannel.datasets.specs import ExtentRule
from backchannel.errors import DataUnavailableError, NotFoundError
from backchannel.events.coverage import ExtentKind, FileExtent
from backchannel.settings import Settings
from tests.conftest import mirror_path

IDS = {
    "ewp",
    "ucdp-ged",
    "ucdp-actors",
    "ucdp-dyadic",
    "ucdp-acd",
    "ucdp-peace-agreements",
    "ucdp-termination",
    "pax",
    "un-sanctions",
    "ofac-sdn",
    "ushmm-tools",
    "ucdp-ged-candidate",
    "acled",
}
LIVE_OR_CONVERTED = {"ucdp-ged", "un-sanctions", "ofac-sdn", "ucdp-ged-candidate", "acled"}
#: Not in the shared mirror: the monthly candidate release, and ACLED (never redistributed).
NOT_IN_MIRROR = {"ucdp-ged-candidate", "acled"}


def _settings(tmp_path: Path) -> Settings:
    # mirror=None explicitly: BACKCHANNEL_MIRROR in the environment must not leak in.
    return Settings(data_dir=tmp_path / "data", mirror=None)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: _sha256(p) for p in sorted(folder.iterdir())}


# ----------------------------------------------------------------------------- manifest


def test_manifest_names_every_data_set_once() -> None:
    ids = [spec.id for spec in MANIFEST]
    assert set(ids) == IDS
    assert len(ids) == len(set(ids))
    for spec in MANIFEST:
        assert spec.title and spec.version and spec.licence and spec.citation
        for file in spec.files:
            assert (file.sha256 is None) == (spec.id in LIVE_OR_CONVERTED), file.name
    ged = datasets.dataset_spec("ucdp-ged").files[0].layout
    assert isinstance(ged, datasets.CsvLayout) and len(set(ged.required_columns)) == 49


@pytest.mark.parametrize(
    "arguments",
    [
        {"header": False},
        {"header": False, "column_count": 3, "required_columns": ("a",)},
        {"header": False, "column_count": 3, "country_column": "a"},
        {"header": False, "column_count": 3, "country_column": 3},
        {"country_column": 0},
    ],
)
def test_a_csv_layout_refuses_contradictions(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"CSV|column"):
        datasets.CsvLayout(**arguments)  # type: ignore[arg-type]


def test_manifest_covers_every_mirror_file(mirror: Path) -> None:
    patterns = [f.mirror for spec in MANIFEST for f in spec.files]
    for path in mirror.rglob("*"):
        if path.is_file() and path.name != "README.md":
            relative = path.relative_to(mirror)
            assert any(relative.match(p) for p in patterns), f"{relative} is not in the manifest"


# ----------------------------------------------------------------------------- full pull


@pytest.fixture(scope="module")
def full_install(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Settings, list[datasets.InstalledDataset]]:
    root = mirror_path()
    if root is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    settings = _settings(tmp_path_factory.mktemp("full"))
    return settings, datasets.pull(settings, mirror=root)


def _by_id(records: list[datasets.InstalledDataset]) -> dict[str, datasets.InstalledDataset]:
    return {r.id: r for r in records}


def test_full_pull_installs_every_data_set(
    full_install: tuple[Settings, list[datasets.InstalledDataset]],
) -> None:
    settings, pulled = full_install
    assert {r.id for r in pulled} == IDS - NOT_IN_MIRROR
    listing = datasets.installed(settings)
    assert [r.id for r in listing] == [s.id for s in MANIFEST]
    for record in listing:
        if record.id in NOT_IN_MIRROR:
            assert not record.installed and not (settings.datasets_dir / record.id).exists()
            continue
        assert record.installed and record.status in (Status.VERIFIED, Status.LAYOUT_CHECKED)
        folder = settings.datasets_dir / record.id
        data = json.loads((folder / "installed.json").read_text())
        assert data["id"] == record.id and data["version"] == record.version
        assert data["source"].startswith("mirror:")
        assert data["installed_at"]
        for file in data["files"]:
            assert file["sha256"] == _sha256(folder / file["name"])
            assert file["status"] in ("verified", "layout-checked")
            assert file["coverage"]["rows"] > 0
        assert not list(settings.datasets_dir.glob(".*")), "staging left behind"
        row = dict(zip(datasets.TABLE_COLUMNS, record.table_row(), strict=True))
        assert row["id"] == record.id and row["rows"] == str(record.coverage.rows)
        json.dumps(record.as_dict())


def test_versioned_data_sets_are_verified_by_checksum(
    full_install: tuple[Settings, list[datasets.InstalledDataset]],
) -> None:
    records = _by_id(full_install[1])
    for dataset_id in IDS - LIVE_OR_CONVERTED:
        assert records[dataset_id].status is Status.VERIFIED, dataset_id
    ewp = records["ewp"]
    assert len(ewp.files) == 5
    assert all(f.status is Status.VERIFIED for f in ewp.files)
    foos = next(f for f in ewp.files if f.name == "FOOSforecasts_3Sep2025.csv")
    assert foos.coverage.rows == 5047
    assert foos.coverage.years == "1994-2024"
    assert foos.coverage.countries == 168


def test_ged_subsets_are_layout_checked_with_coverage(
    full_install: tuple[Settings, list[datasets.InstalledDataset]],
) -> None:
    settings, pulled = full_install
    ged = _by_id(pulled)["ucdp-ged"]
    assert ged.status is Status.LAYOUT_CHECKED
    files = {f.name: f for f in ged.files}
    car = files["ged231_central_african_republic.csv"]
    assert car.status is Status.LAYOUT_CHECKED
    assert (car.coverage.rows, car.coverage.countries, car.coverage.years) == (1848, 1, "1991-2022")
    sample = files["ged231_global_sample_1000.csv"]
    assert (sample.coverage.rows, sample.coverage.countries) == (1000, 59)
    assert sample.coverage.years == "1989-2022"
    assert ged.coverage.rows == 2848
    path = datasets.file_path(settings, "ucdp-ged", "ged231_global_sample_1000.csv")
    assert path.is_file() and path.parent == settings.datasets_dir / "ucdp-ged"
    with pytest.raises(NotFoundError, match="name one"):
        datasets.file_path(settings, "ucdp-ged")


def test_sanctions_lists_are_layout_checked(
    full_install: tuple[Settings, list[datasets.InstalledDataset]],
) -> None:
    records = _by_id(full_install[1])
    ofac = records["ofac-sdn"]
    assert ofac.status is Status.LAYOUT_CHECKED
    assert {f.name: f.coverage.rows for f in ofac.files} == {
        "ofac_sdn.csv": 8976,
        "ofac_alt.csv": 11910,
        "ofac_add.csv": 13837,
    }
    un = records["un-sanctions"]
    assert un.status is Status.LAYOUT_CHECKED
    assert un.coverage.rows == 1003  # 730 individuals + 273 entities


def test_workbooks_are_measured(
    full_install: tuple[Settings, list[datasets.InstalledDataset]],
) -> None:
    records = _by_id(full_install[1])
    peace = records["ucdp-peace-agreements"]
    assert peace.coverage.rows == 374 and peace.coverage.years == "1975-2021"
    term = {f.name: f.coverage.rows for f in records["ucdp-termination"].files}
    assert term == {"ucdp-term-dyad-3-2021.xlsx": 3140, "ucdp-term-acd-3-2021.xlsx": 2506}


# ----------------------------------------------------------------------------- extents

CAR_GED = "ged231_central_african_republic.csv"
SAMPLE_GED = "ged231_global_sample_1000.csv"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("GEDEvent_v23_1.csv", ExtentKind.FULL_RELEASE),  # upstream's file
        (SAMPLE_GED, ExtentKind.SAMPLE),
        (CAR_GED, ExtentKind.COUNTRY_EXTRACT),
        ("ged231_syria.csv", ExtentKind.COUNTRY_EXTRACT),
        ("events.csv", ExtentKind.UNKNOWN),
    ],
)
def test_the_ged_entry_declares_extents_by_file_name(name: str, kind: ExtentKind) -> None:
    ged = datasets.dataset_spec("ucdp-ged").files[0]
    assert ged.extent_kind(name) is kind
    assert ged.extent_kind(ged.name) is ExtentKind.FULL_RELEASE
    ewp = datasets.dataset_spec("ewp").files[0]
    assert ewp.extent_kind(ewp.name) is ExtentKind.UNKNOWN


def test_a_country_extract_needs_a_country_column() -> None:
    rule = ExtentRule("*", ExtentKind.COUNTRY_EXTRACT)
    with pytest.raises(ValueError, match="country column"):
        datasets.FileSpec("x.csv", "x.csv", datasets.CsvLayout(), extents=(rule,))
    with pytest.raises(ValueError, match="country column"):
        datasets.FileSpec("x.xml", "x.xml", datasets.XmlLayout(root="r"), extents=(rule,))
    sample = ExtentRule("*", ExtentKind.SAMPLE)
    assert datasets.FileSpec("x.csv", "x.csv", datasets.CsvLayout(), extents=(sample,))


def test_installed_ged_files_record_their_extent(
    full_install: tuple[Settings, list[datasets.InstalledDataset]],
) -> None:
    settings, pulled = full_install
    records = _by_id(pulled)
    extents = {f.name: f.extent for f in records["ucdp-ged"].files}
    assert extents == {
        CAR_GED: FileExtent(kind=ExtentKind.COUNTRY_EXTRACT, countries=("CAF",)),
        SAMPLE_GED: FileExtent(kind=ExtentKind.SAMPLE),
    }
    data = json.loads((settings.datasets_dir / "ucdp-ged" / "installed.json").read_text())
    assert {f["name"]: f["extent"] for f in data["files"]} == {
        CAR_GED: {"kind": "country-extract", "countries": ["CAF"], "unmatched": []},
        SAMPLE_GED: {"kind": "sample", "countries": [], "unmatched": []},
    }
    for record in pulled:
        if record.id != "ucdp-ged":
            assert {f.extent for f in record.files} == {FileExtent()}, record.id


def test_data_list_shows_the_extents(
    full_install: tuple[Settings, list[datasets.InstalledDataset]],
) -> None:
    settings, _ = full_install
    env = {"BACKCHANNEL_DATA_DIR": str(settings.data_dir), "BACKCHANNEL_MIRROR": None}
    result = CliRunner().invoke(app, ["data", "list", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    listed = {entry["id"]: entry for entry in json.loads(result.stdout)}
    files = {f["name"]: f["extent"] for f in listed["ucdp-ged"]["files"]}
    assert files[CAR_GED] == {"kind": "country-extract", "countries": ["CAF"], "unmatched": []}
    assert files[SAMPLE_GED]["kind"] == "sample"
    assert {f["extent"]["kind"] for f in listed["ewp"]["files"]} == {"unknown"}


def test_a_country_extract_lists_the_countries_found(tmp_path: Path, mirror: Path) -> None:
    with (mirror / "ucdp" / CAR_GED).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # the CAR's events relabelled: a two-country extract with a state no ISO code names
    for number, row in enumerate(rows):
        row["country"] = ("Chad", "South Yemen", "Central African Republic")[number % 3]
    extract = tmp_path / "mirror" / "ucdp" / "ged231_three.csv"
    extract.parent.mkdir(parents=True)
    with extract.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    settings = _settings(tmp_path)
    (record,) = datasets.pull(settings, ["ucdp-ged"], mirror=tmp_path / "mirror")
    (installed_file,) = record.files
    assert installed_file.extent == FileExtent(
        kind=ExtentKind.COUNTRY_EXTRACT, countries=("CAF", "TCD"), unmatched=("South Yemen",)
    )
    assert installed_file.extent.phrase == "country extract (CAF, TCD)"


def test_an_installed_json_without_extents_still_loads(tmp_path: Path, mirror: Path) -> None:
    settings = _settings(tmp_path)
    datasets.pull(settings, ["ucdp-ged"], mirror=mirror)
    record_path = settings.datasets_dir / "ucdp-ged" / "installed.json"
    data = json.loads(record_path.read_text())
    for file in data["files"]:
        del file["extent"]  # as written before extents were recorded
    record_path.write_text(json.dumps(data))

    record = _by_id(datasets.installed(settings))["ucdp-ged"]
    assert record.installed and record.status is Status.LAYOUT_CHECKED and not record.problem
    assert [f.extent for f in record.files] == [FileExtent(), FileExtent()]
    assert set(installed_event_extents(settings).values()) == {FileExtent()}
    inputs = installed_inputs(settings)
    assert inputs.events is not None and inputs.events.num_rows > 0
    assert set(inputs.event_extents.values()) == {FileExtent()}
    assert inputs.conflicts is None and installed_conflicts(settings) is None
    assert "events" not in inputs.missing()


# ----------------------------------------------------------------------------- selection


def test_pull_a_subset(tmp_path: Path, mirror: Path) -> None:
    settings = _settings(tmp_path)
    pulled = datasets.pull(settings, ["pax", "ewp"], mirror=mirror)
    assert [r.id for r in pulled] == ["pax", "ewp"]
    listing = _by_id(datasets.installed(settings))
    assert {i for i, r in listing.items() if r.installed} == {"pax", "ewp"}
    absent = listing["ucdp-acd"]
    assert absent.status is Status.NOT_INSTALLED and absent.table_row()[3] == ""
    assert datasets.file_path(settings, "pax").name == "pax_all_agreements_data_v6.csv"
    with pytest.raises(NotFoundError, match="backchannel data pull ucdp-acd"):
        datasets.file_path(settings, "ucdp-acd")
    with pytest.raises(NotFoundError, match="no installed file"):
        datasets.file_path(settings, "ewp", "nope.csv")


def test_unknown_id_lists_the_valid_ones(tmp_path: Path, mirror: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(NotFoundError) as caught:
        datasets.pull(settings, ["ewp", "gdelt"], mirror=mirror)
    message = caught.value.message
    assert "gdelt" in message
    assert all(dataset_id in message for dataset_id in IDS)
    assert not (settings.datasets_dir / "ewp").exists()


# ----------------------------------------------------------------------------- refusal


def _truncate_mid_row(path: Path) -> None:
    data = path.read_bytes()
    cut = len(data) // 2
    while data[cut - 1 : cut] in (b"\n", b"\r"):
        cut += 1
    path.write_bytes(data[:cut])


def _rename_column(old: bytes, new: bytes) -> Callable[[Path], None]:
    def corrupt(path: Path) -> None:
        data = path.read_bytes()
        head, _, rest = data.partition(b"\n")
        path.write_bytes(head.replace(old, new) + b"\n" + rest)

    return corrupt


def _garble_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\x00" * 64
    path.write_bytes(bytes(data))


def _wrong_root(path: Path) -> None:
    path.write_text('<?xml version="1.0"?><SANCTIONS><ENTRY/></SANCTIONS>\n')


def _entity_bomb(path: Path) -> None:
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><COMMENTS1>&b;</COMMENTS1>"
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n"
    )


def _short_rows(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b'999,"EXTRA ROW",-0- \r\n')


CORRUPTIONS = [
    pytest.param("ewp", "ewp/FOOSforecasts_3Sep2025.csv", _truncate_mid_row, id="ewp-truncated"),
    pytest.param(
        "ucdp-ged",
        "ucdp/ged231_central_african_republic.csv",
        _rename_column(b",country,", b",kountry,"),
        id="ged-header",
    ),
    pytest.param(
        "ucdp-termination", "ucdp/ucdp-term-acd-3-2021.xlsx", _garble_middle, id="xlsx-garbled"
    ),
    pytest.param("un-sanctions", "sanctions/un_consolidated.xml", _wrong_root, id="xml-root"),
    pytest.param("un-sanctions", "sanctions/un_consolidated.xml", _entity_bomb, id="xml-dtd"),
    pytest.param("ofac-sdn", "sanctions/ofac_alt.csv", _short_rows, id="ofac-columns"),
]


@pytest.mark.parametrize(("dataset_id", "relative", "corrupt"), CORRUPTIONS)
def test_a_corrupt_file_is_refused_and_the_installed_copy_kept(
    tmp_path: Path,
    mirror: Path,
    dataset_id: str,
    relative: str,
    corrupt: Callable[[Path], None],
) -> None:
    settings = _settings(tmp_path)
    datasets.pull(settings, [dataset_id], mirror=mirror)
    folder = settings.datasets_dir / dataset_id
    before = _snapshot(folder)

    bad_mirror = tmp_path / "bad-mirror"
    subfolder = Path(relative).parts[0]
    shutil.copytree(mirror / subfolder, bad_mirror / subfolder)
    corrupt(bad_mirror / relative)

    with pytest.raises(DataUnavailableError) as caught:
        datasets.pull(settings, [dataset_id], mirror=bad_mirror)
    assert Path(relative).name in caught.value.message
    assert "Nothing of" in caught.value.message
    assert _snapshot(folder) == before
    assert datasets.installed(settings)[[s.id for s in MANIFEST].index(dataset_id)].installed
    assert not list(settings.datasets_dir.glob(".*")), "staging left behind"


def test_a_missing_mirror_file_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    with pytest.raises(DataUnavailableError, match=r"ucdp/ged231\*\.csv"):
        datasets.pull(_settings(tmp_path), ["ucdp-ged"], mirror=empty)


def test_a_crashed_pull_leaves_nothing_behind_after_the_next_pull(
    tmp_path: Path, mirror: Path
) -> None:
    settings = _settings(tmp_path)
    settings.datasets_dir.mkdir(parents=True)
    crashed = settings.datasets_dir / ".pax.staging-k2j4x9"  # as tempfile.mkdtemp names it
    crashed.mkdir()
    (crashed / ".pax_all_agreements_data_v6.csv.3f9a.part").write_bytes(b"half a file")
    other = settings.datasets_dir / ".ewp.staging-q8w1z0"
    other.mkdir()

    datasets.pull(settings, ["pax"], mirror=mirror)
    assert not crashed.exists()
    # Another data set's leftover waits for that data set's own pull.
    assert [p.name for p in settings.datasets_dir.glob(".*")] == [other.name]
    datasets.pull(settings, ["ewp"], mirror=mirror)
    assert not list(settings.datasets_dir.glob(".*"))


# ----------------------------------------------------------------------------- downloads


def _pointed_at(dataset_id: str, base: str) -> DatasetSpec:
    """The manifest entry with each file's URL moved to ``base/<mirror path>``."""
    spec = datasets.dataset_spec(dataset_id)
    files = tuple(dataclasses.replace(f, url=f"{base}/{f.mirror}") for f in spec.files)
    return dataclasses.replace(spec, files=files)


def test_offline_download_fails_and_points_to_the_mirror(tmp_path: Path) -> None:
    # How fast it gives up is measured by benchmarks/fail_fast.py, not asserted here.
    spec = _pointed_at("ewp", "http://127.0.0.1:9")  # port 9 (discard): nothing listens
    with pytest.raises(DataUnavailableError) as caught:
        datasets.pull(_settings(tmp_path), manifest=[spec])
    message = caught.value.message
    assert "ewp" in message and "http://127.0.0.1:9/ewp/" in message
    assert "--mirror" in message
    assert not (tmp_path / "data" / "datasets" / "ewp").exists()


def test_a_data_set_without_download_url_asks_for_a_mirror(tmp_path: Path) -> None:
    with pytest.raises(DataUnavailableError, match="--mirror"):
        datasets.pull(_settings(tmp_path), ["pax"])


@pytest.fixture
def served(tmp_path: Path, mirror: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server over a copy of part of the mirror, plus a zip of the ACD file."""
    root = tmp_path / "www"
    shutil.copytree(mirror / "ewp", root / "ewp")
    (root / "ucdp").mkdir()
    with zipfile.ZipFile(root / "ucdp" / "acd.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(mirror / "ucdp" / "ucdp-prio-acd-251.csv", "UcdpPrioConflict_v25_1.csv")
        zf.writestr("README.txt", "codebook elsewhere")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_download_verifies_and_installs_atomically(
    tmp_path: Path, served: tuple[str, Path]
) -> None:
    base, root = served
    settings = _settings(tmp_path)
    spec = _pointed_at("ewp", base)
    calls: list[tuple[str, int, int | None]] = []
    first = datasets.pull(settings, manifest=[spec], progress=lambda *c: calls.append(c))[0]
    assert first.status is Status.VERIFIED
    assert first.source == f"{base}/ewp/"
    folder = settings.datasets_dir / "ewp"
    for file in first.files:
        assert _sha256(folder / file.name) == _sha256(root / "ewp" / file.name)
        assert file.source == f"{base}/ewp/{file.name}"
        done = [c for c in calls if c[0] == file.name]
        assert done[-1] == (file.name, file.size, file.size)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f.name for f in first.files] + ["installed.json"]
    )

    # A second pull replaces the installation whole and leaves nothing behind.
    second = datasets.pull(settings, manifest=[spec])[0]
    assert second.status is Status.VERIFIED
    assert datasets.installed(settings, manifest=[spec])[0].installed_at == second.installed_at
    assert not list(settings.datasets_dir.glob(".*"))


def test_download_extracts_the_member_of_a_zip(tmp_path: Path, served: tuple[str, Path]) -> None:
    base, _ = served
    settings = _settings(tmp_path)
    acd = datasets.dataset_spec("ucdp-acd")
    spec = dataclasses.replace(
        acd, files=(dataclasses.replace(acd.files[0], url=f"{base}/ucdp/acd.zip"),)
    )
    record = datasets.pull(settings, manifest=[spec])[0]
    assert record.status is Status.VERIFIED
    assert record.coverage.rows == 2752 and record.coverage.years == "1946-2024"
    assert datasets.file_path(settings, "ucdp-acd", manifest=[spec]).name == "ucdp-prio-acd-251.csv"


def test_a_missing_upstream_file_is_reported(tmp_path: Path, served: tuple[str, Path]) -> None:
    base, _ = served
    spec = _pointed_at("ewp", f"{base}/gone")
    with pytest.raises(DataUnavailableError, match="HTTP 404"):
        datasets.pull(_settings(tmp_path), manifest=[spec])


# ----------------------------------------------------------------------------- CSV reader

CSV_LAYOUTS = sorted(
    {f.layout for spec in MANIFEST for f in spec.files if isinstance(f.layout, datasets.CsvLayout)},
    key=repr,
)
_CELL = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["", "NA", "-0-", ".", "2013", "1989-01-02", "2013.0", "Chad, Sudan"]),
)
_ANY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _csv_text(rows: list[list[str]], terminator: str = "\r\n") -> str:
    out = io.StringIO()
    # With "\n" lines Python 3.11's writer leaves a lone "\r" unquoted, which no reader
    # can tell from a line break: quote every field then.
    writer = csv.writer(
        out,
        lineterminator=terminator,
        quoting=csv.QUOTE_MINIMAL if terminator == "\r\n" else csv.QUOTE_ALL,
    )
    writer.writerows(rows)
    return out.getvalue()


@_ANY_SETTINGS
@given(data=st.data())
def test_the_csv_reader_raises_nothing_but_data_unavailable(
    tmp_path: Path, data: st.DataObject
) -> None:
    layout = data.draw(st.sampled_from(CSV_LAYOUTS), label="layout")
    width = layout.column_count or len(layout.required_columns) + 1
    header = [*layout.required_columns, *data.draw(st.lists(_CELL, max_size=2))]
    rows = data.draw(st.lists(st.lists(_CELL, min_size=width - 1, max_size=width + 1), max_size=6))
    text = _csv_text([header, *rows] if layout.header else rows)
    raw = text.encode("utf-8")
    junk = data.draw(st.binary(max_size=40))
    at = data.draw(st.integers(0, len(raw)))
    raw = data.draw(
        st.sampled_from([raw, raw[:at] + junk + raw[at:], raw[:at], junk]), label="bytes"
    )
    path = tmp_path / "file.csv"
    path.write_bytes(raw)
    try:
        measured = layouts.measure_csv(path, layout)
    except DataUnavailableError as exc:
        assert exc.message
    else:
        assert measured.rows > 0


_NAME = st.text("abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=8).filter(
    lambda n: n not in ("year", "country")
)
_COUNTRIES = ["Chad", "Sudan", "Mali", "Côte d'Ivoire", "Bosnia-Herzegovina", "NA", ""]


@_ANY_SETTINGS
@given(
    extra=st.lists(_NAME, unique=True, max_size=4),
    order=st.randoms(use_true_random=False),
    records=st.lists(
        st.tuples(
            st.one_of(st.integers(1000, 2999).map(str), st.just("NA")),
            st.lists(st.sampled_from(_COUNTRIES), min_size=1, max_size=3),
            st.lists(_CELL, min_size=4, max_size=4),
        ),
        min_size=1,
        max_size=30,
    ),
    terminator=st.sampled_from(["\r\n", "\n"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_the_csv_reader_measures_well_formed_files(
    tmp_path: Path,
    extra: list[str],
    order: random.Random,
    records: list[tuple[str, list[str], list[str]]],
    terminator: str,
    encoding: str,
) -> None:
    header = ["year", "country", *extra]
    order.shuffle(header)
    rows = []
    for year, countries, cells in records:
        values = {
            "year": year,
            "country": "; ".join(countries),
            **dict(zip(extra, cells, strict=False)),
        }
        rows.append([values[column] for column in header])
    path = tmp_path / "file.csv"
    path.write_bytes(_csv_text([header, *rows], terminator).encode(encoding))
    layout = datasets.CsvLayout(
        required_columns=("country", "year"),
        year_column="year",
        country_column="country",
        country_separator=";",
    )

    coverage = layouts.measure_csv(path, layout).coverage()
    years = [int(year) for year, _, _ in records if year != "NA"]
    names = {name for _, countries, _ in records for name in countries} - {"NA", ""}
    assert coverage.rows == len(records)
    assert (coverage.year_min, coverage.year_max) == (
        min(years, default=None),
        max(years, default=None),
    )
    assert coverage.countries == len(names)


# ----------------------------------------------------------------------------- XLSX reader

_TERMINATION = datasets.XlsxLayout(
    required_columns=("conflict_id", "year"),
    year_column="year",
    country_column="location",
    country_separator=",",
)


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_a_workbook_is_measured_with_dates_numbers_and_blank_rows(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "w.xlsx",
        [
            [],
            ["conflict_id", "year", "location"],
            [200, datetime.datetime(2001, 5, 1), "Chad, Sudan"],
            [],
            [201, 1999.0, "Chad"],
            [202, "2004", None],
        ],
    )
    coverage = layouts.measure_xlsx(path, _TERMINATION).coverage()
    assert (coverage.rows, coverage.years, coverage.countries) == (3, "1999-2004", 2)


def _with_part(path: Path, name: str, change: Callable[[bytes], bytes | None]) -> Path:
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    changed = change(parts[name])
    if changed is None:
        del parts[name]
    else:
        parts[name] = changed
    out = path.with_name("changed.xlsx")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part_name, data in parts.items():
            zf.writestr(part_name, data)
    return out


def _huge(path: Path) -> Path:
    out = path.with_name("huge.xlsx")
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part,
    ):
        for _ in range(513):  # 513 MiB of spaces, about 2 MB packed
            part.write(b" " * (1 << 20))
    return out


def _not_a_zip(path: Path) -> Path:
    out = path.with_name("csv.xlsx")
    out.write_bytes(b"conflict_id,year\n1,2001\n")
    return out


BROKEN_WORKBOOKS = [
    pytest.param(_not_a_zip, "not an .xlsx workbook", id="csv"),
    pytest.param(
        lambda p: _with_part(
            p, "xl/worksheets/sheet1.xml", lambda b: b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + b
        ),
        "declares a DTD",
        id="dtd",
    ),
    pytest.param(
        lambda p: _with_part(p, "xl/workbook.xml", lambda b: None), "xl/workbook.xml", id="no-part"
    ),
    pytest.param(
        lambda p: _with_part(p, "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2]),
        "not a readable .xlsx workbook",
        id="cut-sheet",
    ),
    pytest.param(_huge, "implausible", id="zip-bomb"),
]


@pytest.mark.parametrize(("breaks", "expected"), BROKEN_WORKBOOKS)
def test_a_broken_workbook_is_a_layout_error(
    tmp_path: Path, breaks: Callable[[Path], Path], expected: str
) -> None:
    good = _workbook(tmp_path / "w.xlsx", [["conflict_id", "year"], [1, 2001]])
    with pytest.raises(DataUnavailableError, match=expected):
        layouts.measure_xlsx(breaks(good), _TERMINATION)
