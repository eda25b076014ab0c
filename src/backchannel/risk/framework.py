"""The 14 risk factors of the UN Framework of Analysis for Atrocity Crimes, as data.

The factors and their indicators live in ``data/framework/un_framework_2014.yaml``, in our
own words with the source's numbering. This module reads that file once into small frozen
objects and refuses a file that breaks the contract: exactly 14 factors numbered 1 to 14,
ids unique across factors and indicators, every factor and indicator with an id, a
description and a source reference, and every indicator numbered under its own factor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backchannel.errors import NotFoundError, Problem
from backchannel.rulefiles.yaml_source import YamlDocument, read_rule_file

PACKAGED_FRAMEWORK = "data/framework/un_framework_2014.yaml"
FACTOR_COUNT = 14
CATEGORIES = ("common", "genocide", "crimes_against_humanity", "war_crimes")
DATA_SOURCES = (
    "ucdp_state_based",
    "ucdp_one_sided",
    "ucdp_non_state",
    "ewp_predictors",
    "ewp_forecast",
)
_SOURCE_KEYS = ("title", "publisher", "year", "url")


@dataclass(frozen=True)
class Indicator:
    """One numbered indicator of a risk factor (``rf1.3`` is indicator 1.3)."""

    id: str
    number: str
    description: str
    source_ref: str
    factor_id: str
    note: str | None = None


@dataclass(frozen=True)
class DataHint:
    """One of our data sources that can help pre-fill a factor, and why."""

    source: str
    why: str


@dataclass(frozen=True)
class RiskFactor:
    """One of the 14 risk factors, with its indicators."""

    id: str
    number: int
    name: str
    category: str
    description: str
    source_ref: str
    indicators: tuple[Indicator, ...]
    data_hints: tuple[DataHint, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class FrameworkSource:
    """The publication the factors come from."""

    title: str
    publisher: str
    year: int
    url: str


@dataclass(frozen=True)
class Framework:
    """The whole framework: its source and its 14 factors in source order."""

    source: FrameworkSource
    factors: tuple[RiskFactor, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator of every factor, in source order."""
        return tuple(i for f in self.factors for i in f.indicators)

    def factor(self, factor_id: str) -> RiskFactor:
        """The factor with this id (``rf1`` ... ``rf14``)."""
        for factor in self.factors:
            if factor.id == factor_id:
                return factor
        known = ", ".join(f.id for f in self.factors)
        raise NotFoundError(f"no risk factor {factor_id!r}; known factors: {known}")

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id (``rf1.3``)."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        prefix = indicator_id.split(".", 1)[0]
        candidates = [i.id for i in self.indicators if i.factor_id == prefix]
        hint = (
            f"indicators of {prefix}: {', '.join(candidates)}"
            if candidates
            else "indicator ids look like rf1.3; factors are "
            + ", ".join(f.id for f in self.factors)
        )
        raise NotFoundError(f"no indicator {indicator_id!r}; {hint}")

    def subject_order(self, subject: str) -> tuple[int, int]:
        """Sort key of a factor or indicator id in source order (a factor before its indicators)."""
        factor = self.factor(subject.split(".", maxsplit=1)[0])
        if subject == factor.id:
            return factor.number, -1
        ids = [i.id for i in factor.indicators]
        return factor.number, ids.index(subject) if subject in ids else len(ids)

    def by_category(self, category: str) -> tuple[RiskFactor, ...]:
        """The factors of one category (``common``, ``genocide``, ...)."""
        if category not in CATEGORIES:
            raise NotFoundError(f"no category {category!r}; known categories: {CATEGORIES}")
        return tuple(f for f in self.factors if f.category == category)

    def __iter__(self) -> Iterator[RiskFactor]:
        return iter(self.factors)


def load_framework(path: str | Path | None = None) -> Framework:
    """Read and check the framework (default: the packaged 2014 UN framework).

    Raises ``InvalidInputError`` listing every problem found, each located by the id of
    the factor or indicator where it could be read (``factors[rf4].indicators[rf4.3]``)
    and by its line in the file.
    """
    if path is None:
        return _packaged_framework()
    return _parse_framework(read_rule_file(path, PACKAGED_FRAMEWORK))


