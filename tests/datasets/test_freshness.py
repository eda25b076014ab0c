"""Publication dates, ages and staleness of the installed data sets, on the real files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel import datasets
from backchannel.cli import app
from backchannel.datasets import Freshness, Publication
from backchannel.datasets.freshness import DEFAULT_MAX_AGE_DAYS, max_age_days
from backchannel.datasets.specs import Cadence
from backchannel.settings import Settings

IDS = ["un-sanctions", "ofac-sdn", "ewp", "pax"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from tests.conftest import mirror_path

    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    settings = Settings(data_dir=tmp_path_factory.mktemp("fresh") / "data", mirror=None)
    datasets.pull(settings, IDS, mirror=mirror)
    return settings


def _ages(settings: Settings, on: dt.date) -> dict[str, datasets.DataAge]:
    return {a.id: a for a in datasets.data_ages(settings, on)}


def test_each_data_set_is_dated_by_its_producer(installed: Settings) -> None:
    ages = _ages(installed, dt.date(2026, 3, 1))
    un = ages["un-sanctions"]
    assert (un.published, un.age_days, un.max_age_days, un.stale) == ("2026-02-27", 2, 30, False)
    assert "file states" in un.basis
    ewp = ages["ewp"]
    assert (ewp.published, ewp.age_days, ewp.stale) == ("2025-09-03", 179, False)
    assert ewp.max_age_days == DEFAULT_MAX_AGE_DAYS[Cadence.YEARLY]
    # OFAC's files and PA-X version 6 state no date: the age is unknown, and flagged
    for undated in ("ofac-sdn", "pax"):
        age = ages[undated]
        assert age.published is None and age.age_days is None
        assert age.freshness is Freshness.AGE_UNKNOWN and age.stale is True
        assert age.published_text == "undated" and age.age_text == "age unknown"
    never = ages["ucdp-acd"]
    assert never.freshness is Freshness.NOT_INSTALLED and never.stale is None


def test_a_copy_older_than_its_largest_age_is_stale(installed: Settings) -> None:
    ages = _ages(installed, dt.date(2026, 12, 4))
    assert ages["un-sanctions"].age_days == 280 and ages["un-sanctions"].stale is True
    assert ages["ewp"].age_days == 457 and ages["ewp"].stale is True
    # the day the limit is reached is still current; the day after is stale
    assert _ages(installed, dt.date(2026, 3, 29))["un-sanctions"].stale is False
    assert _ages(installed, dt.date(2026, 3, 30))["un-sanctions"].stale is True


def test_the_largest_ages_come_from_the_settings(installed: Settings) -> None:
    by_kind = installed.model_copy(update={"data_max_age_days": {"yearly": 100}})
    assert _ages(by_kind, dt.date(2026, 3, 1))["ewp"].stale is True
    by_id = installed.model_copy(
        update={"data_max_age_days": {"yearly": 100, "ewp": 500}, "list_max_age_days": 1}
    )
    ages = _ages(by_id, dt.date(2026, 3, 1))
    assert (ages["ewp"].max_age_days, ages["ewp"].stale) == (500, False)
    assert (ages["un-sanctions"].max_age_days, ages["un-sanctions"].stale) == (1, True)
    for spec in datasets.MANIFEST:
        assert max_age_days(Settings(mirror=None), spec) >= 1


def test_the_brief_names_only_installed_data_sets(installed: Settings) -> None:
    ages = datasets.installed_data_ages(installed, ["ucdp-ged", "un-sanctions", "ewp"])
    assert [a.id for a in ages] == ["ewp", "un-sanctions"]


def test_data_list_shows_publication_age_and_staleness(installed: Settings) -> None:
    env = {"BACKCHANNEL_DATA_DIR": str(installed.data_dir), "BACKCHANNEL_MIRROR": None}
    result = CliRunner().invoke(app, ["data", "list", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    listed = {entry["id"]: entry for entry in json.loads(result.stdout)}
    un = listed["un-sanctions"]
    assert un["published"] == "2026-02-27" and un["max_age_days"] == 30
    assert isinstance(un["age_days"], int) and un["stale"] == (un["age_days"] > 30)
    assert listed["ofac-sdn"]["published"] is None and listed["ofac-sdn"]["stale"] is True
    assert listed["ofac-sdn"]["freshness"] == "age unknown"
    assert listed["acled"]["stale"] is None and listed["acled"]["age_days"] is None
    table = CliRunner().invoke(app, ["data", "list"], env={**env, "COLUMNS": "250"})
    assert table.exit_code == 0 and "age unknown" in table.stdout and "2026-02-27" in table.stdout


def test_a_record_from_before_publication_dates_is_dated_from_the_manifest(
    installed: Settings, tmp_path: Path
) -> None:
    path = installed.datasets_dir / "ewp" / datasets.INSTALLED_JSON
    document = json.loads(path.read_text())
    document.pop("publication")
    old = tmp_path / "old"
    (old / "datasets" / "ewp").mkdir(parents=True)
    for file in (installed.datasets_dir / "ewp").iterdir():
        (old / "datasets" / "ewp" / file.name).symlink_to(file)
    (old / "datasets" / "ewp" / datasets.INSTALLED_JSON).unlink()
    (old / "datasets" / "ewp" / datasets.INSTALLED_JSON).write_text(json.dumps(document))
    ages = _ages(Settings(data_dir=old, mirror=None), dt.date(2026, 3, 1))
    assert ages["ewp"].published == "2025-09-03"


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("stated", "covers", "day"),
    [
        ("2026-02-27", False, dt.date(2026, 2, 27)),
        ("2025-04", False, dt.date(2025, 4, 1)),
        ("2023", False, dt.date(2023, 1, 1)),
        ("2026-08", True, dt.date(2026, 8, 31)),
        ("2024-02", True, dt.date(2024, 2, 29)),
        ("2025", True, dt.date(2025, 12, 31)),
    ],
)
def test_a_stated_date_counts_from_its_earliest_possible_day(
    stated: str, covers: bool, day: dt.date
) -> None:
    publication = Publication.of(stated, "test", covers_period=covers)
    assert (publication.stated, publication.day) == (stated, day)


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.booleans(), st.integers(0, 2))
def test_every_stated_date_reads_back_to_a_day_within_it(
    day: dt.date, covers: bool, precision: int
) -> None:
    stated = day.isoformat()[: (10, 7, 4)[precision]]
    publication = Publication.of(stated, "test", covers_period=covers)
    assert publication.day.isoformat().startswith(stated)


@given(st.text(max_size=12))
def test_anything_else_is_refused_with_a_value_error(text: str) -> None:
    try:
        publication = Publication.of(text, "test")
    except ValueError:
        return
    assert publication.day.isoformat().startswith(text.strip())
