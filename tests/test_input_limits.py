"""Input limits of the case model and the YAML loader: every refusal named, none a traceback.

- Moments in time need a time zone; one without is a located problem (case files) and a
  validation error naming the field (the model, hence the API).
- Dates that do not exist (``2021-02-30``) are located problems, not a ``ValueError`` from
  deep inside PyYAML.
- Aliases that would expand past the budget ("billion laughs") are refused at once, by the
  case-file loader, the ``case validate`` command and every rule-file loader.
- No text holds a NUL character, and names, free texts and lists are bounded.
"""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from backchannel.casefile import dump_case, load_case, parse_case
from backchannel.cli import app
from backchannel.dialogue.evidence.ushmm import load_mediation_mapping
from backchannel.errors import InvalidInputError
from backchannel.model.case import Actor, Case, Engagement, Judgement
from backchannel.model.limits import (
    MAX_LIST_ITEMS,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
)
from backchannel.redaction.rules import load_redaction_rules
from backchannel.risk.framework import load_framework
from backchannel.risk.stage import load_stage_rules
from backchannel.rulefiles.yaml_source import MAX_ALIAS_EXPANSION, MAX_DEPTH, parse_yaml
from tests.conftest import EXAMPLES

SOMALIA = EXAMPLES / "somalia-2011.yaml"
#: The first judgement's moment in the Somalia example, and the line it is written on.
SOMALIA_AT = "    at: 2011-08-20T12:00:00Z\n"


def line_of(text: str, piece: str) -> int:
    """The 1-based line on which ``piece`` starts in ``text`` (its first occurrence)."""
    return text[: text.index(piece)].count("\n") + 1


SOMALIA_AT_LINE = line_of(SOMALIA.read_text(encoding="utf-8"), SOMALIA_AT)

runner = CliRunner()


def somalia_text() -> str:
    text = SOMALIA.read_text(encoding="utf-8")
    assert text.splitlines()[SOMALIA_AT_LINE - 1] == SOMALIA_AT.rstrip("\n")
    return text


def problems_of(text: str, source: str = "case.yaml") -> list[tuple[int | None, str, str]]:
    with pytest.raises(InvalidInputError) as caught:
        parse_case(text, source=source)
    assert source in str(caught.value)
    return [(p.line, p.location, p.message) for p in caught.value.problems]


def somalia_actor() -> dict[str, Any]:
    return {"id": "al-shabaab", "name": "Harakat al-Shabaab al-Mujahideen", "kind": "armed_group"}


def judgement(**changes: Any) -> dict[str, Any]:
    return {
        "id": "j1",
        "analyst": "example analyst",
        "at": "2011-08-20T12:00:00Z",
        "subject": "condition:cohesion",
        "finding": "fragmented command",
        **changes,
    }


# --- time zones ---------------------------------------------------------------------------


def test_a_case_file_moment_without_a_time_zone_is_a_located_problem() -> None:
    naive = somalia_text().replace(SOMALIA_AT, "    at: 2011-08-20T12:00:00\n", 1)
    problems = problems_of(naive)
    assert [(line, where) for line, where, _ in problems] == [(SOMALIA_AT_LINE, "judgements[0].at")]
    assert "time zone is required" in problems[0][2]
    assert "add Z or +00:00" in problems[0][2]


@pytest.mark.parametrize("moment", ["2011-08-20T12:00:00+03:00", "2011-08-20 12:00:00Z"])
def test_a_case_file_moment_with_a_time_zone_is_read(moment: str) -> None:
    case = parse_case(somalia_text().replace(SOMALIA_AT, f"    at: {moment}\n", 1))
    assert case.judgements[0].at.utcoffset() is not None


def test_the_model_refuses_a_naive_moment_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Judgement.model_validate_json(
            '{"id": "j", "analyst": "a", "at": "2021-01-01T00:00:00", "subject": "s", '
            '"finding": "f"}'
        )
    (error,) = caught.value.errors()
    assert error["loc"] == ("at",)
    assert error["msg"].startswith("a time zone is required")


naive_moments = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1))
#: Offsets as files write them: whole minutes, up to 14 hours either way.
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
aware_moments = st.builds(lambda moment, zone: moment.replace(tzinfo=zone), naive_moments, offsets)


@settings(max_examples=100, deadline=None)
@given(naive_moments)
def test_any_naive_moment_is_refused(moment: dt.datetime) -> None:
    with pytest.raises(ValidationError, match="time zone is required"):
        Judgement.model_validate(judgement(at=moment))
    with pytest.raises(ValidationError, match="time zone is required"):
        Judgement.model_validate_json(
            Judgement.model_validate(judgement())
            .model_dump_json()
            .replace("2011-08-20T12:00:00Z", moment.isoformat())
        )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aware_moments)
