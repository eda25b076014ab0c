"""Which actor a name means: the names of generated ACLED files and of the real CAR GED and
UCDP actor list, resolved exactly, partly, or refused as ambiguous."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from backchannel.errors import AmbiguousNameError, NotFoundError
from backchannel.events.actor_names import (
    ActorCandidate,
    actor_activity,
    build_candidates,
    name_census,
    partial_reason,
    resolve_actor,
)
from backchannel.events.backends import connect, event_table
from backchannel.events.crosswalk_csv import CrosswalkRow, LinkStatus
from backchannel.events.readers import read_acled
from backchannel.events.schema import combine_event_tables
from backchannel.events.ucdp_actors import UcdpActor, read_actor_list
from tests.conftest import mirror_path
from tests.fixtures.acled import STATE_FORCES, acled_actor_rows, write_acled_csv

ACTOR_LIST = Path("ucdp") / "ucdp-actor-221.csv"


@pytest.fixture(scope="module")
def connection() -> Any:
    return connect()


@pytest.fixture(scope="module")
def ucdp_list() -> list[UcdpActor]:
    mirror = mirror_path()
    if mirror is None or not (mirror / ACTOR_LIST).is_file():
        pytest.skip(f"no {ACTOR_LIST} in the data mirror")
    return read_actor_list(mirror / ACTOR_LIST)


@pytest.fixture(scope="module")
def acled_events(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    path = tmp_path_factory.mktemp("acled") / "acled.csv"
    result = read_acled(write_acled_csv(path, acled_actor_rows()))
    assert not result.rejected
    return result.events


def candidates_of(
    connection: Any,
    events: pa.Table,
    ucdp: list[UcdpActor] | None = None,
    crosswalk: list[CrosswalkRow] | None = None,
) -> list[ActorCandidate]:
    census = name_census(actor_activity(connection, event_table(events)))
    return build_candidates(census, ucdp or [], crosswalk or [])


def one_event(**fields: str) -> dict[str, str]:
    row = dict(acled_actor_rows(1, seed=1)[0])
    row.update({"assoc_actor_1": "", "assoc_actor_2": "", "actor2": "", **fields})
    return row


def test_census_counts_each_field_and_each_associated_name(connection: Any, tmp_path: Path) -> None:
    rows = [
        one_event(event_id_cnty="E1", actor1="Alpha", assoc_actor_1="Beta; Gamma ", actor2="D"),
        one_event(event_id_cnty="E2", actor1="Beta", actor2="D", assoc_actor_2="Beta;Epsilon"),
        one_event(event_id_cnty="E3", actor1="Alpha", assoc_actor_1="Gamma; Gamma"),
    ]
    events = read_acled(write_acled_csv(tmp_path / "a.csv", rows)).events
    census = {
        (s.name, s.label): s.events
        for s in name_census(actor_activity(connection, event_table(events)))
    }
    assert census == {
        ("Alpha", "ACLED actor1"): 2,
        ("Beta", "ACLED actor1"): 1,
        ("Beta", "ACLED assoc_actor_1"): 1,
        ("Beta", "ACLED assoc_actor_2"): 1,
        ("Gamma", "ACLED assoc_actor_1"): 2,  # named twice in E3: one event
        ("D", "ACLED actor2"): 2,
        ("Epsilon", "ACLED assoc_actor_2"): 1,
    }


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        ("UPC", "Ex-Seleka: UPC", "'UPC' after the colon in 'Ex-Seleka: UPC'"),
        ("Ex-Seleka", "Ex-Seleka: UPC", "'Ex-Seleka' before the colon in 'Ex-Seleka: UPC'"),
        ("3R", "3R: Return, Reclamation, Rehabilitation", "before the colon"),
        ("Military Forces of Chad", "Military Forces of Chad (2021-)", "without its brackets"),
        ("FPRC", "Front Populaire (FPRC)", "'FPRC' in brackets"),
        ("balaka", "Anti-Balaka - Mokom", "whole words of 'Anti-Balaka - Mokom'"),
        ("CPC", "Coalition of Patriots for Change", "spells the initials"),
        ("Coalition of Patriots for Change", "CPC", "spells the initials"),
        ("bala", "Anti-Balaka", None),  # not a whole word
        ("forces", "Military Forces of Chad (2021-)", None),  # generic words only
        ("of the", "Military Forces of the Central African Republic (2016-)", None),
        ("UPC", "UPDF", None),
        ("", "Anti-Balaka", None),
    ],
)
def test_partial_matches(query: str, name: str, expected: str | None) -> None:
    found = partial_reason(query, name)
    if expected is None:
        assert found is None
    else:
        assert found is not None and expected in found


def test_exact_match_sets_case_accents_and_punctuation_aside(
    connection: Any, tmp_path: Path
) -> None:
    rows = [one_event(event_id_cnty="S1", actor1="Séléka Rénovée")]
    events = read_acled(write_acled_csv(tmp_path / "s.csv", rows)).events
    resolution = resolve_actor("SELEKA renovee", candidates_of(connection, events))
    assert resolution.exact and resolution.candidate.name == "Séléka Rénovée"


def test_a_name_matching_several_actors_lists_them_and_guesses_none(
    connection: Any, acled_events: pa.Table
) -> None:
    with pytest.raises(AmbiguousNameError) as raised:
        resolve_actor("Ex-Seleka", candidates_of(connection, acled_events))
    names = [c.name for c in raised.value.candidates]
    assert sorted(names) == ["Ex-Seleka: FPRC", "Ex-Seleka: MPC", "Ex-Seleka: UPC"]
    for candidate in raised.value.candidates:
        assert any(
            d.startswith("ACLED actor1: ") and d.endswith(" events") for d in candidate.details
        )
    assert "Ex-Seleka: UPC" in raised.value.message
    # the listed name, given exactly, resolves
    chosen = resolve_actor("Ex-Seleka: UPC", candidates_of(connection, acled_events))
    assert chosen.exact and chosen.candidate.name == "Ex-Seleka: UPC"


def test_state_forces_periods_are_distinct_actors(connection: Any, acled_events: pa.Table) -> None:
    candidates = candidates_of(connection, acled_events)
    with pytest.raises(AmbiguousNameError) as raised:
        resolve_actor("Military Forces of the Central African Republic", candidates)
    assert STATE_FORCES in [c.name for c in raised.value.candidates]
    resolution = resolve_actor(STATE_FORCES.upper(), candidates)
    assert resolution.candidate.name == STATE_FORCES
    labels = {s.label for s in resolution.candidate.source_names}
    assert labels == {"ACLED actor1", "ACLED actor2", "ACLED assoc_actor_1"}


def test_exact_only_refuses_partial_matches(connection: Any, acled_events: pa.Table) -> None:
    candidates = candidates_of(connection, acled_events)
    assert resolve_actor("UPC", candidates).candidate.name == "Ex-Seleka: UPC"
    with pytest.raises(NotFoundError):
        resolve_actor("UPC", candidates, exact_only=True)


def test_actors_the_events_name_come_before_the_list(
    connection: Any, acled_events: pa.Table, ucdp_list: list[UcdpActor]
) -> None:
    """ACLED only: UCDP's "UPC" has no events here, ACLED's "Ex-Seleka: UPC" has."""
    candidates = candidates_of(connection, acled_events, ucdp_list)
    resolution = resolve_actor("UPC", candidates)
    assert resolution.candidate.name == "Ex-Seleka: UPC" and not resolution.exact
    # exact only: three UCDP actors are called UPC, offered by id
    with pytest.raises(AmbiguousNameError) as raised:
        resolve_actor("UPC", candidates, exact_only=True)
    assert [c.name for c in raised.value.candidates] == ["ucdp:564", "ucdp:1076", "ucdp:5999"]
    assert any("Central African Republic" in d for d in raised.value.candidates[2].details)
    by_id = resolve_actor("ucdp:5999", candidates)
    assert by_id.candidate.ucdp_id == 5999 and by_id.candidate.events == 0


def test_crosswalk_links_and_vetoes(
    connection: Any, acled_events: pa.Table, ucdp_list: list[UcdpActor]
) -> None:
    crosswalk = [
        CrosswalkRow("Ex-Seleka: UPC", "UPC", 5999, LinkStatus.CONFIRMED, line=2),
        CrosswalkRow("Anti-Balaka", "anti-Balaka", 4201, LinkStatus.REJECTED, line=3),
        CrosswalkRow("Ex-Seleka: MPC", "MPC", 6354, LinkStatus.PROPOSED, line=4),
    ]
    candidates = candidates_of(connection, acled_events, ucdp_list, crosswalk)
    upc = resolve_actor("ucdp:5999", candidates).candidate
    assert upc.names_in("acled") == ("Ex-Seleka: UPC",)
    assert {s.linked_by for s in upc.source_names if s.source == "acled"} == {"crosswalk line 2"}
    # without the veto, the identically spelt names would be one actor
    balaka = resolve_actor("ucdp:4201", candidates).candidate
    assert balaka.names_in("acled") == ()
    linked = resolve_actor("ucdp:4201", candidates_of(connection, acled_events, ucdp_list))
    assert linked.candidate.names_in("acled") == ("Anti-Balaka",)
    # a proposal links nothing
    assert resolve_actor("ucdp:6354", candidates).candidate.names_in("acled") == ()


def test_real_car_names(connection: Any, car_events: pa.Table, ucdp_list: list[UcdpActor]) -> None:
    candidates = candidates_of(connection, car_events, ucdp_list)
    resolution = resolve_actor("Anti-Balaka", candidates)
    assert resolution.candidate.ucdp_id == 4201 and resolution.exact
    assert {(s.label, s.events) for s in resolution.candidate.source_names} == {
        ("GED side_a", 423),
        ("GED side_b", 85),
        ("UCDP actor list", 0),
    }
    # coalitions that include the group are not counted, and the profile says so
    assert any("'anti-Balaka, FPRC-AK'" in note for note in resolution.notes)
    # one English name, two UCDP actors (MNLC split from MPC)
    with pytest.raises(AmbiguousNameError) as raised:
        resolve_actor("Patriotic Movement for the Central African Republic", candidates)
    assert sorted(c.name for c in raised.value.candidates) == ["MNLC", "MPC"]
    with pytest.raises(AmbiguousNameError) as raised:
        resolve_actor("balaka", candidates)
    assert len(raised.value.candidates) == 4
    with pytest.raises(NotFoundError, match="did you mean 'anti-Balaka'"):
        resolve_actor("Anti-Balaca", candidates)


def test_ged_and_acled_names_spelt_alike_are_one_actor(
    connection: Any, car_events: pa.Table, acled_events: pa.Table
) -> None:
    """No UCDP list: GED's "anti-Balaka" (with its UCDP id) and ACLED's "Anti-Balaka"."""
    events = combine_event_tables([car_events, acled_events])
    resolution = resolve_actor("anti-balaka", candidates_of(connection, events))
    assert resolution.candidate.ucdp_id == 4201
    assert resolution.candidate.sources == ("ged", "acled")
