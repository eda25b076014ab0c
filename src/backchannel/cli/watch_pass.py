"""One monitoring pass: pull what is new, run every case's alerts, record the new ones.

A pass (``run_pass``):

1. pulls each installed event data set and designation list again (``datasets.pull``,
   from the mirror when one is given, else upstream), one at a time: a pull that fails is
   reported with its message and the pass goes on with what is installed;
2. reads the installed events once (``installed_events``: the ingested files, else the
   pulled GED) and runs ``case_alerts`` on every case of the store, as of the end of the
   case's period when it has one (as the dashboard does), else as of the newest event;
3. records in the store the alerts each case does not hold yet and audits the pass per
   case (``CaseStore.record_alerts``); a case that fails is reported and the others go on.

Kept apart from the command so that the event analytics load only when a pass runs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from backchannel import datasets
from backchannel.datasets.analysis_inputs import installed_events
from backchannel.datasets.records import InstalledDataset
from backchannel.datasets.specs import CsvLayout, DatasetSpec
from backchannel.errors import BackchannelError
from backchannel.events.alerts import case_alerts
from backchannel.events.backends import connect, event_table
from backchannel.events.readers import ACLED_REQUIRED, GED_REQUIRED
from backchannel.settings import Settings
from backchannel.store.alerts import RecordedAlert
from backchannel.store.service import CaseStore

PullStatus = Literal["updated", "up to date", "skipped", "failed"]
CaseStatus = Literal["checked", "failed"]
#: The columns that make a data set's file an event file (GED's or ACLED's own).
EVENT_COLUMNS = (GED_REQUIRED, ACLED_REQUIRED)


def is_event_dataset(spec: DatasetSpec) -> bool:
    """Whether the data set holds conflict events: a file laid out as GED or ACLED."""
    return any(
        isinstance(file.layout, CsvLayout)
        and any(required <= set(file.layout.required_columns) for required in EVENT_COLUMNS)
        for file in spec.files
    )


def watched_datasets(settings: Settings) -> list[tuple[DatasetSpec, InstalledDataset]]:
    """The installed event data sets and designation lists with their installations, in
    the manifest's order."""
    installed = {record.id: record for record in datasets.installed(settings)}
    return [
        (spec, installed[spec.id])
        for spec in datasets.MANIFEST
        if spec.id in installed
        and installed[spec.id].installed
        and (spec.designation_list is not None or is_event_dataset(spec))
    ]


@dataclass(frozen=True)
class DatasetPull:
    """What pulling one data set again did."""

    id: str
    status: PullStatus
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "status": self.status, "message": self.message}


@dataclass(frozen=True)
class EventsRead:
    """The events the pass read: how many, or why there were none."""

    rows: int | None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        status = "read" if self.rows is not None else "missing"
        return {"status": status, "rows": self.rows, "message": self.message}