def test_any_aware_moment_round_trips_through_a_case_file(moment: dt.datetime) -> None:
    case = Case.model_validate(
        {
            "id": "sample",
            "context": {"title": "T", "country": "SOM", "period": {"start": "2011-01-01"}},
            "judgements": [judgement(at=moment)],
        }
    )
    again = parse_case(dump_case(case)).judgements[0].at
    assert again == moment
    assert again.utcoffset() == moment.utcoffset()


# --- dates that do not exist ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "location", "words"),
    [
        (
            "    end: 2012-02-29\n",
            "    end: 2011-02-30\n",
            line_of(SOMALIA.read_text(encoding="utf-8"), "    end: 2012-02-29\n"),
            "context.period.end",
            "day is out",
        ),
        (
            SOMALIA_AT,
            "    at: 2021-13-01T00:00:00Z\n",
            SOMALIA_AT_LINE,
            "judgements[0].at",
            "month",
        ),
        (
            SOMALIA_AT,
            "    at: 2021-01-01T00:00:00+25:00\n",
            SOMALIA_AT_LINE,
            "judgements[0].at",
            "",
        ),
    ],
)
def test_an_impossible_date_is_a_located_problem(
    old: str, new: str, line: int, location: str, words: str
) -> None:
    text = somalia_text()
    assert old in text
    problems = problems_of(text.replace(old, new, 1))
    assert len(problems) == 1
    found_line, found_location, message = problems[0]
    assert (found_line, found_location) == (line, location)
    assert new.split(": ", 1)[1].strip() in message
    assert "is not a valid date or time" in message and words in message


def test_several_impossible_dates_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text("a: 2021-02-30\nb:\n  - 2021-04-31\n  - 2021-04-30\n")
    with pytest.raises(InvalidInputError) as caught:
        load_framework(path)
    places = [(p.line, p.location) for p in caught.value.problems]
    assert places == [(1, "a"), (3, "b[0]")]


