"""Seeding actors and relations from UCDP: the CAR groups from the real mirrored files,
generated dyadic data for the spells, bad files, and the ``seed`` command."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pycountry
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import backchannel.cli.actors_io  # noqa: F401  (registers the commands on actors_app)
from backchannel import datasets
from backchannel.actors import seed as seed_module
from backchannel.actors.seed import (
    RelationProposal,
    SeedProposal,
    UcdpFiles,
    seed_country,
    ucdp_country_names,
)
from backchannel.casefile import parse_case
from backchannel.cli.actors import actors_app
from backchannel.errors import InvalidInputError, NotFoundError
from backchannel.events.ucdp_actors import read_actor_list
from backchannel.model import ActorKind, JudgementOrigin, RelationKind
from backchannel.settings import Settings
from tests.conftest import mirror_path

AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
CASE_HEADER = """\
id: seeded
context:
  title: Seeded from UCDP
  country: {country}
  period: {{start: 2001-01-01}}
"""


def _ucdp(mirror: Path) -> UcdpFiles:
    folder = mirror / "ucdp"
    return UcdpFiles(
        actor_list=folder / "ucdp-actor-221.csv",
        dyadic=folder / "ucdp-dyadic-251.csv",
        ged=tuple(sorted(folder.glob("ged231*.csv"))),
    )


@pytest.fixture(scope="module")
def car() -> SeedProposal:
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    return seed_country("CAF", _ucdp(mirror), at=AT)


def _relations(
    proposal: SeedProposal, source: int, kind: RelationKind, target: int
) -> list[RelationProposal]:
    source_id = proposal.actor_by_ucdp_id(source).actor.id
    target_id = proposal.actor_by_ucdp_id(target).actor.id
    return [
        p
        for p in proposal.relations
        if (p.relation.source, p.relation.kind, p.relation.target) == (source_id, kind, target_id)
    ]


# ------------------------------------------------------------------ the CAR groups, real files

GOVERNMENT, SELEKA, ANTI_BALAKA, MOKOM = 86, 554, 4201, 6845
FPRC, UPC, MPC, CPC, FPRC_AK = 4007, 5999, 6354, 7870, 6816


def test_car_proposes_the_government_seleka_anti_balaka_and_the_ex_seleka_factions(
    car: SeedProposal,
) -> None:
    expected = {
        GOVERNMENT: ("Government of Central African Republic", ActorKind.GOVERNMENT),
        SELEKA: ("Seleka", ActorKind.ARMED_GROUP),
        ANTI_BALAKA: ("anti-Balaka", ActorKind.ARMED_GROUP),
        MOKOM: ("Anti-Balaka - Mokom", ActorKind.FACTION),
        FPRC_AK: ("FPRC-AK", ActorKind.FACTION),
        FPRC: ("FPRC", ActorKind.ARMED_GROUP),
        UPC: ("UPC", ActorKind.ARMED_GROUP),
        MPC: ("MPC", ActorKind.ARMED_GROUP),
        CPC: ("CPC", ActorKind.ARMED_GROUP),
    }
    for ucdp_id, (name, kind) in expected.items():
        proposal = car.actor_by_ucdp_id(ucdp_id)
        assert (proposal.actor.name, proposal.actor.kind) == (name, kind)
        assert proposal.proposed and proposal.evidence
    assert car.actor_by_ucdp_id(GOVERNMENT).actor.id == "gov-caf"
    # UCDP first coded the ex-Seleka under that name, then renamed it FPRC
    assert "ex-Seleka" in car.actor_by_ucdp_id(FPRC).actor.aliases
    assert "UFDR" in car.actor_by_ucdp_id(SELEKA).actor.aliases
    assert all(p.proposed for p in car.relations)


def test_car_splinters_come_from_the_actor_list(car: SeedProposal) -> None:
    for child, parent in [(FPRC, SELEKA), (UPC, FPRC), (MPC, UPC), (MOKOM, ANTI_BALAKA),
                          (FPRC_AK, FPRC)]:  # fmt: skip
        [found] = _relations(car, child, RelationKind.SPLINTER_OF, parent)
        assert found.evidence[0].rows == (f"ActorId {child} (ActorIdPrev {parent})",)
        assert found.relation.valid_from is not None
    [fprc] = _relations(car, FPRC, RelationKind.SPLINTER_OF, SELEKA)
    # the later of the two first activities: the ex-Seleka's first recorded fighting
    assert fprc.relation.valid_from == dt.date(2013, 9, 13)


def test_car_alliances_membership_and_joining(car: SeedProposal) -> None:
    for member in (FPRC, UPC, MPC, ANTI_BALAKA, MOKOM):
        assert _relations(car, member, RelationKind.MEMBER_OF, CPC)
    [joined] = _relations(car, SELEKA, RelationKind.MEMBER_OF, GOVERNMENT)
    assert "joined" in joined.evidence[0].statement
    assert joined.relation.valid_from == dt.date(2013, 3, 24)  # Bangui falls
    # GED records FPRC and MPC acting as one coalition: allied while they did
    allied = _relations(car, FPRC, RelationKind.ALLIED, MPC) or _relations(
        car, MPC, RelationKind.ALLIED, FPRC
    )
    assert allied and any("coalition 'FPRC, MPC'" in e.statement for e in allied[0].evidence)


def test_car_fighting_is_dated_in_spells_with_its_evidence(car: SeedProposal) -> None:
    spells = _relations(car, GOVERNMENT, RelationKind.FIGHTS, SELEKA)
    assert [(s.relation.valid_from, s.relation.valid_to) for s in spells] == [
        (dt.date(2006, 10, 30), dt.date(2007, 3, 31)),
        (dt.date(2012, 12, 10), dt.date(2013, 3, 24)),
    ]
    statements = " ".join(e.statement for e in spells[1].evidence)
    assert "dyad 875" in statements and "Government of Chad" in statements
    fights = _relations(car, ANTI_BALAKA, RelationKind.FIGHTS, FPRC)
    assert fights and any(e.deaths and e.deaths > 0 for e in fights[0].evidence)
    assert _relations(car, GOVERNMENT, RelationKind.FIGHTS, ANTI_BALAKA)
    assert _relations(car, GOVERNMENT, RelationKind.FIGHTS, CPC)[-1].relation.valid_to == dt.date(
        2024, 12, 31
    )  # the dyadic data set runs two years past GED 23.1


def test_car_attacks_on_civilians_match_the_ged_file(car: SeedProposal) -> None:
    mirror = mirror_path()
    assert mirror is not None
    with open(
        mirror / "ucdp" / "ged231_central_african_republic.csv", encoding="utf-8-sig"
    ) as handle:
        one_sided = [
            row
            for row in csv.DictReader(handle)
            if row["type_of_violence"] == "3" and row["side_a_new_id"] == str(ANTI_BALAKA)
        ]
    harm = car.actor_by_ucdp_id(ANTI_BALAKA).civilian_harm
    assert harm is not None
    assert (harm.events, harm.deaths) == (len(one_sided), sum(int(r["best"]) for r in one_sided))
    assert set(harm.event_ids) == {f"ged:{r['id']}" for r in one_sided}
    mokom = car.actor_by_ucdp_id(MOKOM).civilian_harm
    assert mokom is not None and mokom.joint_events > 0 and mokom.coalitions
    judgement = next(j for j in car.judgements if j.subject == "anti-balaka")
    assert judgement.origin is JudgementOrigin.MACHINE
    assert len(judgement.events) == len(one_sided)


def test_car_proposal_is_a_valid_case_fragment(car: SeedProposal) -> None:
    import yaml

    text = CASE_HEADER.format(country="CAF") + yaml.safe_dump(
        car.fragment(), sort_keys=False, allow_unicode=True
    )
    case = parse_case(text, "seeded.yaml")
    assert len(case.actors) == len(car.actors)
    assert len(case.relations) == len(car.relations)
    json.dumps(car.as_dict())  # every piece of evidence is JSON-ready


# ------------------------------------------------------------------ countries


def test_ucdp_locations_resolve_to_iso_codes(mirror: Path) -> None:
    known = {name for c in pycountry.countries for name in ucdp_country_names(c.alpha_3)}
    historical = {"Hyderabad", "South Vietnam", "South Yemen"}
    with open(mirror / "ucdp" / "ucdp-dyadic-251.csv", encoding="utf-8-sig") as handle:
        locations = {row["location"] for row in csv.DictReader(handle)}
    unresolved = {loc for loc in locations if not any(name in loc for name in known)} - historical
    assert not unresolved
    with pytest.raises(NotFoundError):
        ucdp_country_names("XYZ")


# ------------------------------------------------------------------ generated data

DYADIC_HEADER = (
    "dyad_id,conflict_id,location,side_a,side_a_id,side_a_2nd,side_b,side_b_id,side_b_2nd,"
    "incompatibility,territory_name,year,intensity_level,type_of_conflict,start_date,"
    "start_prec,start_date2,start_prec2,gwno_a,gwno_a_2nd,gwno_b,gwno_b_2nd,gwno_loc,region,"
    "version\n"
)
ACTORS = (
    "\ufeffActorId,NameData,NameOrig,Org,Location,ActorIdPrev,ActorIdAlliance,ActorIdGroup\n"
    "1,Government of Testland,Government of Testland,4,Testland,,,\n"
    "2,Front A,FA,1,Testland,,,\n"
    "3,Front A - B,FAB,1,Testland,2,,\n"
)


@pytest.fixture
def testland(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], UcdpFiles]:
    """UCDP files for a made-up country (Latvia's code stands in for it)."""
    monkeypatch.setitem(seed_module.UCDP_SPELLINGS, "LVA", "Testland")

    def files(dyadic_rows: str) -> UcdpFiles:
        actor_list = tmp_path / "actors.csv"
        actor_list.write_text(ACTORS, encoding="utf-8")
        dyadic = tmp_path / "dyadic.csv"
        dyadic.write_text(DYADIC_HEADER + dyadic_rows, encoding="utf-8")
        return UcdpFiles(actor_list=actor_list, dyadic=dyadic)

    return files


def _row(year: int, side_b: int = 2, name: str = "Front A") -> str:
    return (
        f"9,8,Testland,Government of Testland,1,,{name},{side_b},,2,,{year},1,3,"
        f"1990-06-01,1,1990-06-01,1,999,,,,999,4,25.1\n"
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(years=st.sets(st.integers(1990, 2030), min_size=1, max_size=15))
def test_dyad_years_become_spells_of_consecutive_years(
    testland: Callable[[str], UcdpFiles], years: set[int]
) -> None:
    proposal = seed_country("LVA", testland("".join(_row(y) for y in sorted(years))), at=AT)
    spells = [p.relation for p in proposal.relations if p.relation.kind is RelationKind.FIGHTS]
    covered: set[int] = set()
    for relation in spells:
        assert (relation.source, relation.target) == ("gov-lva", "front-a")
        assert relation.valid_from is not None and relation.valid_to is not None
        span = set(range(relation.valid_from.year, relation.valid_to.year + 1))
        assert span <= years and not span & covered
        covered |= span
        assert relation.valid_to == dt.date(relation.valid_to.year, 12, 31)
    assert covered == years
    # no two spells touch: a year without fighting lies between any two
    starts = sorted(r.valid_from.year for r in spells if r.valid_from)
    assert len(starts) == len({y for y in years if y - 1 not in years})
    assert proposal.actor_by_ucdp_id(3).actor.kind is ActorKind.FACTION  # "Front A - B"


def test_a_malformed_dyadic_row_is_named_by_file_line_and_column(
    testland: Callable[[str], UcdpFiles],
) -> None:
    files = testland(_row(2001) + _row(2002).replace(",2002,", ",20x2,") + _row(2003, side_b=0))
    with pytest.raises(InvalidInputError) as error:
        seed_country("LVA", files, at=AT)
    described = str(error.value)
    assert f"{files.dyadic}:3: at year" in described
    assert len(error.value.problems) == 1  # side id 0 is a number, so only the year is bad


def test_the_actor_lists_tie_columns_are_read(tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    path.write_text(
        "\ufeffActorId,NameData,Org,Location,ActorIdPrev,ActorIdSplitTemp,ActorIdAlliance,"
        "ActorIdGroup,OSCoalitionID,NSCoalitionID\n"
        '7,Front B,1,Testland,2,"3, 4",5,1,"100, 101","101, 102"\n'
        "8,Front C,1,Testland,,,,,,\n",
        encoding="utf-8",
    )
    front_b, front_c = read_actor_list(path)
    assert (
        front_b.splinter_of_ids,
        front_b.split_temp_ids,
        front_b.alliance_ids,
        front_b.joined_ids,
        front_b.coalition_ids,
    ) == ((2,), (3, 4), (5,), (1,), (100, 101, 102))
    assert front_c.split_temp_ids == front_c.joined_ids == front_c.coalition_ids == ()


def test_a_dyad_of_one_actor_against_itself_is_no_fight(
    testland: Callable[[str], UcdpFiles],
) -> None:
    damaged = _row(2002, side_b=1, name="Government of Testland")
    proposal = seed_country("LVA", testland(_row(2001) + damaged), at=AT)
    fights = [p.relation for p in proposal.relations if p.relation.kind is RelationKind.FIGHTS]
    assert [(r.source, r.target, r.valid_from) for r in fights] == [
        ("gov-lva", "front-a", dt.date(2001, 1, 1))
    ]


# ------------------------------------------------------------------ the command


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    data_dir = tmp_path_factory.mktemp("seed-data")
    settings = Settings(data_dir=data_dir, mirror=None)
    datasets.pull(settings, ["ucdp-actors", "ucdp-dyadic", "ucdp-ged"], mirror=mirror)
    return data_dir


def _seed(data_dir: Path, *args: str) -> tuple[int, str, str]:
    app = typer.Typer()
    app.add_typer(actors_app, name="actors")
    result = CliRunner().invoke(
        app, ["actors", "seed", *args], env={"BACKCHANNEL_DATA_DIR": str(data_dir)}
    )
    return result.exit_code, result.stdout, result.stderr


def test_seed_command_yaml_is_a_case_fragment(installed: Path) -> None:
    code, stdout, stderr = _seed(installed, "--country", "CAF")
    assert code == 0, stderr
    assert stdout.startswith("# PROPOSED")
    case = parse_case(CASE_HEADER.format(country="CAF") + stdout, "seed.yaml")
    names = {a.name for a in case.actors}
    assert {"anti-Balaka", "Seleka", "FPRC", "UPC", "MPC"} <= names
    kinds = {r.kind for r in case.relations}
    assert {RelationKind.SPLINTER_OF, RelationKind.ALLIED, RelationKind.FIGHTS} <= kinds
    assert "# ucdp-ged-231: UCDP GED records" in stdout  # attacks on civilians, as evidence


def test_seed_command_json_and_table(installed: Path) -> None:
    code, stdout, _ = _seed(installed, "--country", "caf", "--format", "json")
    assert code == 0
    document = json.loads(stdout)
    assert document["proposed"] is True
    assert all(a["proposed"] and a["evidence"] for a in document["actors"])
    code, stdout, _ = _seed(installed, "--country", "CAF", "--format", "table")
    assert code == 0 and "anti-balaka-mokom" in stdout  # ids are never folded
    code, stdout, _ = _seed(installed, "--country", "CAF", "--with-supporters", "--format", "json")
    actors = json.loads(stdout)["actors"]
    assert any(a["record"]["name"] == "Government of South Africa" for a in actors)


def test_seed_command_without_data_says_what_to_pull(tmp_path: Path) -> None:
    code, _, stderr = _seed(tmp_path, "--country", "CAF")
    assert code == 4
    assert "backchannel data pull ucdp-actors" in stderr
