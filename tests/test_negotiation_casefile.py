"""The negotiation keys of a case file: read and written back unchanged, stored and exported
unchanged, carried into the assessment, refused where wrong with the file and line of the
fault, and described by the JSON Schema.

``SAMPLE`` is a small hand-written case file that sets every key the negotiation added
(``context.our_role``, ``mandate``, ``red_lines``, ``bottom_lines``, ``island_of_agreement``,
``positions``, ``common_positions``, engagement ``asks``, commitment ``verification_plan``
and ``monitoring``, and the commitment kinds for humanitarian norms);
``test_the_sample_sets_every_new_key`` keeps it that way as the model grows.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import string
from functools import partial
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typer.testing import CliRunner

from backchannel.casefile import case_json_schema, dump_case, load_case, parse_case
from backchannel.cli import app
from backchannel.model.as_of import known_on
from backchannel.model.case import (
    Actor,
    Case,
    Commitment,
    Context,
    Engagement,
    Period,
    Source,
)
from backchannel.model.negotiation import (
    Approval,
    CaseLine,
    CommonPosition,
    IslandEntry,
    Mandate,
    MonitoringEntry,
    Position,
    VerificationPlan,
)
from backchannel.model.vocabulary import (
    NORM_KINDS,
    ActorKind,
    AgreementKind,
    Channel,
    CommitmentKind,
    CommitmentStatus,
    OurRole,
    Side,
    VerificationMethod,
)
from tests.conftest import EXAMPLES

runner = CliRunner()

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))

#: What each packaged example says our organisation is. Each example's own organisation
#: is a placeholder, so none of them records a mandate: who would give it is unknown.
EXAMPLE_ROLES = {
    "somalia-2011": OurRole.HUMANITARIAN_AGENCY,
    "colombia-2012": OurRole.FACILITATOR,
    "central-african-republic-2013": OurRole.FACILITATOR,
}

GENERIC_RED_LINES = Path(__file__).resolve().parents[1] / (
    "src/backchannel/data/rules/dialogue_plan.yaml"
)

MANDATOR = "Board of the agency, emergency session"
SAMPLE = """\
id: negotiated
context:
  title: Vaccination access in the northern districts
  country: CAF
  period:
    start: 2014-01-01
    end: 2014-12-31
  our_role: humanitarian_agency
sources:
  - id: src
    title: A public report on access
    publisher: An example publisher
    date: 2014-01-10
    url: https://example.org/report
actors:
  - id: group-a
    name: Group A
    kind: armed_group
    references: [src]
  - id: group-b
    name: Group B
    kind: militia
    references: [src]
  - id: own
    name: Our agency
    kind: own_organisation
  - id: agency-b
    name: Agency B
    kind: international_actor
    references: [src]
engagements:
  - id: e1
    by: own
    date: 2014-03-02
    channel: direct
    modality: humanitarian
    counterparts: [group-a]
    outcome: partial_agreement
    asks:
      - Safe passage for the vaccination teams along the northern road
      - Release of the two detained drivers
    references: [src]
  - id: e2
    by: agency-b
    date: 2014-03-20
    channel: through_intermediary
    modality: humanitarian
    counterparts: [group-a, group-b]
    asks: [A pause in the fighting on the days of the campaign]
    references: [src]
commitments:
  - id: c-vaccination
    party: group-a
    kind: health_care
    text: Vaccination teams work unharmed in the villages the group holds.
    start: 2014-03-02
    engagement: e1
    verification_plan:
      methods: [self_reporting, field_mission, third_party_report]
      by: Health cluster monitors
      interval_days: 30
    status: violated
    status_history:
      - {status: pending, date: 2014-03-02, references: [src]}
      - {status: violated, date: 2014-05-01, references: [src]}
    monitoring:
      - date: 2014-04-01
        method: field_mission
        by: Health cluster monitors
        observed: Teams vaccinated in four villages without incident.
        supports: honoured
        references: [src]
      - date: 2014-05-01
        method: third_party_report
        by: A human rights organisation
        observed: A vaccinator was beaten at a checkpoint of the group.
        supports: violated
        references: [src]
    references: [src]
  - id: c-children
    party: group-a
    kind: child_recruitment
    text: No child under eighteen serves in the group.
    start: 2014-03-02
    status: pending
  - id: c-mines
    party: group-a
    kind: anti_personnel_mines
    text: No new anti-personnel mines.
    start: 2014-03-02
  - id: c-sexual-violence
    party: group-a
    kind: sexual_violence
    text: No sexual violence by the group's fighters.
    start: 2014-03-02
  - id: c-displacement
    party: group-b
    kind: displacement
    text: No forced displacement of villagers.
    start: 2014-03-20
  - id: c-detention
    party: group-b
    kind: detention
    text: Detainees are registered and may be visited.
    start: 2014-03-20