@settings(max_examples=200, deadline=None)
@given(st.integers(1000, 9999), st.integers(0, 99), st.integers(0, 99))
def test_any_date_written_in_yaml_is_read_or_located(year: int, month: int, day: int) -> None:
    written = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        expected: dt.date | None = dt.date(year, month, day)
    except ValueError:
        expected = None
    text = f"context:\n  period:\n    start: {written}\n"
    if expected is not None:
        assert parse_yaml(text).data["context"]["period"]["start"] == expected
        return
    with pytest.raises(InvalidInputError) as caught:
        parse_yaml(text, source="dates.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.location) == (3, "context.period.start")
    assert written in problem.message


def test_other_values_that_cannot_be_built_are_located() -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_yaml("a: 1\nb: !!int twelve\n", source="tags.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.location) == (2, "b")
    assert "'twelve' is not a valid integer" in problem.message


# --- aliases --------------------------------------------------------------------------------


def laughs(levels: int = 10, width: int = 10) -> str:
    """A "billion laughs": each level a list of ``width`` aliases of the level below."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{aliases}]")
    return "\n".join(lines) + "\n"


class Hung(Exception):
    """The guarded code did not end: the alias budget no longer stops the expansion."""


@contextmanager
def guarded(seconds: int = 10) -> Iterator[None]:
    """Fail, instead of hanging the suite, if the code inside runs ``seconds``.

    Not a timing assertion: ten levels of ten aliases stand for ten billion values, which
    no unguarded walk finishes in hours; a refused file takes milliseconds.
    """

    def interrupt(_signal: int, _frame: FrameType | None) -> None:
        raise Hung

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_the_bomb_is_refused_by_the_case_loader_with_a_location() -> None:
    with guarded(), pytest.raises(InvalidInputError) as caught:
        parse_case(laughs(), source="laughs.yaml")
    (problem,) = caught.value.problems
    assert "aliases (*name)" in problem.message
    assert f"{MAX_ALIAS_EXPANSION:,}" in problem.message
    assert problem.line is not None and problem.location.startswith("l")


def test_the_bomb_is_refused_by_case_validate(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs())
    with guarded():
        result = runner.invoke(app, ["case", "validate", str(path)])
    assert result.exit_code == 3
    assert str(path) in result.stderr
    assert "expand to more than" in result.stderr


@pytest.mark.parametrize(
    "load",
    [load_framework, load_stage_rules, load_redaction_rules, load_mediation_mapping],
    ids=["framework", "stage", "redaction", "mediation"],
)
def test_the_bomb_is_refused_by_every_rule_file_loader(
    tmp_path: Path, load: Callable[[Path], object]
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(laughs())
    with guarded(), pytest.raises(InvalidInputError) as caught:
        load(path)
    assert caught.value.source == str(path)
    assert "expand to more than" in caught.value.problems[0].message


def test_an_alias_to_its_own_container_is_refused() -> None:
    with guarded(), pytest.raises(InvalidInputError) as caught:
        parse_yaml("a: &a [1, *a]\n", source="loop.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.location) == (1, "a[1]")
    assert "contains it" in problem.message


def test_nesting_past_the_limit_is_refused() -> None:
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    with pytest.raises(InvalidInputError, match="nest more than"):
        parse_yaml(deep)


def test_aliases_within_the_budget_are_read() -> None:
    text = "shared: &s [a, b, c]\nfirst: *s\nsecond: {items: *s}\n" + laughs(levels=4)
    data = parse_yaml(text).data
    assert data["first"] == data["second"]["items"] == ["a", "b", "c"]
    assert len(data["l3"]) == 10


# --- NUL characters -------------------------------------------------------------------------


def test_a_nul_in_a_case_file_is_a_located_problem() -> None:
    text = somalia_text().replace(
        "  - id: al-shabaab\n    name: Harakat al-Shabaab al-Mujahideen\n",
        '  - id: al-shabaab\n    name: "Harakat al-Shabaab\\0al-Mujahideen"\n',
        1,
    )
    problems = problems_of(text)
    assert len(problems) == 1
    line, location, message = problems[0]
    assert (line, location) == (line_of(text, '    name: "Harakat'), "actors[0].name")
    assert "NUL character" in message


def test_a_nul_in_a_list_item_names_the_item() -> None:
    with pytest.raises(ValidationError) as caught:
        Actor.model_validate({**somalia_actor(), "aliases": ["Shabaab", "al-\x00Shabab"]})
    (error,) = caught.value.errors()
    assert error["loc"] == ("aliases",)
    assert error["msg"].startswith("item 1: must not contain a NUL character")


nul_texts = st.tuples(st.text(max_size=30), st.text(max_size=30)).map(
    lambda halves: halves[0] + "\x00" + halves[1]
)


@settings(max_examples=100, deadline=None)
@given(nul_texts, st.sampled_from(["name", "notes", "aliases", "disclosed_reason"]))
def test_any_text_with_a_nul_is_refused(text: str, field: str) -> None:
    value: Any = [text] if field == "aliases" else text
    extra: dict[str, Any] = {"disclosed": True} if field == "disclosed_reason" else {}
    with pytest.raises(ValidationError, match="NUL character") as caught:
        Actor.model_validate({**somalia_actor(), **extra, field: value})
    assert [e["loc"] for e in caught.value.errors()] == [(field,)]


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), min_size=1))
def test_any_text_without_a_nul_within_the_limit_is_kept(text: str) -> None:
    engagement = Engagement.model_validate(
        {"id": "e", "date": "2011-01-01", "channel": "direct", "summary": text}
    )
    assert engagement.summary == text


# --- lengths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "n" * (MAX_NAME_LENGTH + 1), f"at most {MAX_NAME_LENGTH} characters"),
        ("notes", "n" * (MAX_TEXT_LENGTH + 1), f"at most {MAX_TEXT_LENGTH} characters"),
        ("aliases", ["a"] * (MAX_LIST_ITEMS + 1), f"at most {MAX_LIST_ITEMS} items"),
        ("aliases", ["a" * (MAX_NAME_LENGTH + 1)], f"at most {MAX_NAME_LENGTH} characters"),
    ],
)
def test_a_field_over_its_limit_is_refused(field: str, value: Any, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Actor.model_validate({**somalia_actor(), field: value})
    (error,) = caught.value.errors()
    assert error["loc"][0] == field
    assert words in error["msg"]
    Actor.model_validate({**somalia_actor(), field: value[:-1]})  # one less is fine


def test_a_text_no_field_limits_is_still_bounded() -> None:
    # disclosed_reason names no limit of its own: the common one of every text holds
    with pytest.raises(ValidationError, match=f"at most {MAX_TEXT_LENGTH} are allowed"):
        Actor.model_validate(
            {**somalia_actor(), "disclosed": True, "disclosed_reason": "r" * (MAX_TEXT_LENGTH + 1)}
        )


def test_a_long_text_in_a_case_file_is_located_and_not_quoted_whole() -> None:
    text = somalia_text()
    start = text.index("    notes: >-\n")  # al-Shabaab's
    end = text.index("    references: [hpg-2013")
    long_notes = "x" * (MAX_TEXT_LENGTH + 1)
    problems = problems_of(text[:start] + f"    notes: {long_notes}\n" + text[end:])
    assert [(line, where) for line, where, _ in problems] == [
        (line_of(text, "    notes: >-\n"), "actors[0].notes")
    ]
    message = problems[0][2]
    assert f"at most {MAX_TEXT_LENGTH} characters" in message
    assert len(message) < 300  # the value is quoted cut short


def test_the_examples_are_within_every_limit() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        assert load_case(path).id
