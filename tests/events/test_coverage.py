"""Whether the event data cover a case's country and window, on the real GED and ACD files
installed from the mirror into a temporary data folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from pydantic import ValidationError

from backchannel import datasets
from backchannel.datasets.analysis_inputs import AnalysisInputs, installed_inputs
from backchannel.events.backends import connect, event_table
from backchannel.events.coverage import (
    MIN_EVENTS_UNDER_CONFLICT,
    WINDOW_MONTHS,
    EventCoverage,
    ExtentKind,
    FileExtent,
    coverage_window,
    event_coverage,
)
from backchannel.events.ucdp_conflicts import active_conflicts
from backchannel.settings import Settings
from tests.conftest import mirror_path

CAR_FILE = "ged231_central_african_republic.csv"
SAMPLE_FILE = "ged231_global_sample_1000.csv"


class Installed:
    """The installed GED and ACD, read as an analysis reads them, on one DuckDB connection."""

    def __init__(self, inputs: AnalysisInputs) -> None:
        assert inputs.events is not None and inputs.conflicts is not None
        self.inputs = inputs
        self.events: pa.Table = inputs.events
        self.connection = connect()
        self.table = event_table(inputs.events)

    def coverage(
        self, iso3: str, day: str, extents: Mapping[str, FileExtent] | None = None
    ) -> EventCoverage:
        as_of = dt.date.fromisoformat(day)
        assert self.inputs.conflicts is not None
        return event_coverage(
            self.connection,
            self.table,
            self.inputs.event_extents if extents is None else extents,
            iso3,
            as_of,
            active_conflict=active_conflicts(self.inputs.conflicts, iso3, as_of),
        )

    def events_in_window(self, country: str, day: str) -> int:
        """The country's events in the window, counted here with Arrow alone."""
        start, end = coverage_window(dt.date.fromisoformat(day))
        dates = self.events.column("date_start")
        mask = pc.and_(
            pc.equal(self.events.column("country"), country),
            pc.and_(pc.greater_equal(dates, start), pc.less_equal(dates, end)),
        )
        return int(pc.sum(pc.cast(mask, pa.int64())).as_py() or 0)

    def source_of(self, name: str) -> str:
        return next(source for source in self.inputs.event_extents if Path(source).name == name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = mirror_path()
    if root is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    settings = Settings(data_dir=tmp_path_factory.mktemp("coverage") / "data", mirror=None)
    datasets.pull(settings, ["ucdp-ged", "ucdp-acd"], mirror=root)
    return Installed(installed_inputs(settings))


# ----------------------------------------------------------------------------- the window


@pytest.mark.parametrize(
    ("as_of", "first_day"),
    [
        ("2011-06-30", "2009-07-01"),
        ("2014-08-31", "2012-09-01"),
        ("2013-03-01", "2011-03-02"),
        ("2012-02-29", "2010-03-01"),  # 2010 has no 29 February
        ("2011-01-15", "2009-01-16"),
    ],
)
def test_the_window_is_the_months_up_to_the_day(as_of: str, first_day: str) -> None:
    day = dt.date.fromisoformat(as_of)
    assert WINDOW_MONTHS == 24
    assert coverage_window(day) == (dt.date.fromisoformat(first_day), day)


# ----------------------------------------------------------------------------- the real data


def test_the_installed_inputs_carry_extents_and_conflicts(installed: Installed) -> None:
    extents = {Path(source).name: e for source, e in installed.inputs.event_extents.items()}
    assert extents == {
        CAR_FILE: FileExtent(kind=ExtentKind.COUNTRY_EXTRACT, countries=("CAF",)),
        SAMPLE_FILE: FileExtent(kind=ExtentKind.SAMPLE),
    }
    # the keys are the source_file values the events carry
    assert set(installed.events.column("source_file").unique().to_pylist()) == set(
        installed.inputs.event_extents
    )
    assert installed.inputs.conflicts is not None and len(installed.inputs.conflicts) == 2752


def test_somalia_from_a_sample_is_not_covered(installed: Installed) -> None:
    found = installed.coverage("SOM", "2011-06-30")
    assert not found.adequate
    assert found.extent == "sample"
    assert found.files == [] and found.data_start is None and found.data_end is None
    assert found.events_in_window == installed.events_in_window("Somalia", "2011-06-30")
    assert found.events_in_window < MIN_EVENTS_UNDER_CONFLICT
    assert found.active_conflict is not None
    assert [c.conflict_id for c in found.active_conflict.conflicts] == [337]
    sample, conflict = found.problems
    assert "only a sample for Somalia" in sample and SAMPLE_FILE in sample
    assert "cover CAF only" in sample
    assert conflict.startswith("UCDP codes an active armed conflict in Somalia (war) but the data")
    assert f"hold {found.events_in_window} events in the 24 months before 2011-06-30" in conflict
    assert "conflict 337, Government of Somalia v. Al-Shabaab, Hizbul Islam, war in 2010" in (
        conflict
    )


def test_the_car_extract_covers_the_car_in_2014(installed: Installed) -> None:
    found = installed.coverage("CAF", "2014-08-31")
    assert found.adequate and found.problems == [] and found.notes == []
    assert found.extent == "country extract (CAF)"
    assert found.files == [CAR_FILE]
    assert (found.data_start, found.data_end) == (dt.date(1991, 1, 1), dt.date(2022, 12, 31))
    assert (found.window_start, found.window_end) == (dt.date(2012, 9, 1), dt.date(2014, 8, 31))
    counted = installed.events_in_window("Central African Republic", "2014-08-31")
    assert found.events_in_window == counted >= MIN_EVENTS_UNDER_CONFLICT
    assert found.active_conflict is not None
    assert {c.conflict_id for c in found.active_conflict.conflicts} == {416}


def test_the_car_extract_ends_before_2024(installed: Installed) -> None:
    found = installed.coverage("CAF", "2024-06-30")
    assert not found.adequate
    assert found.extent == "country extract (CAF)"
    assert found.data_end == dt.date(2022, 12, 31)
    assert found.problems == ["the data end on 2022-12-31, before the as-of date 2024-06-30"]


def test_the_car_extract_begins_after_an_early_window(installed: Installed) -> None:
    found = installed.coverage("CAF", "1992-06-30")
    assert found.problems == ["the data begin on 1991-01-01, after the window opens on 1990-07-01"]


def test_colombia_has_only_the_sample(installed: Installed) -> None:
    found = installed.coverage("COL", "2012-06-30")
    assert not found.adequate and found.extent == "sample"
    assert found.active_conflict is not None
    assert [c.conflict_id for c in found.active_conflict.conflicts] == [289]
    assert any("only a sample for Colombia" in p for p in found.problems)


def test_a_country_at_peace_in_the_sample_is_still_not_covered(installed: Installed) -> None:
    found = installed.coverage("NOR", "2012-06-30")
    assert found.active_conflict is None and found.events_in_window == 0
    assert not found.adequate and found.extent == "sample"
    assert len(found.problems) == 1


def test_files_of_unknown_extent_are_accepted_and_named(installed: Installed) -> None:
    found = installed.coverage("CAF", "2014-08-31", extents={})
    assert found.adequate and found.extent == "unknown (user file)"
    assert found.data_start == dt.date(1991, 8, 8)  # the first CAR event, not a whole year
    (note,) = found.notes
    assert CAR_FILE in note and "undeclared extent" in note


def test_the_conflict_check_catches_thin_data_of_unknown_extent(installed: Installed) -> None:
    # undeclared, the sample passes for Somalia's file (its events span 2004-2022), and
    # only UCDP's conflict coding shows that two events cannot be a country at war
    found = installed.coverage("SOM", "2011-06-30", extents={})
    assert found.extent == "unknown (user file)" and found.files == [SAMPLE_FILE]
    (problem,) = found.problems
    assert "UCDP codes an active armed conflict in Somalia" in problem


def test_a_file_of_unknown_extent_without_the_country_does_not_cover_it(
    installed: Installed,
) -> None:
    car_only = {installed.source_of(CAR_FILE): FileExtent()}
    table = event_table(
        installed.events.filter(
            pc.equal(installed.events.column("source_file"), next(iter(car_only)))
        )
    )
    found = event_coverage(installed.connection, table, car_only, "NOR", dt.date(2012, 6, 30))
    assert found.extent == "unknown (user file)" and not found.adequate
    assert found.problems == [
        f"no event of Norway is in the event files ({CAR_FILE}), whose extent is not "
        "declared: they may not cover it"
    ]


def test_a_full_release_covers_every_country(installed: Installed) -> None:
    # the extract declared a full release: no event in Norway then means none happened
    declared = {installed.source_of(CAR_FILE): FileExtent(kind=ExtentKind.FULL_RELEASE)}
    found = installed.coverage("NOR", "2012-06-30", extents=declared)
    assert found.adequate and found.extent == "full release" and found.events_in_window == 0
    assert (found.data_start, found.data_end) == (dt.date(1991, 1, 1), dt.date(2022, 12, 31))


def test_the_country_names_can_be_given(installed: Installed) -> None:
    as_of = dt.date(2014, 8, 31)
    by_default = installed.coverage("CAF", "2014-08-31")
    named = event_coverage(
        installed.connection,
        installed.table,
        installed.inputs.event_extents,
        "CAF",
        as_of,
        active_conflict=by_default.active_conflict,
        country_names=["central african republic"],
    )
    assert named == by_default


def test_the_coverage_survives_json(installed: Installed) -> None:
    found = installed.coverage("SOM", "2011-06-30")
    assert EventCoverage.model_validate_json(found.model_dump_json()) == found


# ----------------------------------------------------------------------------- the model


def _fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "adequate": True,
        "country": "CAF",
        "window_start": dt.date(2012, 9, 1),
        "window_end": dt.date(2014, 8, 31),
        "extent": "full release",
        "files": ["x.csv"],
        "data_start": dt.date(1989, 1, 1),
        "data_end": dt.date(2022, 12, 31),
        "events_in_window": 3,
        "active_conflict": None,
        "problems": [],
    }
    return fields | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"problems": ["the data end early"]},
        {"adequate": False},
        {"window_start": dt.date(2015, 1, 1)},
        {"data_start": None},
    ],
)
def test_an_inconsistent_coverage_refuses_itself(changes: dict[str, Any]) -> None:
    EventCoverage(**_fields())
    with pytest.raises(ValidationError):
        EventCoverage(**_fields(**changes))


def test_a_coverage_is_frozen() -> None:
    found = EventCoverage(**_fields())
    with pytest.raises(ValidationError):
        found.adequate = False  # type: ignore[misc]


def test_an_extent_reads_as_a_phrase() -> None:
    assert FileExtent().phrase == "unknown"
    assert FileExtent(kind=ExtentKind.FULL_RELEASE).phrase == "full release"
    extract = FileExtent(kind=ExtentKind.COUNTRY_EXTRACT, countries=("CAF", "TCD"))
    assert extract.phrase == "country extract (CAF, TCD)"
