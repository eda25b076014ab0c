"""ACLED through its API, against a fake of ACLED's OAuth and read endpoints on 127.0.0.1:
credentials sent, pages read, the second pull asking only for newer events and merging them,
the file read by the ACLED reader, and never from or to a mirror."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from typing import Any

import pytest

from backchannel import datasets
from backchannel.datasets import Action
from backchannel.errors import ConfigurationError, DataUnavailableError
from backchannel.events.readers import ACLED_COLUMNS, read_acled
from tests.conftest import mirror_path
from tests.datasets.conftest import pull_settings
from tests.datasets.upstream_server import ACLED_EMAIL, ACLED_PASSWORD, ACLED_TOKEN, Upstream

READ = "/acleddata.com/api/acled/read"
TOKEN = "/acleddata.com/oauth/token"


def acled_event(number: int, day: str, country: str = "Sudan", **changes: Any) -> dict[str, Any]:
    """An event as ACLED's API sends it (JSON: numbers as numbers, every export column)."""
    event: dict[str, Any] = {column: "" for column in ACLED_COLUMNS}
    event.update(
        event_id_cnty=f"SDN{number:05d}",
        event_date=day,
        year=int(day[:4]),
        time_precision=1,
        disorder_type="Political violence",
        event_type="Violence against civilians",
        sub_event_type="Attack",
        actor1="Rapid Support Forces",
        inter1="Rebel group",
        actor2="Civilians (Sudan)",
        inter2="Civilians",
        interaction="Rebel group-Civilians",
        civilian_targeting="Civilian targeting",
        iso=729,
        region="Northern Africa",
        country=country,
        admin1="North Darfur",
        location="El Fasher",
        latitude=13.6279,
        longitude=25.3494,
        geo_precision=1,
        source="Radio Dabanga",
        source_scale="National",
        notes=f"Event {number}.",
        fatalities=number % 7,
        timestamp=1767225600 + number,
    )
    event.update(changes)
    return event


def _acled_settings(tmp_path: Path, upstream: Upstream, **overrides: object) -> Any:
    values: dict[str, object] = {
        "acled_email": ACLED_EMAIL,
        "acled_password": ACLED_PASSWORD,
        "acled_page_size": 2,
        "acled_start_date": dt.date(2026, 10, 1),
    }
    values.update(overrides)
    return pull_settings(tmp_path, upstream, **values)