mandate:
  mandator: Board of the agency, emergency session
  date: 2014-01-15
  valid_until: 2014-12-31
  objectives:
    - Vaccination teams reach every village of the northern districts
  limits:
    - No discussion of the group's political demands
  approvals:
    - by: Security adviser
      date: 2014-02-01
      covers: First contact with group A
  references: [src]
red_lines:
  - id: rl-fees
    text: No payment to the group for access.
    set_by: Board of the agency
    date: 2014-01-15
    adopted_from: rl-no-support
    references: [src]
bottom_lines:
  - id: bl-lists
    text: Vaccination lists stay with the agency.
    set_by: Board of the agency
    date: 2014-01-15
    references: [src]
island_of_agreement:
  - id: ia-cholera
    counterpart: group-a
    kind: agreed_fact
    text: Cholera is spreading in the camps of the northern districts.
    date: 2014-03-02
    engagement: e1
    references: [src]
  - id: ia-children
    counterpart: group-a
    kind: convergent_norm
    text: Children should be vaccinated whoever holds their village.
    date: 2014-03-02
    engagement: e1
  - id: ia-deaths
    counterpart: group-a
    kind: divergent_fact
    text: How many children died of measles last winter.
    date: 2014-03-02
    references: [src]
  - id: ia-women
    counterpart: group-b
    kind: divergent_norm
    text: Whether women may work as vaccinators.
    date: 2014-03-20
    engagement: e2
positions:
  - id: p-ours
    counterpart: group-a
    side: us
    position: Vaccination teams pass every checkpoint unhindered.
    reasons: [Delays spoil the vaccines]
    values: [Care by need alone]
    offers: [Two days' notice of each team's route]
    date: 2014-03-02
    engagement: e1
    references: [src]
  - id: p-theirs
    counterpart: group-a
    side: them
    position: Each team pays a fee at the first checkpoint.
    reasons: [The group funds its administration]
    values: [Authority over its territory]
    offers: [Escorts for the teams]
    date: 2014-03-02
    withdrawn: 2014-04-15
    crosses_red_lines: [rl-fees]
    engagement: e1
    references: [src]
common_positions:
  - id: cp-no-fees
    text: No agency pays any group for access.
    engagers: [own, agency-b]
    counterparts: [group-a, group-b]
    date: 2014-03-25
    references: [src]