@dataclass(frozen=True)
class CaseCheck:
    """One case after the pass: the alerts found, those new to the store, or the failure."""

    case_id: str
    status: CaseStatus
    alerts_found: int = 0
    new: list[RecordedAlert] = field(default_factory=list)
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: each new alert with its kind, actor, period, summary, events."""
        return {
            "case_id": self.case_id,
            "status": self.status,
            "message": self.message,
            "alerts_found": self.alerts_found,
            "new_alerts": [
                {
                    "ref": alert.ref,
                    "kind": alert.kind,
                    "actor": alert.actor,
                    "period": alert.period,
                    "start": alert.start.isoformat(),
                    "end": alert.end.isoformat(),
                    "summary": alert.summary,
                    "strength": alert.strength,
                    "event_count": alert.event_count,
                    "found_at": alert.found_at.isoformat(),
                }
                for alert in self.new
            ],
        }


@dataclass(frozen=True)
class WatchPass:
    """What one pass did: the pulls, the events read, every case, and how long it took."""

    started_at: dt.datetime
    seconds: float
    user: str
    mirror: Path | None
    pulls: list[DatasetPull]
    events: EventsRead
    cases: list[CaseCheck]

    @property
    def complete(self) -> bool:
        """Whether every pull and every case went through (skipped pulls count as through)."""
        return all(p.status != "failed" for p in self.pulls) and all(
            c.status == "checked" for c in self.cases
        )

    def totals(self) -> dict[str, int]:
        """Counts over the pass."""
        statuses = [p.status for p in self.pulls]
        return {
            "datasets": len(self.pulls),
            "datasets_updated": statuses.count("updated"),
            "datasets_up_to_date": statuses.count("up to date"),
            "datasets_skipped": statuses.count("skipped"),
            "datasets_failed": statuses.count("failed"),
            "cases": len(self.cases),
            "cases_checked": sum(c.status == "checked" for c in self.cases),
            "cases_failed": sum(c.status == "failed" for c in self.cases),
            "alerts_found": sum(c.alerts_found for c in self.cases),
            "new_alerts": sum(len(c.new) for c in self.cases),
        }

    def as_dict(self) -> dict[str, Any]:
        """The JSON document ``watch --format json`` prints."""
        return {
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 3),
            "user": self.user,
            "source": f"mirror:{self.mirror}" if self.mirror else "upstream",
            "complete": self.complete,
            "datasets": [p.as_dict() for p in self.pulls],
            "events": self.events.as_dict(),
            "cases": [c.as_dict() for c in self.cases],
            "totals": self.totals(),
        }


def _fingerprint(record: InstalledDataset) -> tuple[object, ...]:
    return (record.installed_at, tuple((f.name, f.sha256) for f in record.files))


def pull_again(
    settings: Settings, spec: DatasetSpec, before: InstalledDataset, mirror: Path | None
) -> DatasetPull:
    """Pull one installed data set again (``before``: its installation now); a failure is
    reported, never raised."""
    if mirror is not None and not spec.redistributable:
        return DatasetPull(
            spec.id, "skipped", "its terms keep it out of mirrors: pull it without --mirror"
        )
    try:
        pulled = datasets.pull(settings, [spec.id], mirror=mirror)
    except (BackchannelError, OSError) as error:
        message = error.message if isinstance(error, BackchannelError) else str(error)
        return DatasetPull(spec.id, "failed", message)
    if not pulled:
        return DatasetPull(spec.id, "skipped", "the pull left it out")
    after = pulled[0]
    if _fingerprint(after) == _fingerprint(before):
        return DatasetPull(spec.id, "up to date", f"{after.version} ({after.status})")
    return DatasetPull(spec.id, "updated", f"now {after.version} ({after.status})")


def check_cases(store: CaseStore, settings: Settings) -> tuple[EventsRead, list[CaseCheck]]:
    """Run every stored case's alerts on the installed events and record the new ones."""
    case_ids = [summary.id for summary in store.list_cases()]
    try:
        events = installed_events(settings)
    except BackchannelError as error:
        why = f"no case was checked: {error.message}"
        return EventsRead(None, error.message), [
            CaseCheck(case_id, "failed", message=why) for case_id in case_ids
        ]
    connection = connect()
    table = event_table(events)
    checks = []
    for case_id in case_ids:
        try:
            case = store.get_case(case_id)
            alerts = case_alerts(connection, table, case, case.context.period.end)
            recorded = store.record_alerts(case_id, alerts)
        except BackchannelError as error:
            checks.append(CaseCheck(case_id, "failed", message=error.message))
            continue
        except Exception as error:  # one case's failure, whatever it is, must not end the pass
            message = f"unexpected {type(error).__name__}: {error}"
            checks.append(CaseCheck(case_id, "failed", message=message))
            continue
        checks.append(CaseCheck(case_id, "checked", recorded.found, recorded.new))
    return EventsRead(events.num_rows), checks


def run_pass(
    settings: Settings, mirror: Path | None = None, clock: Callable[[], float] = time.monotonic
) -> WatchPass:
    """One whole pass (see the module docstring). The store is opened for the pass and
    closed after it; errors opening it (keys, database) are raised."""
    started_at = dt.datetime.now(dt.UTC)
    began = clock()
    source = mirror if mirror is not None else settings.mirror
    pulls = [
        pull_again(settings, spec, installed, source)
        for spec, installed in watched_datasets(settings)
    ]
    store = CaseStore.open(settings)
    try:
        events, cases = check_cases(store, settings)
    finally:
        store.close()
    return WatchPass(
        started_at=started_at,
        seconds=clock() - began,
        user=settings.user,
        mirror=source,
        pulls=pulls,
        events=events,
        cases=cases,
    )
