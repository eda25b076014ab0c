"""The packaged example cases: real, cited, valid, and consistent with UCDP's actor list."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path
from typing import Protocol, runtime_checkable

import pytest

import backchannel
from backchannel.casefile import load_case
from backchannel.model import ActorKind, Case, CommitmentKind
from backchannel.model.vocabulary import EngagementOutcome

EXAMPLES = Path(backchannel.__file__).parent / "data" / "examples"


@runtime_checkable
class _Cited(Protocol):
    """A case record that has an id and cites sources by their ids."""

    id: str
    references: list[str]


#: file name -> (case id, country)
CASES = {
    "somalia-2011.yaml": ("somalia-2011", "SOM"),
    "colombia-2012.yaml": ("colombia-2012", "COL"),
    "central-african-republic-2013.yaml": ("central-african-republic-2013", "CAF"),
}

#: UCDP actor ids each case must carry (the armed groups and governments the checks rely on).
REQUIRED_UCDP_IDS = {
    "somalia-2011.yaml": {717, 95},
    "colombia-2012.yaml": {743, 744, 17},
    "central-african-republic-2013.yaml": {86, 554, 4007, 4201, 5999, 6354},
}

#: The brief's bounds on each collection: (minimum, maximum).
BOUNDS = {
    "actors": (8, 15),
    "relations": (8, 20),
    "engagements": (4, 10),
    "judgements": (2, 5),
}

UCDP_NAME_COLUMNS = ("NameData", "NameOrig", "NameOrigFull", "NameOrigFullEng", "NewName")


def _load(name: str) -> Case:
    return load_case(EXAMPLES / name)


def _normal(text: str) -> str:
    """Lower case, accents and punctuation removed: 'ex-Séléka' -> 'exseleka'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


def _ucdp_actor_id(case: Case, ucdp_id: int) -> str:
    matches = [a.id for a in case.actors if a.ucdp_actor_id == ucdp_id]
    assert len(matches) == 1, f"expected one actor with UCDP id {ucdp_id}, found {matches}"
    return matches[0]


