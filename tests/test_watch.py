"""``backchannel watch``: passes over real stores, new events between them, alerts recorded
once, sealed and audited; failed pulls reported while the pass goes on."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from backchannel import datasets
from backchannel.casefile import load_case
from backchannel.cli import app
from backchannel.cli.watch import EXIT_INCOMPLETE, parse_duration, repeat
from backchannel.cli.watch_pass import is_event_dataset
from backchannel.errors import NotFoundError
from backchannel.events.alerts import Alert
from backchannel.events.readers import GED_COLUMNS
from backchannel.model import Case
from backchannel.settings import Settings
from backchannel.store.alerts import WATCH_ACTION
from backchannel.store.keys import rotate
from backchannel.store.service import CaseStore
from tests.conftest import EXAMPLES
from tests.store.test_store import raw_contents

runner = CliRunner()
CAR = "central-african-republic-2013"
#: Anti-balaka and Séléka events around the CAR example's talks (Libreville, January 2013;
#: Brazzaville, 21-23 July 2014) and their commitments, as GED rows.
FIRST_EVENTS = [
    ("910001", "2014-06-25", "Anti-balaka", "4201", "Ouham prefecture"),
    ("910002", "2014-07-25", "Anti-balaka", "4201", "Ouham prefecture"),
    ("910003", "2014-08-01", "Anti-balaka", "4201", "Ouham prefecture"),
    ("910004", "2013-01-20", "Seleka", "554", "Bangui city"),
]
#: One more anti-balaka killing during the Brazzaville talks, arriving later.
SECOND_EVENTS = [("910005", "2014-08-05", "Anti-balaka", "4201", "Ouham prefecture")]


def write_ged(path: Path, events: list[tuple[str, str, str, str, str]]) -> Path:
    """A GED CSV in the official layout: one-sided killings of three civilians each."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(GED_COLUMNS)
        for event_id, day, actor, actor_id, area in events:
            row = dict.fromkeys(GED_COLUMNS, "")
            row.update(
                id=event_id, relid=f"CAR-{day[:4]}-{event_id}", year=day[:4], active_year="1",
                code_status="Clear", type_of_violence="3", side_a=actor, side_a_new_id=actor_id,
                side_b="Civilians", side_b_new_id="1", where_prec="1", adm_1=area,
                latitude="6.49", longitude="17.45", geom_wkt="POINT (17.45 6.49)",
                country="Central African Republic", country_id="482", region="Africa",
                event_clarity="1", date_prec="1", date_start=day, date_end=day, deaths_a="0",
                deaths_b="0", deaths_civilians="3", deaths_unknown="0", best="3", high="3",
                low="3",
            )  # fmt: skip
            writer.writerow([row[c] for c in GED_COLUMNS])
    return path


@pytest.fixture
def env(settings: Settings) -> dict[str, str | None]:
    """The command line's environment for the test store (no mirror unless given)."""
    return {
        "BACKCHANNEL_DATA_DIR": str(settings.data_dir),
        "BACKCHANNEL_DATABASE_URL": settings.database_url,
        "BACKCHANNEL_KEY_FILE": str(settings.key_file),
        "BACKCHANNEL_USER": "watcher",
        "BACKCHANNEL_MIRROR": None,
        "BACKCHANNEL_SECRET_KEY": None,
        "BACKCHANNEL_AUDIT_KEY": None,
    }


@pytest.fixture
def car(store: CaseStore) -> Case:
    """The CAR example stored (the watched case)."""
    case = load_case(EXAMPLES / f"{CAR}.yaml")
    store.save_case(case)
    return case


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def ingest(env: dict[str, str | None], file: Path) -> None:
    code, _, stderr = run(env, "events", "ingest", str(file))
    assert code == 0, stderr


def watch_json(env: dict[str, str | None], *options: str) -> tuple[int, dict[str, Any]]:
    code, stdout, stderr = run(env, "watch", "--once", "--format", "json", *options)
    assert code in (0, EXIT_INCOMPLETE), stderr
    return code, json.loads(stdout)