"""


def _sample() -> Case:
    return parse_case(SAMPLE, source="sample.yaml")


def _cases() -> list[tuple[str, Case]]:
    return [(p.stem, load_case(p)) for p in EXAMPLE_FILES] + [("sample", _sample())]


# --- the sample covers what it must ------------------------------------------------------


def _set_somewhere(records: list[BaseModel], model: type[BaseModel]) -> set[str]:
    """The fields of ``model`` that hold something other than their default in a record."""
    found = set()
    for name, info in model.model_fields.items():
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if any(getattr(r, name) != default for r in records):
            found.add(name)
    return found


def test_the_sample_sets_every_new_key() -> None:
    case = _sample()
    assert case.mandate is not None
    assert case.context.our_role is OurRole.HUMANITARIAN_AGENCY
    plans = [c.verification_plan for c in case.commitments if c.verification_plan]
    entries = [m for c in case.commitments for m in c.monitoring]
    groups: list[tuple[type[BaseModel], list[Any]]] = [
        (Mandate, [case.mandate]),
        (Approval, list(case.mandate.approvals)),
        (CaseLine, [*case.red_lines, *case.bottom_lines]),
        (IslandEntry, list(case.island_of_agreement)),
        (Position, list(case.positions)),
        (CommonPosition, list(case.common_positions)),
        (VerificationPlan, plans),
        (MonitoringEntry, entries),
    ]
    for model, records in groups:
        assert records, model.__name__
        unset = set(model.model_fields) - _set_somewhere(records, model)
        assert not unset, f"{model.__name__}: {sorted(unset)} never set in SAMPLE"
    assert all(e.asks for e in case.engagements)
    assert {e.kind for e in case.island_of_agreement} == set(AgreementKind)
    assert {p.side for p in case.positions} == set(Side)
    assert {m for plan in plans for m in plan.methods} == set(VerificationMethod)
    assert {c.kind for c in case.commitments} >= NORM_KINDS


# --- dump and parse -----------------------------------------------------------------------


@pytest.mark.parametrize("name", [*(p.stem for p in EXAMPLE_FILES), "sample"])
def test_dump_then_parse_gives_the_same_case(name: str) -> None:
    case = dict(_cases())[name]
    text = dump_case(case)
    again = parse_case(text, source=f"{name}.yaml")
    assert again == case
    assert dump_case(again) == text  # and the written form is stable
    document = yaml.safe_load(text)
    for key in ("red_lines", "island_of_agreement", "positions"):
        assert document[key] == [
            r.model_dump(mode="json", exclude_none=True) for r in getattr(case, key)
        ]
    assert document["context"]["our_role"] == case.context.our_role.value  # type: ignore[union-attr]


# --- the packaged examples ----------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_each_example_records_its_role_and_its_negotiation(path: Path) -> None:
    case = load_case(path)
    assert case.context.our_role is EXAMPLE_ROLES[case.id]
    assert case.mandate is None  # the own organisation is a placeholder: no mandator known
    assert case.island_of_agreement and case.positions and case.red_lines
    generic = {line["id"] for line in yaml.safe_load(GENERIC_RED_LINES.read_text())["red_lines"]}
    own = {a.id for a in case.actors if a.kind is ActorKind.OWN_ORGANISATION}
    for line in case.red_lines:
        # adopted from the generic list, and said to be adopted by the placeholder
        assert line.adopted_from in generic, line.id
        assert "example placeholder" in line.set_by, line.id
        assert line.references, line.id
    records: list[IslandEntry | Position] = [*case.island_of_agreement, *case.positions]
    for record in records:
        assert record.counterpart not in own, record.id
        assert record.references, record.id
    # no position of ours: the placeholder stated none, so none is made up
    assert all(p.side is Side.THEM for p in case.positions)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_each_negotiation_record_of_an_example_is_known_on_its_own_date(path: Path) -> None:
    """A replay on the day an entry was established shows it: it is sourced by what could
    be known that day (an engagement held by then, or a source published by then)."""
    case = load_case(path)
    for collection in ("island_of_agreement", "positions"):
        for record in getattr(case, collection):
            known = known_on(case, record.date).case
            assert record.id in {r.id for r in getattr(known, collection)}, record.id
    for commitment in case.commitments:
        for entry in commitment.monitoring:
            assert commitment.start <= entry.date
            known = known_on(case, entry.date).case
            kept = next(c for c in known.commitments if c.id == commitment.id)
            assert entry.date in {m.date for m in kept.monitoring}, commitment.id


def test_the_examples_monitoring_agrees_with_the_recorded_status() -> None:
    """Monitoring entries added to an example confirm the status it records: the status
    read at the end of the period is the recorded one."""
    for path in EXAMPLE_FILES:
        case = load_case(path)
        end = known_on(case, case.context.period.end or dt.date.today()).case
        for commitment, read in zip(case.commitments, end.commitments, strict=True):
            assert read.status is commitment.status, (case.id, commitment.id)


# --- through the store and the command line -----------------------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A store on SQLite: the round trip is the case file's, the store's own tests cover both."""
    return {
        "BACKCHANNEL_DATA_DIR": str(tmp_path / "data"),
        "BACKCHANNEL_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite'}",
        "BACKCHANNEL_USER": "cli-tester",
    }


