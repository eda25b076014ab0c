"""Variants of the packaged example cases, built from small declared changes.

A scenario names an example case and a list of changes; ``apply_changes`` returns the case
with them made, validated again as a whole (a change that breaks a reference fails loudly,
naming the scenario). The changes a practitioner asks about are few and named:

- ``add: {collection: relations, record: {...}}``: add a record (any of the five collections);
- ``remove: {collection: relations, ids: [...]}``: take records out;
- ``remove_actor: ID``: take an actor out, with every relation, engagement mention and
  commitment that involves it;
- ``judge: {subject, severity, at, status?, finding?}``: an analyst's judgement;
- ``break_commitments: {party: ID, date: DAY}``: every commitment of the party becomes
  violated on that day (recorded in its status history);
- ``activities: [...]``: the planned activities to screen (read by the runner, not the case).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backchannel.model.case import Case, StatusChange
from backchannel.model.vocabulary import CommitmentStatus


def apply_changes(case: Case, changes: list[dict[str, Any]], scenario: str) -> Case:
    """The case with every change made, validated whole."""
    document = case.model_dump(mode="json")
    for number, change in enumerate(changes):
        if len(change) != 1:
            raise ValueError(f"{scenario}: change {number} must have exactly one key")
        ((kind, value),) = change.items()
        if kind == "add":
            document[value["collection"]].append(value["record"])
        elif kind == "remove":
            ids = set(value["ids"])
            missing = ids - {r["id"] for r in document[value["collection"]]}
            if missing:
                raise ValueError(f"{scenario}: no {value['collection']} {sorted(missing)}")
            document[value["collection"]] = [
                r for r in document[value["collection"]] if r["id"] not in ids
            ]
        elif kind == "remove_actor":
            _remove_actor(document, value)
        elif kind == "judge":
            document["judgements"].append(_judgement(value, number))
        elif kind == "break_commitments":
            _break(document, value["party"], dt.date.fromisoformat(str(value["date"])))
        elif kind == "activities":
            continue
        else:
            raise ValueError(f"{scenario}: unknown change {kind!r}")
    try:
        return Case.model_validate(document)
    except ValueError as error:
        raise ValueError(f"{scenario}: the changed case is invalid: {error}") from error


def _remove_actor(document: dict[str, Any], actor: str) -> None:
    document["actors"] = [a for a in document["actors"] if a["id"] != actor]
    document["relations"] = [
        r for r in document["relations"] if actor not in (r["source"], r["target"])
    ]
    for engagement in document["engagements"]:
        engagement["counterparts"] = [c for c in engagement["counterparts"] if c != actor]
        if engagement.get("by") == actor:
            engagement["by"] = None
    removed = {c["id"] for c in document["commitments"] if c["party"] == actor}
    document["commitments"] = [c for c in document["commitments"] if c["id"] not in removed]


def _judgement(value: dict[str, Any], number: int) -> dict[str, Any]:
    subject = str(value["subject"])
    return {
        "id": value.get("id", f"j-scenario-{number}-{value['at']}-{subject.replace(':', '-')}"),
        "analyst": value.get("analyst", "scenario analyst"),
        "at": f"{value['at']}T12:00:00Z",
        "subject": subject,
        "status": value.get("status"),
        "severity": value.get("severity"),
        "finding": value.get("finding", f"Scenario judgement on {subject}."),
        "confidence": value.get("confidence", "medium"),
    }


def _break(document: dict[str, Any], party: str, day: dt.date) -> None:
    touched = False
    for commitment in document["commitments"]:
        if commitment["party"] != party:
            continue
        touched = True
        start = dt.date.fromisoformat(commitment["start"])
        history = [
            h for h in commitment.get("status_history", []) if h["date"] < str(max(day, start))
        ]
        change = StatusChange(status=CommitmentStatus.VIOLATED, date=max(day, start))
        history.append(change.model_dump(mode="json"))
        commitment["status_history"] = history
        commitment["status"] = CommitmentStatus.VIOLATED.value
    if not touched:
        raise ValueError(f"no commitment by {party!r} to break")


def planned_activities(changes: list[dict[str, Any]]) -> tuple[str, ...]:
    """The activities a scenario plans (default: a meeting)."""
    for change in changes:
        if "activities" in change:
            return tuple(change["activities"])
    return ("meeting",)