def new_alerts(document: dict[str, Any], case_id: str = CAR) -> list[tuple[str, str, int]]:
    (found,) = [c for c in document["cases"] if c["case_id"] == case_id]
    return sorted((a["kind"], a["actor"], a["event_count"]) for a in found["new_alerts"])


def test_two_passes_record_only_what_is_new(
    env: dict[str, str | None], store: CaseStore, car: Case, settings: Settings, tmp_path: Path
) -> None:
    ingest(env, write_ged(tmp_path / "first.csv", FIRST_EVENTS))
    code, first = watch_json(env)
    assert code == 0 and first["complete"] is True
    assert first["events"] == {"status": "read", "rows": 4, "message": ""}
    assert new_alerts(first) == [
        ("commitment_violation", "Séléka coalition", 1),
        ("commitment_violation", "anti-balaka", 2),
        ("conduct_during_talks", "Séléka coalition", 1),
        ("conduct_during_talks", "anti-balaka", 2),
    ]
    (case,) = first["cases"]
    assert case["status"] == "checked" and case["alerts_found"] == 4
    alert = case["new_alerts"][0]
    assert set(alert) == {
        "ref", "kind", "actor", "period", "start", "end", "summary", "strength",
        "event_count", "found_at",
    }  # fmt: skip
    assert re.fullmatch(r"[0-9a-f]{64}", alert["ref"])
    assert first["totals"] == {
        "datasets": 0, "datasets_updated": 0, "datasets_up_to_date": 0, "datasets_skipped": 0,
        "datasets_failed": 0, "cases": 1, "cases_checked": 1, "cases_failed": 0,
        "alerts_found": 4, "new_alerts": 4,
    }  # fmt: skip

    # nothing new arrived: nothing is recorded again
    code, again = watch_json(env)
    assert code == 0 and again["totals"]["new_alerts"] == 0
    assert again["totals"]["alerts_found"] == 4

    # a new anti-balaka killing during the Brazzaville talks: its two alerts now rest on
    # three events, and only they are new; Séléka's are not recorded twice
    ingest(env, write_ged(tmp_path / "second.csv", SECOND_EVENTS))
    code, second = watch_json(env)
    assert code == 0
    assert new_alerts(second) == [
        ("commitment_violation", "anti-balaka", 3),
        ("conduct_during_talks", "anti-balaka", 3),
    ]
    assert second["totals"]["alerts_found"] == 4 and second["totals"]["new_alerts"] == 2

    recorded = store.recorded_alerts(CAR)
    assert len(recorded) == 6 and len({a.ref for a in recorded}) == 6
    assert [a.found_by for a in recorded] == ["watcher"] * 6
    newest = [a for a in recorded if a.actor == "anti-balaka" and a.event_count == 3]
    assert {tuple(a.event_ids) for a in newest} == {("ged:910002", "ged:910003", "ged:910005")}

    # one audit entry per pass per case, counts and opaque refs only
    entries = [e for e in store.audit_entries(CAR) if e.action == WATCH_ACTION]
    assert [(e.user_name, e.detail["alerts_found"], e.detail["new_alerts"]) for e in entries] == [
        ("watcher", 4, 4),
        ("watcher", 4, 0),
        ("watcher", 4, 2),
    ]
    assert sorted(entries[2].detail["new"]) == sorted(
        a["ref"] for a in second["cases"][0]["new_alerts"]
    )
    assert all(re.fullmatch(r"[0-9a-f]{64}", ref) for e in entries for ref in e.detail["new"])
    assert set(entries[0].detail) == {"alerts_found", "new_alerts", "new"}
    assert store.verify_audit().ok
    assert store.verify_contents() == []

    # sealed: no actor name, summary word, event id or area in the database
    contents = raw_contents(store, settings)
    for secret in ("anti-balaka", "Anti-balaka", "Séléka", "S\\u00e9l\\u00e9ka", "ged:910005",
                   "civilians killed", "conduct_during_talks", "Ouham"):  # fmt: skip
        assert secret not in contents, secret