@pytest.fixture
def ucdp_actors(mirror: Path) -> dict[int, set[str]]:
    """UCDP actor id -> its normalised names, from the mirror's actor list (conftest skips
    when there is no mirror)."""
    path = mirror / "ucdp" / "ucdp-actor-221.csv"
    if not path.is_file():
        pytest.skip(f"UCDP actor list not in the mirror: {path}")
    names: dict[int, set[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            values = {_normal(row[c]) for c in UCDP_NAME_COLUMNS if row.get(c)}
            names[int(row["ActorId"])] = {v for v in values if v and v != "na"}
    return names


# --- every example ------------------------------------------------------------------------


def test_the_expected_examples_are_packaged() -> None:
    assert {p.name for p in EXAMPLES.glob("*.yaml")} >= set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_validates_with_its_id_and_country(name: str) -> None:
    case = _load(name)
    expected_id, country = CASES[name]
    assert case.id == expected_id
    assert case.context.country == country
    assert case.context.summary.strip()


@pytest.mark.parametrize("name", sorted(CASES))
def test_file_opens_with_a_comment_naming_its_public_sources(name: str) -> None:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert header, f"{name} must open with a comment saying what it is"
    assert "compiled" in " ".join(header).lower()
    assert "public" in " ".join(header).lower()


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("collection", sorted(BOUNDS))
def test_collection_sizes_are_within_bounds(name: str, collection: str) -> None:
    low, high = BOUNDS[collection]
    size = len(getattr(_load(name), collection))
    assert low <= size <= high, f"{name}: {size} {collection}, expected {low}-{high}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_has_own_organisation_and_an_intermediary(name: str) -> None:
    kinds = [a.kind for a in _load(name).actors]
    assert kinds.count(ActorKind.OWN_ORGANISATION) == 1
    assert ActorKind.INTERMEDIARY in kinds


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_record_cites_a_source(name: str) -> None:
    case = _load(name)
    cited: set[str] = set()
    for collection, position, record in case.records():
        assert isinstance(record, _Cited), f"{name}: {collection}[{position}] has no references"
        cited.update(record.references)
        if getattr(record, "kind", None) is ActorKind.OWN_ORGANISATION:
            continue  # the user's own organisation is a placeholder, not a historical actor
        assert record.references, f"{name}: {collection}[{position}] ({record.id}) cites no source"
    unused = {s.id for s in case.sources} - cited
    assert not unused, f"{name}: sources listed but never cited: {sorted(unused)}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_sources_have_title_publisher_and_url(name: str) -> None:
    for source in _load(name).sources:
        assert source.title.strip()
        assert source.publisher, f"{name}: source {source.id} has no publisher"
        assert source.url and source.url.startswith(("http://", "https://")), source.id


@pytest.mark.parametrize("name", sorted(CASES))
def test_dated_records_fall_in_the_case_period(name: str) -> None:
    case = _load(name)
    period = case.context.period
    for engagement in case.engagements:
        assert period.contains(engagement.date), f"{name}: {engagement.id} outside the period"
    for commitment in case.commitments:
        assert period.contains(commitment.start), f"{name}: {commitment.id} outside the period"


@pytest.mark.parametrize("name", sorted(CASES))
def test_required_ucdp_ids_are_set(name: str) -> None:
    ids = {a.ucdp_actor_id for a in _load(name).actors if a.ucdp_actor_id is not None}
    assert REQUIRED_UCDP_IDS[name] <= ids


@pytest.mark.parametrize("name", sorted(CASES))
def test_ucdp_ids_exist_with_a_matching_name(name: str, ucdp_actors: dict[int, set[str]]) -> None:
    for actor in _load(name).actors:
        if actor.ucdp_actor_id is None:
            continue
        assert actor.ucdp_actor_id in ucdp_actors, (
            f"{name}: {actor.id} has UCDP id {actor.ucdp_actor_id}, not in the actor list"
        )
        ours = {_normal(n) for n in (actor.name, *actor.aliases)}
        theirs = ucdp_actors[actor.ucdp_actor_id]
        assert ours & theirs, (
            f"{name}: {actor.id} ({actor.name}) shares no name with UCDP actor "
            f"{actor.ucdp_actor_id} ({sorted(theirs)})"
        )


# --- key facts of each case ---------------------------------------------------------------


def test_somalia_counterpart_is_al_shabaab_with_humanitarian_talks() -> None:
    case = _load("somalia-2011.yaml")
    shabaab = _ucdp_actor_id(case, 717)
    assert "Al-Shabaab" in case.actor(shabaab).aliases
    engaged = [e for e in case.engagements if shabaab in e.counterparts]
    assert len(engaged) >= 4
    assert all(e.modality is not None and e.modality.value == "humanitarian" for e in engaged)
    by_day = {e.date: e for e in engaged}
    assert by_day[dt.date(2011, 11, 28)].outcome is EngagementOutcome.BROKEN_OFF  # 16 agencies
    assert by_day[dt.date(2012, 1, 30)].outcome is EngagementOutcome.BROKEN_OFF  # ICRC expelled
    access = [
        c
        for c in case.commitments
        if c.party == shabaab and c.kind is CommitmentKind.HUMANITARIAN_ACCESS
    ]
    assert any(c.start == dt.date(2011, 7, 5) for c in access)
    assert {"Bakool", "Lower Shabelle"} <= set(case.context.regions)


def test_colombia_general_agreement_signed_on_26_august_2012() -> None:
    case = _load("colombia-2012.yaml")
    government, farc = _ucdp_actor_id(case, 17), _ucdp_actor_id(case, 743)
    signed = [e for e in case.engagements if e.date == dt.date(2012, 8, 26)]
    assert len(signed) == 1
    assert {government, farc} <= set(signed[0].counterparts)
    assert signed[0].outcome is EngagementOutcome.AGREEMENT
    assert signed[0].location == "Havana, Cuba"
    ceasefire = [c for c in case.commitments if c.kind is CommitmentKind.CEASEFIRE]
    assert [(c.party, c.start, c.end) for c in ceasefire] == [
        (farc, dt.date(2012, 11, 20), dt.date(2013, 1, 20))
    ]
    guarantors = {a.id for a in case.actors if a.kind is ActorKind.INTERMEDIARY}
    assert {_ucdp_actor_id(case, 5), _ucdp_actor_id(case, 67)} <= guarantors  # Cuba, Norway


def test_car_brazzaville_cessation_of_hostilities_by_both_sides() -> None:
    case = _load("central-african-republic-2013.yaml")
    anti_balaka, ex_seleka = _ucdp_actor_id(case, 4201), _ucdp_actor_id(case, 4007)
    coh = [c for c in case.commitments if c.kind is CommitmentKind.CESSATION_OF_HOSTILITIES]
    assert {c.party for c in coh} == {anti_balaka, ex_seleka}
    for commitment in coh:
        assert commitment.start == dt.date(2014, 7, 23)
        assert commitment.area == []  # the whole national territory
        assert commitment.status.value == "violated"
        assert commitment.engagement is not None
    forum = next(e for e in case.engagements if e.id == coh[0].engagement)
    assert forum.location == "Brazzaville, Republic of Congo"
    assert {anti_balaka, ex_seleka} <= set(forum.counterparts)
    assert forum.end_date == dt.date(2014, 7, 23)


def test_car_ex_seleka_lineage_follows_ucdp() -> None:
    case = _load("central-african-republic-2013.yaml")
    seleka, ex_seleka = _ucdp_actor_id(case, 554), _ucdp_actor_id(case, 4007)
    upc, mpc = _ucdp_actor_id(case, 5999), _ucdp_actor_id(case, 6354)
    splinters = {(r.source, r.target) for r in case.relations if r.kind.value == "splinter_of"}
    assert splinters == {(ex_seleka, seleka), (upc, ex_seleka), (mpc, upc)}
    kinds = {a.kind for a in case.actors}
    assert ActorKind.RELIGIOUS_LEADER in kinds
