"""What the negotiation pages and the commitment tracker show, for the user looking.

Everything a team keeps from the counterpart is sensitive: the mandator and the mandate's
objectives and limits, who approved it and what for, the wording of red and bottom lines,
of Island of Agreement entries and of positions, who observed a commitment's keeping and
what they saw. A viewer (who gets the redacted view) sees none of it: dates, quadrants,
sides, counts and where a commitment stands, with actors by the labels the redacted brief
gives them. Nested sensitive fields (an approval's ``by``, an observation's ``observed``)
are dropped here, since the redaction of a record leaves out its own fields only.

A commitment stands where its dated evidence puts it today (``model.compliance``): the
status, the evidence that decided it, and the observations still awaiting verification.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backchannel.model.as_of import complete_on
from backchannel.model.case import Case
from backchannel.model.compliance import compliance_on, monitoring_rules
from backchannel.model.negotiation import Mandate
from backchannel.model.vocabulary import ActorKind, AgreementKind
from backchannel.redaction import Disclosure
from backchannel.web.negotiation_writes import generic_red_lines


@dataclass(frozen=True)
class ApprovalShown:
    """An approval of the mandate; who and what it covers left out of a redacted view."""

    date: str
    by: str | None
    covers: str | None


@dataclass(frozen=True)
class MandateShown:
    """The mandate as the page shows it; texts left out of a redacted view (counts stay)."""

    date: str
    valid_until: str | None
    in_force: bool
    objective_count: int
    limit_count: int
    approvals: tuple[ApprovalShown, ...]
    mandator: str | None
    objectives: tuple[str, ...]
    limits: tuple[str, ...]


@dataclass(frozen=True)
class GenericRedLine:
    """A generic red line offered for adoption, and whether the case has taken it on."""

    id: str
    text: str
    modalities: tuple[str, ...]
    adopted: bool


@dataclass(frozen=True)
class IslandGroup:
    """The Island of Agreement with one counterpart: its entries by quadrant, oldest first."""

    counterpart: str
    quadrants: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class ObservationShown:
    """One monitoring entry of a commitment; who and what left out of a redacted view."""

    date: str
    method: str
    supports: str
    counted: bool
    by: str | None
    observed: str | None


@dataclass(frozen=True)
class Standing:
    """Where a commitment stands today, why, and how its keeping is checked."""

    status: str
    decided_by: str
    awaiting: tuple[str, ...]
    methods: tuple[str, ...]
    interval_days: int | None
    verified_by: str | None
    observations: tuple[ObservationShown, ...]


def mandate_shown(
    mandate: Mandate | None, disclosure: Disclosure | None, today: dt.date
) -> MandateShown | None:
    """The mandate for the page, or ``None`` when the case has none."""
    if mandate is None:
        return None
    full = disclosure is None
    return MandateShown(
        date=mandate.date.isoformat(),
        valid_until=mandate.valid_until.isoformat() if mandate.valid_until else None,
        in_force=mandate.in_force(today),
        objective_count=len(mandate.objectives),
        limit_count=len(mandate.limits),
        approvals=tuple(
            ApprovalShown(
                date=a.date.isoformat(),
                by=a.by if full else None,
                covers=(a.covers or None) if full else None,
            )
            for a in mandate.approvals
        ),
        mandator=mandate.mandator if full else None,
        objectives=tuple(mandate.objectives) if full else (),
        limits=tuple(mandate.limits) if full else (),
    )


def mandate_defaults(mandate: Mandate | None) -> dict[str, str]:
    """The mandate form filled with the mandate in force, so replacing it is editing it."""
    if mandate is None:
        return {}
    return {
        "mandator": mandate.mandator,
        "date": mandate.date.isoformat(),
        "valid_until": mandate.valid_until.isoformat() if mandate.valid_until else "",
        "objectives": "\n".join(mandate.objectives),
        "limits": "\n".join(mandate.limits),
    }


def approval_form_rows(
    mandate: Mandate | None, posted: Sequence[dict[str, str]] | None, blank: int = 2
) -> list[dict[str, str]]:
    """The approval rows of the mandate form: those posted (a refused form), else the
    mandate's own; and ``blank`` empty rows to add more."""
    if posted is not None:
        rows = [dict(row) for row in posted]
    elif mandate is not None:
        rows = [
            {"by": a.by, "date": a.date.isoformat(), "covers": a.covers} for a in mandate.approvals
        ]
    else:
        rows = []
    return rows + [{"by": "", "date": "", "covers": ""} for _ in range(blank)]


def generic_red_line_choices(case: Case) -> list[GenericRedLine]:
    """The generic red lines of ``dialogue_plan.yaml``, each marked if the case adopted it."""
    adopted = {line.adopted_from for line in case.red_lines if line.adopted_from}
    return [
        GenericRedLine(line.id, line.text, tuple(line.modalities or ()), line.id in adopted)
        for line in generic_red_lines()
    ]


def island_groups(rows: Sequence[dict[str, Any]]) -> list[IslandGroup]:
    """Island of Agreement rows grouped by counterpart (in order of first entry), each
    counterpart's entries by quadrant, oldest first."""
    groups: dict[str, IslandGroup] = {}
    for row in sorted(rows, key=lambda r: str(r.get("date") or "")):
        counterpart = str(row["counterpart"])
        group = groups.setdefault(
            counterpart, IslandGroup(counterpart, {kind.value: [] for kind in AgreementKind})
        )
        group.quadrants[str(row["kind"])].append(row)
    return list(groups.values())


def counterpart_ids(case: Case) -> list[str]:
    """The actors a negotiation may be with: every actor but our own organisation."""
    return [a.id for a in case.actors if a.kind is not ActorKind.OWN_ORGANISATION]


def engagement_labels(case: Case, names: dict[str, str]) -> dict[str, str]:
    """Each engagement id to a label a form's select shows: the day, how, and with whom."""
    labels = {}
    for engagement in case.engagements:
        with_whom = ", ".join(names.get(c, c) for c in engagement.counterparts)
        how = engagement.channel.value.replace("_", " ")
        labels[engagement.id] = f"{engagement.date.isoformat()}, {how}" + (
            f", with {with_whom}" if with_whom else ""
        )
    return labels


def red_line_labels(case: Case) -> dict[str, str]:
    """Each red line id of the case to its wording, for the full view's checkboxes."""
    return {line.id: line.text for line in case.red_lines}


def standings(case: Case, disclosure: Disclosure | None, today: dt.date) -> dict[str, Standing]:
    """Each commitment (by the id the page shows) and where its evidence puts it today."""
    rules = monitoring_rules()
    complete = complete_on(case, today)
    full = disclosure is None
    shown: dict[str, Standing] = {}
    for commitment in case.commitments:
        standing = compliance_on(commitment, today, complete, rules)
        plan = commitment.verification_plan
        key = commitment.id if disclosure is None else disclosure.record_label(commitment.id)
        shown[key] = Standing(
            status=standing.status.value,
            decided_by=standing.decided_by.describe() if standing.decided_by else "",
            awaiting=tuple(e.describe() for e in standing.awaiting_verification),
            methods=tuple(m.value for m in plan.methods) if plan else (),
            interval_days=plan.interval_days if plan else None,
            verified_by=(plan.by if plan and full else None),
            observations=tuple(
                ObservationShown(
                    date=entry.date.isoformat(),
                    method=entry.method.value,
                    supports=entry.supports.value,
                    counted=entry.supports in rules.establishes(entry.method),
                    by=entry.by if full else None,
                    observed=entry.observed if full else None,
                )
                for entry in sorted(commitment.monitoring, key=lambda e: e.date)
            ),
        )
    return shown