def _run(env: dict[str, str], *args: str) -> Any:
    return runner.invoke(app, list(args), env={**env, "BACKCHANNEL_MIRROR": None})


def _written(tmp_path: Path, name: str) -> Path:
    if name == "sample":
        path = tmp_path / "sample.yaml"
        path.write_text(SAMPLE, encoding="utf-8")
        return path
    return EXAMPLES / f"{name}.yaml"


@pytest.mark.parametrize("name", [*(p.stem for p in EXAMPLE_FILES), "sample"])
def test_import_then_export_gives_back_the_imported_case(
    name: str, env: dict[str, str], tmp_path: Path
) -> None:
    path = _written(tmp_path, name)
    case = load_case(path)
    imported = _run(env, "case", "import", str(path))
    assert imported.exit_code == 0, imported.output
    exported = tmp_path / "exported.yaml"
    result = _run(env, "case", "export", case.id, "-o", str(exported))
    assert result.exit_code == 0, result.output
    assert load_case(exported) == case
    assert exported.read_text(encoding="utf-8") == dump_case(case)
    again = _run(env, "case", "import", str(exported))
    assert f"unchanged case {case.id}" in again.stdout


@pytest.mark.parametrize("name", [*(p.stem for p in EXAMPLE_FILES), "sample"])
def test_assess_json_carries_the_negotiation(name: str, tmp_path: Path) -> None:
    path = _written(tmp_path, name)
    case = load_case(path)
    negotiation = _assess(path, tmp_path)["negotiation"]
    assert {"mandate", "our_role", "island_of_agreement", "positions", "other_engagers"} <= set(
        negotiation
    )
    assert negotiation["our_role"] == case.context.our_role.value  # type: ignore[union-attr]
    assert {p["id"] for p in negotiation["positions"]} == {p.id for p in case.positions}
    islands = {
        item["id"]
        for island in negotiation["island_of_agreement"]
        for quadrant in ("agreed_facts", "convergent_norms", "divergent_facts", "divergent_norms")
        for item in island[quadrant]
    }
    assert islands == {e.id for e in case.island_of_agreement}
    assert isinstance(negotiation["other_engagers"], list)
    if case.mandate is None:
        assert negotiation["mandate"] is None
        assert any("No mandate is on record" in gap for gap in negotiation["gaps"])
    else:
        assert negotiation["mandate"]["mandator"] == MANDATOR


