"""What the record pages show of a case's actors, relations, judgements, engagements and
commitments, for the user looking.

For a user whose role does not give the full brief (a viewer), the records are shown as
the redacted brief shows them (``redaction.Disclosure``): sensitive fields (notes,
evidence, participants, what was said, where, commitment texts) left out, masked actors
named by their labels wherever they appear, and every record id replaced by an opaque
label, in the rows and in the names they are looked up by alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from backchannel.model.case import FRAMEWORK_PREFIX, Case, Judgement, Record
from backchannel.model.vocabulary import JudgementOrigin
from backchannel.redaction import Disclosure
from backchannel.risk.framework import Framework, load_framework

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


def shown_records(records: Sequence[Record], disclosure: Disclosure | None) -> list[dict[str, Any]]:
    """``records`` as JSON-ready rows; redacted by ``disclosure`` when one is given (left-out
    fields empty)."""
    if disclosure is None:
        return [record.model_dump(mode="json") for record in records]
    return [disclosure.record_view(record, hidden=None) for record in records]


def actor_names(case: Case, disclosure: Disclosure | None) -> dict[str, str]:
    """Actor id to the name shown for it; both redacted by ``disclosure`` when given."""
    if disclosure is None:
        return {actor.id: actor.name for actor in case.actors}
    return {
        disclosure.record_label(actor.id): disclosure.label(actor.id)
        or disclosure.mask_text(actor.name)
        for actor in case.actors
    }


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
