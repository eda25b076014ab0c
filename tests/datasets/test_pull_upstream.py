"""`data pull` without a mirror: every data set from the producers' addresses, end to end.

A stand-in of the producers' servers on 127.0.0.1 (``upstream_server``) serves the real
mirror's files at the manifest's own addresses; the settings move every address under it
(``upstream_base``), so the pull runs the production code: addresses, downloads, zip
members, the monthly release search, checks, staging and swap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from backchannel import datasets
from backchannel.cli import app
from backchannel.datasets import Action, Status
from backchannel.datasets.upstream import monthly_file
from backchannel.errors import DataUnavailableError
from backchannel.settings import Settings
from tests.conftest import mirror_path
from tests.datasets.conftest import PAX_URL, candidate_month, pull_settings
from tests.datasets.test_acled_api import acled_event
from tests.datasets.upstream_server import ACLED_EMAIL, ACLED_PASSWORD, Logged, Upstream

UN_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class PulledAll:
    settings: Settings
    outcomes: list[datasets.PullOutcome]
    log: list[Logged]


@pytest.fixture(scope="module")
def pulled_everything(
    upstream_site: Upstream, tmp_path_factory: pytest.TempPathFactory
) -> PulledAll:
    upstream_site.reset()
    upstream_site.acled_events.extend([acled_event(n, f"2026-11-{n + 1:02d}") for n in range(3)])
    settings = pull_settings(
        tmp_path_factory.mktemp("all"),
        upstream_site,
        acled_email=ACLED_EMAIL,
        acled_password=ACLED_PASSWORD,
        acled_start_date=dt.date(2026, 11, 1),
    )
    outcomes = datasets.pull_outcomes(settings)
    log = list(upstream_site.log)
    upstream_site.reset()
    return PulledAll(settings, outcomes, log)


def test_a_pull_of_all_fetches_every_data_set_from_its_address(
    pulled_everything: PulledAll, upstream_site: Upstream
) -> None:
    settings, outcomes = pulled_everything.settings, pulled_everything.outcomes
    actions = {o.record.id: o.action for o in outcomes}
    assert actions == {s.id: Action.INSTALLED for s in datasets.MANIFEST}
    for outcome in outcomes:
        record = outcome.record
        for file in record.files:
            assert file.source.startswith(upstream_site.base + "/"), file.source
            if record.id != "acled":  # an API answer, not a file: no validators
                assert file.etag and file.last_modified
        # versioned releases arrive byte for byte as pinned
        spec = datasets.dataset_spec(record.id)
        if all(f.sha256 for f in spec.files):
            assert record.status is Status.VERIFIED, record.id
    assert not list(settings.datasets_dir.glob(".*")), "staging or partial files left behind"


def test_the_zip_members_and_the_configured_address_are_installed(
    pulled_everything: PulledAll, upstream_site: Upstream
) -> None:
    records = {o.record.id: o.record for o in pulled_everything.outcomes}
    ged = records["ucdp-ged"]
    assert [f.name for f in ged.files] == ["GEDEvent_v23_1.csv"]
    assert ged.coverage.rows == 1000 and ged.files[0].source.endswith("/ged/ged231-csv.zip")
    assert records["ucdp-acd"].coverage.rows == 2752
    pax = records["pax"]
    assert pax.status is Status.VERIFIED
    assert pax.files[0].source == upstream_site.base + upstream_site.url_path(PAX_URL)
    assert records["acled"].coverage.rows == 3
    un = records["un-sanctions"]
    assert un.designation_list is not None and un.designation_list.entries == 1003
    assert un.publication is not None and un.publication.stated == "2026-02-27"


def test_the_newest_monthly_candidate_release_is_found(
    pulled_everything: PulledAll, upstream_site: Upstream
) -> None:
    outcomes = pulled_everything.outcomes
    candidate = next(o.record for o in outcomes if o.record.id == "ucdp-ged-candidate")
    spec = datasets.dataset_spec("ucdp-ged-candidate").files[0]
    assert spec.monthly is not None
    year, month = candidate_month()
    release = monthly_file(spec.monthly, year, month)
    assert [f.name for f in candidate.files] == [release.name]
    assert candidate.version == release.version
    assert candidate.publication is not None
    assert candidate.publication.stated == f"{year:04d}-{month:02d}"
    # the month before (not published yet) was asked for first and answered 404
    newer = monthly_file(spec.monthly, *(_next_month(year, month)))
    log = pulled_everything.log
    assert [r.status for r in log if r.path == upstream_site.url_path(newer.url)] == [404]
    found = [r.status for r in log if r.path == upstream_site.url_path(release.url)]
    assert found == [200, 200]  # found, then downloaded


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def test_an_unchanged_copy_is_up_to_date_and_nothing_is_rewritten(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream)
    [first] = datasets.pull_outcomes(settings, ["un-sanctions"])
    assert first.action is Action.INSTALLED
    record_file = settings.datasets_dir / "un-sanctions" / datasets.INSTALLED_JSON
    before = record_file.read_bytes(), record_file.stat().st_mtime_ns
    upstream.log.clear()

    [again] = datasets.pull_outcomes(settings, ["un-sanctions"])
    assert again.action is Action.UP_TO_DATE
    assert (record_file.read_bytes(), record_file.stat().st_mtime_ns) == before
    # the request was conditional, and the server answered that nothing changed
    [request] = upstream.requests(upstream.url_path(UN_URL))
    assert request.headers.get("If-None-Match") == first.record.files[0].etag
    assert request.status == 304

    # a server that ignores the condition sends the same bytes: still up to date
    upstream.fault(upstream.url_path(UN_URL)).ignore_conditional = True
    [third] = datasets.pull_outcomes(settings, ["un-sanctions"])
    assert third.action is Action.UP_TO_DATE
    assert record_file.stat().st_mtime_ns == before[1]


def test_a_changed_file_is_reinstalled_and_reported_as_updated(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream)
    served = upstream.root / upstream.url_path(UN_URL).lstrip("/")
    original = served.read_bytes()
    try:
        datasets.pull(settings, ["un-sanctions"])
        # the Council publishes a new copy: another generation date
        changed = original.replace(b"2026-02-27T00:00:09.554Z", b"2026-11-30T00:00:05.000Z", 1)
        assert changed != original
        served.write_bytes(changed)
        [outcome] = datasets.pull_outcomes(settings, ["un-sanctions"])
        assert outcome.action is Action.UPDATED
        installed = settings.datasets_dir / "un-sanctions" / "un_consolidated.xml"
        assert _sha256(installed) == hashlib.sha256(changed).hexdigest()
        assert outcome.record.publication is not None
        assert outcome.record.publication.stated == "2026-11-30"
        listed = {r.id: r for r in datasets.installed(settings)}["un-sanctions"]
        assert listed.installed_at == outcome.record.installed_at
    finally:
        served.write_bytes(original)


def test_a_damaged_installation_is_reinstalled_even_when_the_server_says_not_modified(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream)
    datasets.pull(settings, ["ucdp-actors"])
    installed = settings.datasets_dir / "ucdp-actors" / "ucdp-actor-221.csv"
    installed.write_bytes(installed.read_bytes()[:1000])  # damaged on disk
    [outcome] = datasets.pull_outcomes(settings, ["ucdp-actors"])
    assert outcome.action is Action.UPDATED
    assert outcome.record.status is Status.VERIFIED
    [request] = upstream.requests("/ucdp.uu.se/downloads/actor/ucdp-actor-221-csv.zip")[-1:]
    assert "If-None-Match" not in request.headers  # a damaged copy is not asked about


def test_data_pull_without_mirror_reports_each_data_set(tmp_path: Path, upstream: Upstream) -> None:
    settings = pull_settings(tmp_path, upstream)
    env = {
        "BACKCHANNEL_DATA_DIR": str(settings.data_dir),
        "BACKCHANNEL_MIRROR": None,
        "BACKCHANNEL_UPSTREAM_BASE": upstream.base,
        "BACKCHANNEL_UPSTREAM_URLS": json.dumps({"pax": PAX_URL}),
        "BACKCHANNEL_DOWNLOAD_BACKOFF": "0.01",
    }
    runner = CliRunner()
    first = runner.invoke(app, ["data", "pull", "un-sanctions", "pax"], env=env)
    assert first.exit_code == 0, first.output
    assert "installed un-sanctions live (layout-checked): 1,003 entries" in first.stdout
    assert "installed pax 6 (verified)" in first.stdout
    again = runner.invoke(app, ["data", "pull", "un-sanctions"], env=env)
    assert again.exit_code == 0 and "up to date un-sanctions" in again.stdout


def test_a_data_set_without_a_confirmed_address_is_skipped_in_a_pull_of_all(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream, upstream_urls={})
    outcomes = datasets.pull_outcomes(settings, manifest=[datasets.dataset_spec("pax")])
    assert [o.action for o in outcomes] == [Action.SKIPPED]
    assert "BACKCHANNEL_UPSTREAM_URLS" in outcomes[0].note and "--mirror" in outcomes[0].note
    with pytest.raises(DataUnavailableError, match="no confirmed download address"):
        datasets.pull(settings, ["pax"])
    assert upstream.log == []


def test_the_shared_mirror_pull_skips_what_it_does_not_hold(tmp_path: Path) -> None:
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    settings = pull_settings(tmp_path, Upstream(root=tmp_path), upstream_base=None)
    spec = datasets.dataset_spec("ucdp-ged-candidate")
    [outcome] = datasets.pull_outcomes(settings, mirror=mirror, manifest=[spec])
    assert outcome.action is Action.SKIPPED and "ucdp/GEDEvent_v*_0_*.csv" in outcome.note
    with pytest.raises(DataUnavailableError, match=r"GEDEvent_v\*_0_\*\.csv"):
        datasets.pull(settings, ["ucdp-ged-candidate"], mirror=mirror)


def test_a_candidate_release_in_a_mirror_carries_its_month(tmp_path: Path) -> None:
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    own = tmp_path / "mirror" / "ucdp"
    own.mkdir(parents=True)
    (own / "GEDEvent_v26_0_8.csv").write_bytes(
        (mirror / "ucdp" / "ged231_global_sample_1000.csv").read_bytes()
    )
    settings = pull_settings(tmp_path, Upstream(root=tmp_path), upstream_base=None)
    [record] = datasets.pull(settings, ["ucdp-ged-candidate"], mirror=tmp_path / "mirror")
    assert record.version == "26.0.8"
    assert record.publication is not None
    assert (record.publication.stated, record.publication.day) == ("2026-08", dt.date(2026, 8, 31))


def test_the_pulled_candidate_events_are_read_with_the_yearly_release(
    pulled_everything: PulledAll,
) -> None:
    from backchannel.datasets.analysis_inputs import (
        _event_files,
        analysis_data_ages,
        installed_events,
    )

    settings = pulled_everything.settings
    yearly = datasets.file_paths(settings, "ucdp-ged")
    (candidate,) = datasets.file_paths(settings, "ucdp-ged-candidate")
    assert _event_files(settings, None) == ([*yearly, candidate], True)
    events = installed_events(settings)
    # the stand-in candidate release repeats the sample's events: read once each
    assert events.num_rows == pc.count_distinct(events["event_id"]).as_py()
    read_from = set(events["source_file"].to_pylist())
    assert read_from <= {str(path) for path in [*yearly, candidate]}
    ages = {age.id for age in analysis_data_ages(settings, pulled_events=True)}
    assert {"ucdp-ged", "ucdp-ged-candidate"} <= ages
