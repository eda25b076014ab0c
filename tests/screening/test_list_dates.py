"""Each list's publication date, read from the real files, named by every screening.

The UN list states when it was generated; OFAC's delimited files state nothing, so their copy
is undated, never the day it was read. A screening sets each date against its own day and the
largest age accepted: current, stale, undated, or published after that day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.casefile import load_case
from backchannel.datasets.designation_lists import load_screening
from backchannel.screening.case_screening import screen_case
from backchannel.screening.entity import ReadResult
from backchannel.screening.freshness import (
    DEFAULT_MAX_AGE_DAYS,
    Currency,
    list_currency,
    publication_date,
    published_text,
)
from backchannel.screening.lists import load_lists
from backchannel.screening.read_un import read_un
from backchannel.screening.screen import Screening
from backchannel.settings import Settings
from tests.conftest import EXAMPLES

PUBLISHED_UN = dt.date(2026, 2, 27)


@pytest.fixture(scope="module")
def real_lists() -> list[ReadResult]:
    from tests.conftest import mirror_path

    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    return load_lists(mirror / "sanctions")


def _by_list(results: list[ReadResult]) -> dict[str, ReadResult]:
    return {r.list_id: r for r in results}


# ----------------------------------------------------------------------------- the real files


def test_the_real_files_state_their_publication_dates(real_lists: list[ReadResult]) -> None:
    lists = _by_list(real_lists)
    assert lists["un-sc"].published == PUBLISHED_UN
    assert lists["un-sc"].snapshot == "2026-02-27T00:00:09.554Z"
    assert lists["ofac-sdn"].published is None  # the CSV files give no date at all
    assert {r.list_id: published_text(r.published) for r in real_lists} == {
        "un-sc": "2026-02-27",
        "ofac-sdn": "undated",
    }


def test_a_screening_names_each_list_with_its_date_and_age(real_lists: list[ReadResult]) -> None:
    screening = Screening(real_lists)
    day = dt.date(2026, 3, 20)  # 21 days after the UN list was generated
    result = screening.screen("Harakat al-Shabaab al-Mujahideen", as_of=day)
    named = {c.list_id: c for c in result.lists}
    assert (named["un-sc"].published, named["un-sc"].age_days) == (PUBLISHED_UN, 21)
    assert named["un-sc"].status is Currency.CURRENT
    assert named["ofac-sdn"].status is Currency.UNDATED
    assert any(n.startswith("ofac-sdn states no publication date") for n in result.notes)
    assert not any(n.startswith("un-sc was published") for n in result.notes)
    hits = {h.hit.list: h.as_dict() for h in result.hits}
    assert hits["un-sc"]["list_published"] == "2026-02-27"
    assert hits["ofac-sdn"]["list_published"] == "undated"

    later = screening.screen("Harakat al-Shabaab al-Mujahideen", as_of=dt.date(2026, 4, 1))
    assert any("more than 30 days" in n for n in later.notes)


def test_a_case_screening_carries_the_dates_into_its_document(
    real_lists: list[ReadResult],
) -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    result = screen_case(case, Screening(real_lists), as_of=dt.date(2012, 2, 29))
    lists = {entry["list"]: entry for entry in result.as_dict()["lists"]}
    assert lists["un-sc"]["published"] == "2026-02-27"
    assert lists["un-sc"]["currency"] == "published_later"  # a replay reads a later copy
    assert lists["un-sc"]["age_days"] == -(PUBLISHED_UN - dt.date(2012, 2, 29)).days
    assert (lists["ofac-sdn"]["published"], lists["ofac-sdn"]["currency"]) == (
        "undated",
        "undated",
    )
    assert [c.list_id for c in result.limiting_lists()] == ["ofac-sdn"]
    assert any("a later copy, not the one known then" in n for n in result.notes)


def test_the_installed_lists_take_the_age_limit_from_the_settings(
    tmp_path: Path, mirror: Path
) -> None:
    from backchannel import datasets

    settings = Settings(data_dir=tmp_path / "data", mirror=None, list_max_age_days=400)
    datasets.pull(settings, ["un-sanctions"], mirror=mirror)
    screening = load_screening(settings)
    assert screening.max_age_days == 400
    [un] = screening.currency(dt.date(2027, 1, 1))
    assert un.status is Currency.CURRENT  # 308 days: within 400


def test_the_default_age_limit_is_the_settings_default() -> None:
    assert Settings.model_fields["list_max_age_days"].default == DEFAULT_MAX_AGE_DAYS


# ----------------------------------------------------------------------------- currency


@pytest.mark.parametrize(
    ("published", "on", "status", "age"),
    [
        (dt.date(2026, 2, 27), dt.date(2026, 2, 27), Currency.CURRENT, 0),
        (dt.date(2026, 2, 27), dt.date(2026, 3, 29), Currency.CURRENT, 30),
        (dt.date(2026, 2, 27), dt.date(2026, 3, 30), Currency.STALE, 31),
        (dt.date(2026, 2, 27), dt.date(2026, 2, 26), Currency.PUBLISHED_LATER, -1),
        (None, dt.date(2026, 2, 27), Currency.UNDATED, None),
    ],
)
def test_currency_of_a_copy(
    published: dt.date | None, on: dt.date, status: Currency, age: int | None
) -> None:
    currency = list_currency("un-sc", published, on, 30)
    assert (currency.status, currency.age_days) == (status, age)
    assert currency.limits_clearance == (status in (Currency.STALE, Currency.UNDATED))
    assert (currency.warning is None) == (status is Currency.CURRENT)
    assert currency.as_dict()["published"] == published_text(published)


def test_a_negative_age_limit_is_refused(real_lists: list[ReadResult]) -> None:
    with pytest.raises(ValueError, match="negative"):
        list_currency("un-sc", None, dt.date(2026, 1, 1), -1)
    with pytest.raises(ValueError, match="negative"):
        Screening(real_lists[:1], max_age_days=-1)


# ----------------------------------------------------------------------------- the stamp parser

_ZONES = st.sampled_from(["", "Z", "+00:00", "-04:00", "+0530"])
_TIMES = st.one_of(
    st.just(""),
    st.times().map(lambda t: "T" + t.isoformat()),
    st.times().map(lambda t: "T" + t.strftime("%H:%M")),
)


@given(day=st.dates(min_value=dt.date(1000, 1, 1)), time=_TIMES, zone=_ZONES)
def test_a_stamp_gives_the_date_it_writes(day: dt.date, time: str, zone: str) -> None:
    assert publication_date(f"{day.isoformat()}{time}{zone}") == day


@given(text=st.text(max_size=40))
def test_any_text_gives_a_date_or_none_and_never_raises(text: str) -> None:
    found = publication_date(text)
    assert found is None or found.isoformat() in text


@pytest.mark.parametrize("stamp", [None, "", "last week", "2026-02-30", "27/02/2026", "2026-02"])
def test_what_is_not_a_date_is_undated(stamp: str | None) -> None:
    assert publication_date(stamp) is None


# ----------------------------------------------------------------------------- the UN reader


def _un_document(stamp: str | None) -> str:
    attribute = "" if stamp is None else f' dateGenerated="{stamp}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST{attribute}>'
        "<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ERIC</FIRST_NAME>"
        "<SECOND_NAME>BADEGE</SECOND_NAME></INDIVIDUAL></INDIVIDUALS><ENTITIES/>"
        "</CONSOLIDATED_LIST>\n"
    )


_ATTRIBUTE = st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters='<&"')


@settings(deadline=None)
@given(stamp=st.one_of(st.none(), st.text(_ATTRIBUTE), st.dates().map(dt.date.isoformat)))
def test_the_un_reader_dates_its_list_by_the_stamp_alone(stamp: str | None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "un.xml"
        path.write_text(_un_document(stamp), encoding="utf-8")
        result = read_un(path)
    # XML normalises whitespace in attribute values: compare with what the parser saw
    assert result.published == publication_date(result.snapshot)
    unreadable = result.snapshot is not None and result.published is None
    assert unreadable == any("dateGenerated" in w.reason for w in result.warnings)


def test_a_later_copy_is_named_but_does_not_count_as_stale(real_lists: list[ReadResult]) -> None:
    un = dataclasses.replace(_by_list(real_lists)["un-sc"])
    screening = Screening([un])
    [currency] = screening.currency(dt.date(2013, 12, 31))
    assert currency.status is Currency.PUBLISHED_LATER and not currency.limits_clearance
    assert currency.text == "un-sc was published 2026-02-27, 4441 days after 2013-12-31"


# ----------------------------------------------------------------------------- the command line


def test_the_command_line_names_each_list_with_its_date(tmp_path: Path, mirror: Path) -> None:
    import json

    from typer.testing import CliRunner

    from backchannel.cli import app

    runner = CliRunner()
    env: dict[str, str | None] = {
        "BACKCHANNEL_DATA_DIR": str(tmp_path / "data"),
        "BACKCHANNEL_MIRROR": None,
    }
    pulled = runner.invoke(
        app, ["data", "pull", "un-sanctions", "ofac-sdn", "--mirror", str(mirror)], env=env
    )
    assert pulled.exit_code == 0, pulled.stderr
    assert "1,003 entries, published 2026-02-27" in pulled.stdout
    assert "8,976 entries, undated" in pulled.stdout

    table = runner.invoke(app, ["screen", "Al-Shabaab", "--as-of", "2026-03-20"], env=env)
    assert table.exit_code == 0, table.stderr
    assert "lists: un-sc (published 2026-02-27, 21 days old)" in table.stdout
    assert "ofac-sdn (undated: the file states no publication date)" in table.stdout
    assert "note: ofac-sdn states no publication date" in table.stdout

    as_json = runner.invoke(app, ["screen", "Al-Shabaab", "--format", "json"], env=env)
    assert as_json.exit_code == 0, as_json.stderr
    hits = json.loads(as_json.stdout)  # still the list of hits, whole
    assert {(h["list"], h["list_published"]) for h in hits} >= {
        ("un-sc", "2026-02-27"),
        ("ofac-sdn", "undated"),
    }
    assert "lists: un-sc (published 2026-02-27" in as_json.stderr
