"""One validation path: a case's rules live in the model, and the web's input models, made
from it, accept exactly what the model accepts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from backchannel.casefile import parse_case
from backchannel.errors import InvalidInputError
from backchannel.model.case import Context, Judgement
from backchannel.model.limits import MAX_LIST_ITEMS, MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from backchannel.web.inputs import CaseIn, JudgementIn

CASE_FILE = """\
id: validation-case
context:
  title: A case
  country: CAF
  period:
    start: 2013-01-01
"""

REAL_CODES = sorted(country.alpha_3 for country in pycountry.countries)


def accepts(model: type[BaseModel], values: dict[str, Any]) -> bool:
    try:
        model.model_validate(values)
    except ValidationError:
        return False
    return True


def test_a_case_file_with_a_country_no_one_holds_is_refused_at_that_field() -> None:
    assert parse_case(CASE_FILE).context.country == "CAF"
    with pytest.raises(InvalidInputError) as refused:
        parse_case(CASE_FILE.replace("CAF", "XXX"), "case.yaml")
    (problem,) = refused.value.problems
    assert (problem.location, problem.line) == ("context.country", 4)
    assert "'XXX' is not an ISO 3166-1 alpha-3 country code" in problem.message


def test_the_model_refuses_an_unknown_country_wherever_a_context_is_built() -> None:
    with pytest.raises(ValidationError) as refused:
        Context(title="A case", country="XXX", period={"start": dt.date(2013, 1, 1)})
    (error,) = refused.value.errors()
    assert error["loc"] == ("country",)


def test_kosovo_is_accepted_by_its_code_in_general_use() -> None:
    # XKX is not in ISO 3166-1, but the event and forecast data know Kosovo by it
    context = Context(title="A case", country="XKX", period={"start": dt.date(1998, 1, 1)})
    assert context.country == "XKX"


def _context_of(case_in: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in case_in.items() if k not in {"id", "period_start", "period_end"}}
    period = {"start": case_in["period_start"], "end": case_in.get("period_end")}
    return {**values, "period": period}


BASE_CASE = {"title": "A case", "country": "SOM", "period_start": "2011-01-01"}


@settings(max_examples=300, deadline=None)
@given(
    country=st.one_of(
        st.sampled_from(REAL_CODES),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
        st.text(max_size=5),
    )
)
def test_the_web_input_and_the_model_agree_on_countries(country: str) -> None:
    case_in = {**BASE_CASE, "country": country}
    assert accepts(CaseIn, case_in) == accepts(Context, _context_of(case_in)), country


# values at, and just past, each limit a case's fields have; and values of the wrong kind
FIELD_VALUES: dict[str, list[Any]] = {
    "title": ["", "t", "t" * MAX_NAME_LENGTH, "t" * (MAX_NAME_LENGTH + 1), "a\x00b", 5],
    "country": ["CAF", "XXX", "caf", "CA", "COLO", None],
    "regions": [
        [],
        ["Vakaga"],
        ["r" * MAX_NAME_LENGTH],
        ["r" * (MAX_NAME_LENGTH + 1)],
        ["x"] * MAX_LIST_ITEMS,
        ["x"] * (MAX_LIST_ITEMS + 1),
        ["a\x00"],
        "Vakaga",
    ],
    "summary": ["", "s" * MAX_TEXT_LENGTH, "s" * (MAX_TEXT_LENGTH + 1), "\x00", None],
    "period_start": ["2011-01-01", "2011-02-30", "yesterday", None],
    "period_end": [None, "2010-12-31", "2011-01-01", "2012-06-30", "soon"],
}


@pytest.mark.parametrize(
    ("field", "value"),
    [(field, value) for field, values in FIELD_VALUES.items() for value in values],
    ids=lambda v: repr(v)[:20],
)
def test_the_web_input_and_the_model_agree_on_every_case_field(field: str, value: Any) -> None:
    case_in = {**BASE_CASE, field: value}
    assert accepts(CaseIn, case_in) == accepts(Context, _context_of(case_in))


def test_the_enumeration_covers_every_field_of_the_case_input() -> None:
    assert set(FIELD_VALUES) | {"id"} == set(CaseIn.model_fields)


BASE_JUDGEMENT = {"subject": "condition:cohesion", "finding": "Fragmented command."}
SERVER_SET = {
    "id": "jud-1",
    "analyst": "amina",
    "at": dt.datetime(2013, 3, 1, tzinfo=dt.UTC),
    "origin": "analyst",
}


@settings(max_examples=200, deadline=None)
@given(
    subject=st.one_of(
        st.sampled_from(["framework:rf1", "framework:rf1.3", "condition:cohesion", "seleka"]),
        st.text(max_size=12),
    ),
    status=st.one_of(st.none(), st.sampled_from(["present", "absent", "unknown", "maybe"])),
    severity=st.one_of(st.none(), st.integers(min_value=-2, max_value=5)),
    events=st.lists(st.sampled_from(["ged:123456", "acled:XYZ1", "123", "ged:"]), max_size=3),
)
def test_the_web_input_and_the_model_agree_on_judgements(
    subject: str, status: str | None, severity: int | None, events: list[str]
) -> None:
    given_values = {
        **BASE_JUDGEMENT,
        "subject": subject,
        "status": status,
        "severity": severity,
        "events": events,
    }
    assert accepts(JudgementIn, given_values) == accepts(
        Judgement, {**given_values, **SERVER_SET}
    ), given_values


def test_a_judgement_input_may_not_set_what_the_server_sets() -> None:
    for field in ("analyst", "origin"):
        assert not accepts(JudgementIn, {**BASE_JUDGEMENT, field: SERVER_SET[field]})
    assert set(JudgementIn.model_fields) == set(Judgement.model_fields) - {"analyst", "origin"}


def test_a_naive_moment_is_refused_by_the_input_as_by_the_model() -> None:
    naive = {**BASE_JUDGEMENT, "at": "2013-03-01T09:00:00"}
    assert not accepts(JudgementIn, naive)
    assert not accepts(Judgement, {**SERVER_SET, **naive})
    assert accepts(JudgementIn, {**naive, "at": "2013-03-01T09:00:00Z"})


@pytest.mark.parametrize("field", ["id", "at"])
def test_a_field_the_server_fills_may_be_null_but_not_malformed(field: str) -> None:
    assert accepts(JudgementIn, {**BASE_JUDGEMENT, field: None})
    malformed = {"id": "bad id", "at": "2013-03-01T09:00:00"}[field]
    assert not accepts(JudgementIn, {**BASE_JUDGEMENT, field: malformed})
    assert not accepts(Judgement, {**SERVER_SET, **BASE_JUDGEMENT, field: malformed})


def test_a_case_id_may_be_null_but_not_malformed() -> None:
    assert accepts(CaseIn, {**BASE_CASE, "id": None})
    assert accepts(CaseIn, {**BASE_CASE, "id": "somalia-2011"})
    assert not accepts(CaseIn, {**BASE_CASE, "id": "bad id"})