@functools.cache
def _packaged_framework() -> Framework:
    # Frozen dataclasses all the way down, so one shared instance is safe.
    return _parse_framework(read_rule_file(None, PACKAGED_FRAMEWORK))


def _parse_framework(document: YamlDocument) -> Framework:
    # The checks below are written by hand rather than as a pydantic model: they locate
    # problems by factor and indicator id, which is how analysts cite the framework, and
    # the document's node tree gives each of those locations its line.
    framework, problems = _parse(document.data, document.line_of)
    if problems or framework is None:
        document.refuse(problems)
    return framework


def _parse(
    document: Any, line_of: Callable[[str], int | None]
) -> tuple[Framework | None, list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(document, Mapping):
        return None, [Problem("", "expected a mapping with 'source' and 'factors'")]
    source = _parse_source(document.get("source"), problems)
    entries = document.get("factors")
    if not isinstance(entries, list):
        problems.append(Problem("factors", "expected a list of risk factors"))
        return None, problems
    factors = [
        factor
        for index, entry in enumerate(entries)
        if (factor := _parse_factor(entry, index, problems)) is not None
    ]
    _check_whole(entries, problems, line_of)
    if problems or source is None:
        return None, problems
    return Framework(source, tuple(factors)), problems


def _parse_source(entry: Any, problems: list[Problem]) -> FrameworkSource | None:
    if not isinstance(entry, Mapping):
        problems.append(Problem("source", "expected a mapping with " + ", ".join(_SOURCE_KEYS)))
        return None
    missing = [key for key in _SOURCE_KEYS if not _text(entry.get(key))]
    for key in missing:
        problems.append(Problem(f"source.{key}", "required and must not be empty"))
    if missing:
        return None
    year = entry["year"]
    if not isinstance(year, int):
        problems.append(Problem("source.year", f"expected a year as a whole number, got {year!r}"))
        return None
    return FrameworkSource(
        _text(entry["title"]), _text(entry["publisher"]), year, _text(entry["url"])
    )


def _parse_factor(entry: Any, index: int, problems: list[Problem]) -> RiskFactor | None:
    if not isinstance(entry, Mapping):
        problems.append(Problem(f"factors[{index}]", "expected a mapping"))
        return None
    factor_id = _text(entry.get("id"))
    where = f"factors[{factor_id or index}]"
    start = len(problems)
    for key in ("id", "name", "description", "source_ref"):
        if not _text(entry.get(key)):
            problems.append(Problem(f"{where}.{key}", "required and must not be empty"))
    number = entry.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        problems.append(Problem(f"{where}.number", f"expected a whole number, got {number!r}"))
        number = None
    category = entry.get("category")
    if category not in CATEGORIES:
        problems.append(
            Problem(f"{where}.category", f"expected one of {CATEGORIES}, got {category!r}")
        )
    hints = _parse_hints(entry.get("data_hints"), where, problems)
    raw_indicators = entry.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        problems.append(Problem(f"{where}.indicators", "expected a non-empty list of indicators"))
        raw_indicators = []
    indicators = [
        indicator
        for position, raw in enumerate(raw_indicators)
        if (
            indicator := _parse_indicator(
                raw,
                position,
                factor_where=where,
                factor_id=factor_id,
                factor_number=number,
                problems=problems,
            )
        )
        is not None
    ]
    if len(problems) > start or number is None:
        return None
    return RiskFactor(
        id=factor_id,
        number=number,
        name=_text(entry["name"]),
        category=str(category),
        description=_text(entry["description"]),
        source_ref=_text(entry["source_ref"]),
        indicators=tuple(indicators),
        data_hints=hints,
        note=_text(entry.get("note")) or None,
    )


def _parse_indicator(
    entry: Any,
    position: int,
    *,
    factor_where: str,
    factor_id: str,
    factor_number: int | None,
    problems: list[Problem],
) -> Indicator | None:
    if not isinstance(entry, Mapping):
        problems.append(Problem(f"{factor_where}.indicators[{position}]", "expected a mapping"))
        return None
    indicator_id = _text(entry.get("id"))
    where = f"{factor_where}.indicators[{indicator_id or position}]"
    start = len(problems)
    for key in ("id", "number", "description", "source_ref"):
        if not _text(entry.get(key)):
            problems.append(Problem(f"{where}.{key}", "required and must not be empty"))
    number = _text(entry.get("number"))
    if number and factor_number is not None:
        head, dot, tail = number.partition(".")
        if head != str(factor_number) or not dot or not tail.isdigit():
            problems.append(
                Problem(
                    f"{where}.number",
                    f"expected {factor_number}.<n> under risk factor {factor_number}, "
                    f"got {number!r}",
                )
            )
    if len(problems) > start:
        return None
    return Indicator(
        id=indicator_id,
        number=number,
        description=_text(entry["description"]),
        source_ref=_text(entry["source_ref"]),
        factor_id=factor_id,
        note=_text(entry.get("note")) or None,
    )


def _parse_hints(entries: Any, where: str, problems: list[Problem]) -> tuple[DataHint, ...]:
    if entries is None:
        return ()
    if not isinstance(entries, list):
        problems.append(Problem(f"{where}.data_hints", "expected a list"))
        return ()
    hints = []
    for index, entry in enumerate(entries):
        here = f"{where}.data_hints[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem(here, "expected a mapping with 'source' and 'why'"))
            continue
        source, why = entry.get("source"), _text(entry.get("why"))
        if source not in DATA_SOURCES:
            problems.append(Problem(f"{here}.source", f"expected one of {DATA_SOURCES}"))
        if not why:
            problems.append(Problem(f"{here}.why", "required and must not be empty"))
        if source in DATA_SOURCES and why:
            hints.append(DataHint(str(source), why))
    return tuple(hints)


def _check_whole(
    entries: list[Any], problems: list[Problem], line_of: Callable[[str], int | None]
) -> None:
    """Checks that span the whole file: count, numbering and unique ids."""
    if len(entries) != FACTOR_COUNT:
        problems.append(
            Problem("factors", f"expected {FACTOR_COUNT} risk factors, found {len(entries)}")
        )
    seen: dict[str, str] = {}
    numbers: dict[str, str] = {}
    for entry_index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        factor_id = _text(entry.get("id"))
        number = entry.get("number")
        if isinstance(number, int) and number != entry_index + 1:
            problems.append(
                Problem(
                    f"factors[{factor_id or entry_index}].number",
                    f"expected {entry_index + 1} (factors run 1 to {FACTOR_COUNT} in order), "
                    f"got {number}",
                )
            )
        # a repeated id names the entry by that id, which the first holder also answers
        # to: the line comes from the entry's position instead
        line = line_of(f"factors[{entry_index}]")
        _claim(seen, factor_id, f"factors[{factor_id or entry_index}]", problems, line=line)
        indicators = entry.get("indicators")
        for position, raw in enumerate(indicators if isinstance(indicators, list) else []):
            if not isinstance(raw, Mapping):
                continue
            indicator_id = _text(raw.get("id"))
            where = f"factors[{factor_id or entry_index}].indicators[{indicator_id or position}]"
            spot = f"factors[{entry_index}].indicators[{position}]"
            _claim(seen, indicator_id, where, problems, line=line_of(spot))
            number_text = _text(raw.get("number"))
            number_line = line_of(f"{spot}.number")
            _claim(
                numbers, number_text, f"{where}.number", problems, line=number_line, what="number"
            )


def _claim(
    seen: dict[str, str],
    key: str,
    where: str,
    problems: list[Problem],
    *,
    line: int | None,
    what: str = "id",
) -> None:
    if not key:
        return
    if key in seen:
        problems.append(
            Problem(where, f"duplicate {what} {key!r}, first used at {seen[key]}", line)
        )
    else:
        seen[key] = where


def _text(value: Any) -> str:
    """A stripped, whitespace-normalised string; empty for missing or blank values."""
    if value is None or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())
