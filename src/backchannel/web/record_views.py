"""What the record pages show of a case's actors, relations, judgements, engagements and
commitments, for the user looking.

For a user whose role does not give the full brief (a viewer), the sensitive fields of
every record (notes, evidence, participants, what was said, commitment texts) are left
out and intermediaries' names, aliases and ids are masked wherever they appear, as in the
redacted brief.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from backchannel.model.case import FRAMEWORK_PREFIX, Case, Judgement, Record
from backchannel.model.vocabulary import JudgementOrigin
from backchannel.reports.actor_section import mask_names
from backchannel.risk.framework import Framework, load_framework

#: Fields that may name an intermediary and so stay, masked, in a redacted view.
IDENTITY_FIELDS = frozenset({"name", "aliases"})
#: How much of an indicator's description a subject's option shows.
OPTION_LENGTH = 110


@dataclass(frozen=True)
class SubjectOption:
    """One subject a framework judgement may be on: a factor or one of its indicators."""

    value: str
    label: str
    factor: bool


@dataclass(frozen=True)
class SubjectGroup:
    """A risk factor and its indicators, as one group of the subject list."""

    label: str
    options: tuple[SubjectOption, ...]


@cache
def framework() -> Framework:
    """The packaged UN Framework of Analysis (read once)."""
    return load_framework()


@cache
def subject_groups() -> tuple[SubjectGroup, ...]:
    """The 14 risk factors with their indicators, as a form's grouped options."""
    groups = []
    for factor in framework():
        options = [SubjectOption(f"{FRAMEWORK_PREFIX}{factor.id}", factor.name, True)]
        for indicator in factor.indicators:
            text = indicator.description
            if len(text) > OPTION_LENGTH:
                text = text[: OPTION_LENGTH - 1].rstrip() + "…"
            options.append(
                SubjectOption(
                    f"{FRAMEWORK_PREFIX}{indicator.id}", f"{indicator.number} {text}", False
                )
            )
        groups.append(SubjectGroup(f"Risk factor {factor.number}: {factor.name}", tuple(options)))
    return tuple(groups)


@cache
def subject_labels() -> dict[str, str]:
    """Each framework subject to the words that name it."""
    labels = {}
    for factor in framework():
        labels[f"{FRAMEWORK_PREFIX}{factor.id}"] = f"Risk factor {factor.number}: {factor.name}"
        for indicator in factor.indicators:
            labels[f"{FRAMEWORK_PREFIX}{indicator.id}"] = (
                f"Indicator {indicator.number} ({factor.name})"
            )
    return labels


def shown_records(case: Case, records: Sequence[Record], redacted: bool) -> list[dict[str, Any]]:
    """``records`` as JSON-ready rows; without sensitive fields and masked when ``redacted``."""
    rows = []
    for record in records:
        row = record.model_dump(mode="json")
        if redacted:
            for name in record.sensitive_fields() - IDENTITY_FIELDS:
                row[name] = None
        rows.append(row)
    return mask_names(case, rows) if redacted else rows


def actor_names(case: Case, redacted: bool) -> dict[str, str]:
    """Actor id (masked too when ``redacted``) to the name shown for it."""
    names = {actor.id: actor.name for actor in case.actors}
    if redacted:
        masked = mask_names(case, names)
        return {mask_names(case, key): value for key, value in masked.items()}
    return names


def awaiting_review(judgements: Sequence[Judgement]) -> list[Judgement]:
    """Machine-suggested judgements no analyst has confirmed or rejected yet, oldest first."""
    reviewed = {j.reviews for j in judgements if j.reviews is not None}
    return [j for j in judgements if j.origin is JudgementOrigin.MACHINE and j.id not in reviewed]


def newest_first(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """``rows`` sorted by their ``key`` date or time, newest first (stable among equals)."""
    return sorted(rows, key=lambda row: str(row.get(key) or ""), reverse=True)


def today_utc() -> dt.date:
    """Today's date in UTC: the default of the forms' date fields."""
    return dt.datetime.now(dt.UTC).date()