def _assess(path: Path, tmp_path: Path) -> dict[str, Any]:
    result = runner.invoke(
        app,
        ["assess", str(path), "--format", "json"],
        env={"BACKCHANNEL_DATA_DIR": str(tmp_path / "data"), "BACKCHANNEL_MIRROR": None},
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_assess_json_shows_what_the_sample_records(tmp_path: Path) -> None:
    """The sample's full view: the mandate, the position that crosses a red line, and the
    other engager with what it asked and the common position it shares with us."""
    negotiation = _assess(_written(tmp_path, "sample"), tmp_path)["negotiation"]
    mandate = negotiation["mandate"]
    assert (mandate["mandator"], mandate["date"], mandate["in_force"]) == (
        MANDATOR,
        "2014-01-15",
        True,
    )
    theirs = next(p for p in negotiation["positions"] if p["id"] == "p-theirs")
    assert theirs["crosses_red_lines"] == ["No payment to the group for access."]
    assert theirs["withdrawn"] == "2014-04-15" and theirs["held"] is False
    (other,) = [e for e in negotiation["other_engagers"] if e["id"] == "agency-b"]
    assert other["asks"] == ["A pause in the fighting on the days of the campaign"]
    assert other["common_positions"] == ["cp-no-fees"]
    assert negotiation["page_one"]["we_offer"] == ["Two days' notice of each team's route"]


def test_assess_json_of_somalia_names_the_icrc_and_what_it_asked(tmp_path: Path) -> None:
    negotiation = _assess(EXAMPLES / "somalia-2011.yaml", tmp_path)["negotiation"]
    icrc = next(e for e in negotiation["other_engagers"] if e["id"] == "icrc")
    assert any("unimpeded" in ask for ask in icrc["asks"])
    crossing = [p["id"] for p in negotiation["positions"] if p["crosses_red_lines"]]
    assert crossing == ["p-shabaab-conditions-2009"]


# --- bad input is located ----------------------------------------------------------------

_ISLAND_SOURCED = """\
  - id: ia-cholera
    counterpart: group-a
    kind: agreed_fact
    text: Cholera is spreading in the camps of the northern districts.
    date: 2014-03-02
    engagement: e1
    references: [src]
"""

#: Each row: the text to change in SAMPLE and its replacement, the line the problem must
#: be reported on (as the text of that line after the change), the path, and words of the
#: message.
BAD_INPUTS = [
    pytest.param(
        (
            _ISLAND_SOURCED,
            _ISLAND_SOURCED.replace("    engagement: e1\n    references: [src]\n", ""),
        ),
        "  - id: ia-cholera",
        "island_of_agreement[0]",
        "must say where it comes from",
        id="island-entry-without-source",
    ),
    pytest.param(
        (
            "  - id: p-theirs\n    counterpart: group-a\n",
            "  - id: p-theirs\n    counterpart: ghost\n",
        ),
        "    counterpart: ghost",
        "positions[1].counterpart",
        "'ghost' is not the id of any actor in this case",
        id="position-unknown-counterpart",
    ),
    pytest.param(
        (
            "    counterpart: group-b\n    kind: divergent_norm\n",
            "    counterpart: nobody\n    kind: divergent_norm\n",
        ),
        "    counterpart: nobody",
        "island_of_agreement[3].counterpart",
        "'nobody' is not the id of any actor in this case",
        id="island-unknown-counterpart",
    ),
    pytest.param(
        ("    side: us\n", "    side: us\n    crosses_red_lines: [rl-fees]\n"),
        "  - id: p-ours",
        "positions[0]",
        "only the counterpart's positions can cross our red lines",
        id="our-position-crossing-a-red-line",
    ),
    pytest.param(
        ("  our_role: humanitarian_agency\n", "  our_role: spoiler\n"),
        "  our_role: spoiler",
        "context.our_role",
        "(got 'spoiler')",
        id="unknown-our-role",
    ),
    pytest.param(
        ("    crosses_red_lines: [rl-fees]\n", "    crosses_red_lines: [rl-ghost]\n"),
        "    crosses_red_lines: [rl-ghost]",
        "positions[1].crosses_red_lines[0]",
        "'rl-ghost' is not the id of any red line in this case",
        id="crossing-an-unknown-red-line",
    ),
    pytest.param(
        ("    engagers: [own, agency-b]\n", "    engagers: [own]\n"),
        "    engagers: [own]",
        "common_positions[0].engagers",
        "at least 2 items",
        id="common-position-of-one-engager",
    ),
    pytest.param(
        ("      - date: 2014-04-01\n", "      - date: 2014-02-01\n"),
        "  - id: c-vaccination",
        "commitments[0]",
        "before the commitment's start",
        id="monitoring-before-the-commitment",
    ),
    pytest.param(
        ("  valid_until: 2014-12-31\n", "  valid_until: 2013-12-31\n"),
        "mandate:",
        "mandate",
        "valid_until 2013-12-31 is before date 2014-01-15",
        id="mandate-lapsing-before-it-is-given",
    ),
    pytest.param(
        (
            "    date: 2014-03-20\n    engagement: e2\n",
            "    date: 2014-03-20\n    engagement: e9\n",
        ),
        "    engagement: e9",
        "island_of_agreement[3].engagement",
        "'e9' is not the id of any engagement in this case",
        id="island-unknown-engagement",
    ),
    pytest.param(
        ("    kind: agreed_fact\n", "    kind: agreed\n"),
        "    kind: agreed",
        "island_of_agreement[0].kind",
        "(got 'agreed')",
        id="unknown-quadrant",
    ),
    pytest.param(
        ("        method: field_mission\n", "        method: rumour\n"),
        "        method: rumour",
        "commitments[0].monitoring[0].method",
        "(got 'rumour')",
        id="unknown-verification-method",
    ),
]


@pytest.mark.parametrize(("change", "line_text", "location", "words"), BAD_INPUTS)
def test_bad_negotiation_input_is_named_by_file_line_and_path(
    change: tuple[str, str], line_text: str, location: str, words: str, tmp_path: Path
) -> None:
    old, new = change
    assert SAMPLE.count(old) == 1, old
    text = SAMPLE.replace(old, new)
    line = text.splitlines().index(line_text) + 1
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["case", "validate", str(path)])
    assert result.exit_code == 3, result.output
    shown = " ".join(result.stderr.split())  # the console may wrap a long line
    assert f"{path}:{line}: at {location} " in shown, shown
    assert " ".join(words.split()) in shown, shown
    as_json = runner.invoke(app, ["case", "validate", str(path), "--format", "json"])
    problems = json.loads(as_json.stdout)[0]["problems"]
    assert any(
        p["line"] == line and p["location"] == location and words in p["message"] for p in problems
    ), problems


