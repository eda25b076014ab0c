"""Where a commitment stands on a day, read from its dated evidence.

The evidence is the commitment's ``status_history`` and those of its ``monitoring``
entries whose method may establish the status they support (``rules/monitoring.yaml``: a
party's own report of compliance awaits verification; its report of a breach counts at
once). The latest evidence known on the day decides; on one day the more cautious status
wins (of two recorded changes that day, the later in the list). A commitment with no
dated evidence keeps its recorded, undated status, known only from the day the case file
was complete (before then it reads unknown).

``compliance_on`` returns the status with the evidence that decided it and the entries
still awaiting verification, so a brief can show why a commitment stands where it does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from backchannel.model.case import Commitment
from backchannel.model.negotiation import MonitoringEntry
from backchannel.model.vocabulary import CommitmentStatus, VerificationMethod
from backchannel.rulefiles.yaml_source import read_packaged_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourcePoint(_Strict):
    """A work of ``dialogue_sources.yaml`` and the point drawn from it."""

    id: str = Field(min_length=1)
    point: str = Field(min_length=1)


class MethodRule(_Strict):
    """What one verification method may establish on its own, and on what basis."""

    method: VerificationMethod
    establishes: list[CommitmentStatus] = Field(min_length=1)
    basis: str = Field(min_length=1)
    sources: list[SourcePoint] = Field(min_length=1)


class MonitoringRules(_Strict):
    """``monitoring.yaml``."""

    caution_order: list[CommitmentStatus] = Field(min_length=len(CommitmentStatus))
    methods: list[MethodRule] = Field(min_length=len(VerificationMethod))

    def establishes(self, method: VerificationMethod) -> frozenset[CommitmentStatus]:
        """The statuses an entry obtained by ``method`` may establish."""
        for rule in self.methods:
            if rule.method is method:
                return frozenset(rule.establishes)
        return frozenset()

    def caution(self, status: CommitmentStatus) -> int:
        """Higher for a more cautious status (violated is the most cautious)."""
        return len(self.caution_order) - self.caution_order.index(status)


@cache
def monitoring_rules() -> MonitoringRules:
    """The packaged ``monitoring.yaml``, read once."""
    return read_packaged_yaml("data/rules/monitoring.yaml").validate(MonitoringRules)


@dataclass(frozen=True)
class Evidence:
    """One dated piece of evidence on a commitment's keeping."""

    status: CommitmentStatus
    date: dt.date | None
    #: ``history`` (a recorded change), ``monitoring`` (an entry) or ``recorded`` (the
    #: undated status of the case file)
    kind: str
    method: VerificationMethod | None = None
    #: position of the monitoring entry in the commitment's list
    entry: int | None = None

    def describe(self) -> str:
        """``field mission, 2014-09-02: violated``: how, when and what, without who."""
        how = {
            "history": "status recorded",
            "recorded": "status recorded (undated)",
        }.get(self.kind) or (self.method.value.replace("_", " ") if self.method else "entry")
        when = f", {self.date.isoformat()}" if self.date else ""
        return f"{how}{when}: {self.status.value.replace('_', ' ')}"


@dataclass(frozen=True)
class Compliance:
    """A commitment's status on a day, the evidence that decided it, and the entries known
    that day that await verification."""

    status: CommitmentStatus
    decided_by: Evidence | None
    awaiting_verification: tuple[Evidence, ...]


def compliance_on(
    commitment: Commitment,
    day: dt.date,
    complete: dt.date,
    rules: MonitoringRules | None = None,
) -> Compliance:
    """Where ``commitment`` stands on ``day`` (``complete``: when undated statuses hold)."""
    rules = rules or monitoring_rules()
    counted: list[Evidence] = [
        Evidence(change.status, change.date, "history")
        for change in commitment.status_history
        if change.date <= day
    ]
    waiting: list[Evidence] = []
    for position, entry in enumerate(commitment.monitoring):
        if entry.date > day:
            continue
        evidence = _entry_evidence(entry, position)
        if entry.supports in rules.establishes(entry.method):
            counted.append(evidence)
        else:
            waiting.append(evidence)
    if counted:
        latest = _latest(counted, rules)
        pending = tuple(w for w in waiting if w.date is not None and w.date >= (latest.date or day))
        return Compliance(latest.status, latest, pending)
    if commitment.status_history:
        # a dated history whose first change lies after the day: nothing known yet
        return Compliance(CommitmentStatus.UNKNOWN, None, tuple(waiting))
    if day >= complete:
        recorded = Evidence(commitment.status, None, "recorded")
        return Compliance(commitment.status, recorded, tuple(waiting))
    return Compliance(CommitmentStatus.UNKNOWN, None, tuple(waiting))


def _latest(counted: list[Evidence], rules: MonitoringRules) -> Evidence:
    """The evidence of the last day: of the history entries that day the last recorded (a
    correction), against the most cautious monitoring entry, the more cautious of the two."""
    last_day = max(e.date or dt.date.min for e in counted)
    that_day = [e for e in counted if (e.date or dt.date.min) == last_day]
    history = [e for e in that_day if e.kind == "history"][-1:]
    entries = sorted(
        (e for e in that_day if e.kind != "history"), key=lambda e: rules.caution(e.status)
    )[-1:]
    return max([*history, *entries], key=lambda e: rules.caution(e.status))


def _entry_evidence(entry: MonitoringEntry, position: int) -> Evidence:
    return Evidence(entry.supports, entry.date, "monitoring", entry.method, position)


def breach_known_on(commitment: Commitment, day: dt.date, complete: dt.date) -> dt.date:
    """The day the commitment's breach standing on ``day`` became known: the date of the
    evidence that decided it, else (an undated status) its end or start."""
    decided = compliance_on(commitment, day, complete).decided_by
    if decided is not None and decided.date is not None:
        return decided.date
    return commitment.end or commitment.start