def test_table_output_and_usage(env: dict[str, str | None], car: Case, tmp_path: Path) -> None:
    ingest(env, write_ged(tmp_path / "first.csv", FIRST_EVENTS))
    code, stdout, _ = run(env, "watch", "--once")
    assert code == 0
    assert "4 new alerts" in stdout and "4 new of 4 alerts in 1 of 1 cases" in stdout
    assert run(env, "watch")[0] == 2  # neither --once nor --every
    assert run(env, "watch", "--once", "--every", "1h")[0] == 2
    assert run(env, "watch", "--every", "10s")[0] == 2  # shorter than a minute


def test_real_ged_from_the_mirror_then_a_failed_pull(
    env: dict[str, str | None],
    store: CaseStore,
    car: Case,
    settings: Settings,
    mirror: Path,
    tmp_path: Path,
) -> None:
    datasets.pull(settings, ["ucdp-ged"], mirror=mirror)
    code, first = watch_json(env, "--mirror", str(mirror))
    assert code == 0
    assert first["datasets"] == [
        {"id": "ucdp-ged", "status": "up to date", "message": "23.1 (layout-checked)"}
    ]
    kinds = {(kind, actor) for kind, actor, _ in new_alerts(first)}
    # the Brazzaville cessation of hostilities, broken by both signatories (README)
    assert ("commitment_violation", "anti-balaka") in kinds
    assert ("commitment_violation", "ex-Séléka (FPRC)") in kinds
    assert ("conduct_during_talks", "Séléka coalition") in kinds
    found = first["totals"]["new_alerts"]
    assert found == first["totals"]["alerts_found"] >= 5

    # the mirror is gone: the pull fails and says why, the pass goes on with what is
    # installed, records nothing twice, and exits with the documented code
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    code, stdout, stderr = run(env, "watch", "--once", "--format", "json", "--mirror", str(empty))
    second = json.loads(stdout)
    assert code == EXIT_INCOMPLETE and second["complete"] is False
    assert "watch: pull of ucdp-ged failed: ucdp-ged: the mirror" in stderr
    (pull,) = second["datasets"]
    assert pull["id"] == "ucdp-ged" and pull["status"] == "failed"
    assert "has no file matching" in pull["message"]
    assert second["cases"][0]["status"] == "checked"
    assert second["totals"]["alerts_found"] == found and second["totals"]["new_alerts"] == 0
    assert len(store.recorded_alerts(CAR)) == found
    assert store.verify_audit().ok and store.verify_contents() == []


def test_no_events_fails_every_case_and_records_nothing(
    env: dict[str, str | None], store: CaseStore, car: Case
) -> None:
    code, document = watch_json(env)
    assert code == EXIT_INCOMPLETE
    assert document["events"]["status"] == "missing"
    assert "events ingest" in document["events"]["message"]
    (case,) = document["cases"]
    assert case["status"] == "failed" and case["message"].startswith("no case was checked")
    assert store.recorded_alerts(CAR) == []


# --------------------------------------------------------------------------- the store


def alert(actor: str, start: str, event_ids: list[str], summary: str = "") -> Alert:
    day = dt.date.fromisoformat(start)
    return Alert(
        "buying_time",
        actor,
        day,
        day + dt.timedelta(days=30),
        summary or f"{actor} rose.",
        event_ids,
    )


def test_identity_is_kind_actor_start_and_events(store: CaseStore, car: Case) -> None:
    first = store.record_alerts(CAR, [alert("anti-balaka", "2014-07-21", ["ged:1", "ged:2"])])
    assert len(first.new) == 1
    same = [
        alert("anti-balaka", "2014-07-21", ["ged:2", "ged:1", "ged:1"], "worded anew"),
        alert("anti-balaka", "2014-07-21", ["ged:1", "ged:2"]),  # twice in one pass
    ]
    assert store.record_alerts(CAR, same).new == []
    different = [
        alert("anti-balaka", "2014-07-22", ["ged:1", "ged:2"]),
        alert("Séléka coalition", "2014-07-21", ["ged:1", "ged:2"]),
        alert("anti-balaka", "2014-07-21", ["ged:1", "ged:2", "ged:3"]),
    ]
    recording = store.record_alerts(CAR, different)
    assert len(recording.new) == 3 and recording.found == 3
    with pytest.raises(NotFoundError, match="no case"):
        store.record_alerts("no-such-case", different)