# --- the JSON Schema ---------------------------------------------------------------------


def _json_document(text: str) -> Any:
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def test_the_schema_documents_the_negotiation_keys() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == case_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    defs = schema["$defs"]
    top = schema["properties"]
    for key in (
        "mandate",
        "red_lines",
        "bottom_lines",
        "island_of_agreement",
        "positions",
        "common_positions",
    ):
        assert top[key]["description"], key
    assert "our_role" in defs["Context"]["properties"]
    assert defs["OurRole"]["enum"] == [r.value for r in OurRole]
    assert defs["AgreementKind"]["enum"] == [k.value for k in AgreementKind]
    assert set(defs["CommitmentKind"]["enum"]) >= {k.value for k in NORM_KINDS}
    assert "asks" in defs["Engagement"]["properties"]
    assert {"verification_plan", "monitoring"} <= set(defs["Commitment"]["properties"])
    models: tuple[type[BaseModel], ...] = (
        Mandate,
        Approval,
        CaseLine,
        IslandEntry,
        Position,
        CommonPosition,
        VerificationPlan,
        MonitoringEntry,
    )
    for model in models:
        assert set(defs[model.__name__]["properties"]) == set(model.model_fields)
    # the negotiation's texts are marked sensitive, its dates and kinds are not
    assert defs["Mandate"]["properties"]["mandator"]["x-sensitive"] is True
    assert defs["IslandEntry"]["properties"]["text"]["x-sensitive"] is True
    assert defs["Position"]["properties"]["offers"]["x-sensitive"] is True
    assert defs["Engagement"]["properties"]["asks"]["x-sensitive"] is True
    assert "x-sensitive" not in defs["IslandEntry"]["properties"]["kind"]
    assert "x-sensitive" not in defs["Position"]["properties"]["date"]


def test_the_schema_accepts_the_examples_and_the_sample_and_refuses_an_unknown_role() -> None:
    schema = case_json_schema()
    for path in EXAMPLE_FILES:
        jsonschema.validate(_json_document(path.read_text(encoding="utf-8")), schema)
    jsonschema.validate(_json_document(SAMPLE), schema)
    bad = SAMPLE.replace("  our_role: humanitarian_agency\n", "  our_role: spoiler\n")
    with pytest.raises(jsonschema.ValidationError, match="spoiler"):
        jsonschema.validate(_json_document(bad), schema)


# --- property: random valid negotiation records round-trip -----------------------------------

ACTORS = ("group-a", "group-b", "own", "agency-b")
GENERIC_IDS = ("rl-no-support", "rl-principles", "rl-no-intelligence", "rl-no-amnesty")

free_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")
texts = st.lists(free_text, max_size=3)
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
later = st.integers(min_value=0, max_value=400).map(lambda n: dt.timedelta(days=n))
references = st.sampled_from([[], ["s"]])
identifiers = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=8)


@st.composite
def lines(draw: st.DrawFn, prefix: str) -> list[CaseLine]:
    count = draw(st.integers(min_value=0, max_value=3))
    return [
        CaseLine(
            id=f"{prefix}-{i}",
            text=draw(free_text),
            set_by=draw(free_text),
            date=draw(st.none() | days),
            adopted_from=draw(st.none() | st.sampled_from(GENERIC_IDS)),
            references=draw(references),
        )
        for i in range(count)
    ]