def test_acled_is_read_page_by_page_with_the_account_s_token(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.acled_events.extend(
        [acled_event(n, f"2026-10-{n + 1:02d}") for n in range(5)]
        + [acled_event(99, "2026-09-30")]  # before the start date: not asked for
    )
    settings = _acled_settings(tmp_path, upstream)
    [outcome] = datasets.pull_outcomes(settings, ["acled"])
    assert outcome.action is Action.INSTALLED
    [login] = upstream.requests(TOKEN)
    assert login.form == {
        "username": [ACLED_EMAIL],
        "password": [ACLED_PASSWORD],
        "grant_type": ["password"],
        "client_id": ["acled"],
    }
    reads = upstream.requests(READ)
    assert [r.query["page"] for r in reads] == [["1"], ["2"], ["3"]]  # 2 + 2 + 1 events
    assert all(r.headers["Authorization"] == f"Bearer {ACLED_TOKEN}" for r in reads)
    assert reads[0].query["event_date"] == ["2026-10-01"]
    assert reads[0].query["event_date_where"] == [">="]

    installed = datasets.file_path(settings, "acled")
    result = read_acled(installed)
    assert result.accepted == 5 and not result.rejected
    assert installed.read_text().splitlines()[0] == ",".join(ACLED_COLUMNS)
    assert stat.S_IMODE(installed.stat().st_mode) == 0o600  # the user's own store only
    record = outcome.record
    assert record.publication is not None and record.publication.stated == "2026-10-05"
    assert record.files[0].source == upstream.base + READ


def test_a_second_pull_asks_only_for_newer_events_and_merges_them(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.acled_events.extend([acled_event(n, f"2026-10-{n + 1:02d}") for n in range(3)])
    settings = _acled_settings(tmp_path, upstream)
    datasets.pull(settings, ["acled"])
    upstream.log.clear()
    # ACLED adds two events and revises one on the newest day already installed
    upstream.acled_events[2] = acled_event(2, "2026-10-03", fatalities=12)
    upstream.acled_events.extend([acled_event(10, "2026-10-20"), acled_event(11, "2026-10-21")])

    [outcome] = datasets.pull_outcomes(settings, ["acled"])
    assert outcome.action is Action.UPDATED
    assert upstream.requests(READ)[0].query["event_date"] == ["2026-10-03"]
    events = read_acled(datasets.file_path(settings, "acled")).events.to_pylist()
    assert sorted(e["event_id"] for e in events) == [
        "acled:SDN00000", "acled:SDN00001", "acled:SDN00002", "acled:SDN00010", "acled:SDN00011",
    ]  # fmt: skip
    revised = next(e for e in events if e["event_id"] == "acled:SDN00002")
    assert revised["deaths_best"] == 12
    assert outcome.record.publication is not None
    assert outcome.record.publication.stated == "2026-10-21"

    [again] = datasets.pull_outcomes(settings, ["acled"])
    assert again.action is Action.UP_TO_DATE
    assert upstream.requests(READ)[-1].query["event_date"] == ["2026-10-21"]


def test_the_countries_asked_for_are_sent(tmp_path: Path, upstream: Upstream) -> None:
    upstream.acled_events.extend(
        [acled_event(1, "2026-10-02"), acled_event(2, "2026-10-03", "Chad")]
    )
    settings = _acled_settings(tmp_path, upstream, acled_countries=["Chad", "Mali"])
    [record] = datasets.pull(settings, ["acled"])
    assert upstream.requests(READ)[0].query["country"] == ["Chad|Mali"]
    assert record.coverage.rows == 1


def test_missing_credentials_are_a_clear_error_before_any_request(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = pull_settings(tmp_path, upstream)
    with pytest.raises(ConfigurationError) as caught:
        datasets.pull(settings, ["acled"])
    assert "BACKCHANNEL_ACLED_EMAIL" in caught.value.message
    assert "BACKCHANNEL_ACLED_PASSWORD" in caught.value.message
    assert upstream.log == []
    [skipped] = datasets.pull_outcomes(settings, manifest=[datasets.dataset_spec("acled")])
    assert skipped.action is Action.SKIPPED


def test_refused_credentials_name_the_account_not_the_password(
    tmp_path: Path, upstream: Upstream
) -> None:
    settings = _acled_settings(tmp_path, upstream, acled_password="wrong password")
    with pytest.raises(DataUnavailableError) as caught:
        datasets.pull(settings, ["acled"])
    message = caught.value.message
    assert "refused to sign in analyst@example.org" in message and "HTTP 401" in message
    assert "wrong password" not in message
    assert not (settings.datasets_dir / "acled").exists()
    assert upstream.requests(READ) == []


def test_acled_never_comes_from_a_mirror(tmp_path: Path, upstream: Upstream) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "acled").mkdir(parents=True)
    (mirror / "acled" / "export.csv").write_text(",".join(ACLED_COLUMNS) + "\n")
    settings = _acled_settings(tmp_path, upstream)
    with pytest.raises(DataUnavailableError, match="never installed from a mirror"):
        datasets.pull(settings, ["acled"], mirror=mirror)
    shared = mirror_path()
    if shared is not None:
        outcomes = datasets.pull_outcomes(
            settings, mirror=shared, manifest=[datasets.dataset_spec("acled")]
        )
        assert [o.action for o in outcomes] == [Action.SKIPPED]
    assert upstream.log == []


def test_no_event_for_the_countries_asked_is_a_clear_error(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.acled_events.append(acled_event(1, "2026-10-02"))
    settings = _acled_settings(tmp_path, upstream, acled_countries=["Atlantis"])
    with pytest.raises(DataUnavailableError, match="sent no event from 2026-10-01 on for Atlantis"):
        datasets.pull(settings, ["acled"])
    assert not (settings.datasets_dir / "acled").exists()