def test_alert_rows_are_append_only_and_checked(
    store: CaseStore, car: Case, settings: Settings
) -> None:
    store.record_alerts(CAR, [alert("anti-balaka", "2014-07-21", ["ged:1"])])
    with store.engine.connect() as connection:
        for statement in (
            "DELETE FROM case_alerts",
            "UPDATE case_alerts SET found_at = found_at",
            f"UPDATE case_alerts SET case_id = '{CAR}'",
        ):
            with pytest.raises(DBAPIError, match="append-only"), connection.begin():
                connection.execute(text(statement))
    # a row inserted behind the store's back (another row's sealed value) is named
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO case_alerts (case_id, ref, found_at, found_by, sealed) "
                "SELECT case_id, :ref, found_at, found_by, sealed FROM case_alerts"
            ),
            {"ref": "f" * 64},
        )
    problems = store.verify_contents()
    assert [(p.case_id, p.record) for p in problems] == [(CAR, "alert stored as ffffffffffff")]
    assert "failed authentication" in problems[0].reason


def test_rotation_reseals_alerts_and_deletion_takes_them(
    store: CaseStore, car: Case, settings: Settings
) -> None:
    store.record_alerts(CAR, [alert("anti-balaka", "2014-07-21", ["ged:1"])])
    rotation = rotate(settings)
    assert rotation.values > 0
    reopened = CaseStore.open(settings)
    try:
        (kept,) = reopened.recorded_alerts(CAR)
        assert kept.actor == "anti-balaka"
        assert reopened.verify_contents() == []
        reopened.delete_case(CAR)
        assert reopened.recorded_alerts(CAR) == []
        assert reopened.verify_contents() == [] and reopened.verify_audit().ok
    finally:
        reopened.close()


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("text_in", "seconds"),
    [("15m", 900), ("1h30m", 5400), ("6h", 21600), ("1d", 86400), ("90s", 90), (" 2H ", 7200)],
)
def test_durations(text_in: str, seconds: int) -> None:
    assert parse_duration(text_in) == seconds


@pytest.mark.parametrize("text_in", ["", "15", "m", "15 m", "1h-5m", "59s", "0m", "1w"])
def test_bad_durations(text_in: str) -> None:
    import typer

    with pytest.raises(typer.BadParameter):
        parse_duration(text_in)


def test_repeat_runs_passes_with_the_interval_between_starts() -> None:
    ran: list[int] = []
    slept: list[float] = []

    def one_pass() -> int:
        ran.append(1)
        return 0

    repeat(one_pass, 600, sleep=slept.append, passes=3)
    assert len(ran) == 3 and len(slept) == 2
    assert all(590 < s <= 600 for s in slept)


def test_event_data_sets_are_told_by_their_layout() -> None:
    events = {spec.id for spec in datasets.MANIFEST if is_event_dataset(spec)}
    assert {"ucdp-ged", "acled"} <= events
    assert not events & {"ucdp-acd", "ewp", "un-sanctions", "ofac-sdn", "pax"}


def test_readme_documents_the_command_and_its_exit_code() -> None:
    readme = (EXAMPLES.parents[3] / "README.md").read_text()
    section = readme.split("## Monitoring: `backchannel watch`", 1)[1].split("\n## ", 1)[0]
    assert f"| {EXIT_INCOMPLETE} | `watch`" in readme
    for needed in ("--once", "--every", "docs/deployment.md"):
        assert needed in section, needed
    deployment = (EXAMPLES.parents[3] / "docs" / "deployment.md").read_text()
    scheduling = deployment.split("## Scheduling the monitoring pass", 1)[1]
    for needed in ("crontab", "backchannel-watch.timer", "OnCalendar", "watch --once"):
        assert needed in scheduling, needed