@st.composite
def negotiated_cases(draw: st.DrawFn) -> Case:
    start = draw(days)
    red = draw(lines("rl"))
    island = []
    for i in range(draw(st.integers(min_value=0, max_value=4))):
        engagement = draw(st.none() | st.just("e1"))
        island.append(
            IslandEntry(
                id=f"ia-{i}",
                counterpart=draw(st.sampled_from(ACTORS)),
                kind=draw(st.sampled_from(AgreementKind)),
                text=draw(free_text),
                date=draw(days),
                engagement=engagement,
                references=["s"] if engagement is None else draw(references),
            )
        )
    positions = []
    for i in range(draw(st.integers(min_value=0, max_value=4))):
        side = draw(st.sampled_from(Side))
        day = draw(days)
        crossing = (
            draw(st.lists(st.sampled_from([r.id for r in red]), unique=True))
            if (red and side is Side.THEM)
            else []
        )
        positions.append(
            Position(
                id=f"p-{draw(identifiers)}-{i}",
                counterpart=draw(st.sampled_from(ACTORS)),
                side=side,
                position=draw(free_text),
                reasons=draw(texts),
                values=draw(texts),
                offers=draw(texts),
                date=day,
                withdrawn=draw(st.none() | later.map(partial(operator.add, day))),
                crosses_red_lines=crossing,
                engagement=draw(st.none() | st.just("e1")),
                references=draw(references),
            )
        )
    commons = [
        CommonPosition(
            id=f"cp-{i}",
            text=draw(free_text),
            engagers=draw(st.lists(st.sampled_from(ACTORS), min_size=2, max_size=4, unique=True)),
            counterparts=draw(st.lists(st.sampled_from(ACTORS), max_size=2, unique=True)),
            date=draw(days),
            references=draw(references),
        )
        for i in range(draw(st.integers(min_value=0, max_value=2)))
    ]
    given_on = draw(days)
    mandate = draw(
        st.none()
        | st.builds(
            Mandate,
            mandator=free_text,
            date=st.just(given_on),
            valid_until=st.none() | later.map(lambda d: given_on + d),
            objectives=texts,
            limits=texts,
            approvals=st.lists(
                st.builds(Approval, by=free_text, date=days, covers=st.just("") | free_text),
                max_size=2,
            ),
            references=references,
        )
    )
    plan = draw(
        st.none()
        | st.builds(
            VerificationPlan,
            methods=st.lists(
                st.sampled_from(VerificationMethod), min_size=1, max_size=3, unique=True
            ),
            by=st.none() | free_text,
            interval_days=st.none() | st.integers(min_value=1, max_value=3660),
        )
    )
    monitoring = draw(
        st.lists(
            st.builds(
                MonitoringEntry,
                date=later.map(lambda d: start + d),
                method=st.sampled_from(VerificationMethod),
                by=free_text,
                observed=free_text,
                supports=st.sampled_from(CommitmentStatus),
                references=references,
            ),
            max_size=3,
        )
    )
    return Case(
        id="property",
        context=Context(
            title=draw(free_text),
            country="CAF",
            period=Period(start=start),
            our_role=draw(st.none() | st.sampled_from(OurRole)),
        ),
        sources=[Source(id="s", title="source")],
        actors=[Actor(id=a, name=a, kind=ActorKind.ARMED_GROUP) for a in ACTORS],
        engagements=[
            Engagement(
                id="e1",
                date=start,
                channel=draw(st.sampled_from(Channel)),
                counterparts=["group-a"],
                asks=draw(texts),
            )
        ],
        commitments=[
            Commitment(
                id="c1",
                party="group-a",
                kind=draw(st.sampled_from(CommitmentKind)),
                text=draw(free_text),
                start=start,
                verification_plan=plan,
                monitoring=monitoring,
                status=draw(st.sampled_from(CommitmentStatus)),
            )
        ],
        mandate=mandate,
        red_lines=red,
        bottom_lines=draw(lines("bl")),
        island_of_agreement=island,
        positions=positions,
        common_positions=commons,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiated_cases())
def test_random_negotiation_records_round_trip_through_dump_and_parse(case: Case) -> None:
    assert parse_case(dump_case(case)) == case
