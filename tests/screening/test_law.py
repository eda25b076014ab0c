"""Jurisdiction rules and engagement exposure: the rules' own checks, and table-driven cases.

The cases are the decisions a mediator's legal adviser would expect: a US organisation may not
train an FTO in IHL (Holder v. Humanitarian Law Project); humanitarian relief touching an SDGT
needed a specific licence before December 2022 and may fall under a general licence after; a UK
organisation meeting a proscribed group is exposed through the s. 12 meeting offence, not barred;
and a jurisdiction whose lists were not searched is never reported as clear.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from backchannel.errors import InvalidInputError
from backchannel.screening.designations import Designations, designations_of
from backchannel.screening.entity import EntityType, ListedEntity, ListedName, NameQuality
from backchannel.screening.exposure import Exposure, Level, assess_exposure
from backchannel.screening.law import PACKAGED_ACTIVITIES, PACKAGED_JURISDICTIONS, load_law
from backchannel.screening.law_model import Authority, Exemption, Provision

LAW = load_law()
RULES = Path(__file__).resolve().parents[2] / "src" / "backchannel"
BEFORE_GL = dt.date(2012, 5, 1)  # before OFAC's December 2022 general licences and S/RES/2664
AFTER_GL = dt.date(2023, 6, 1)  # after them, and after Canada's June 2023 exception


def _entity(
    list_id: str, *programmes: str, reference: str | None = None, **extra: Any
) -> ListedEntity:
    return ListedEntity(
        list_id=list_id,
        entity_id=reference or f"{list_id}-1",
        type=EntityType.ORGANISATION,
        names=(ListedName("HARAKAT AL-SHABAAB AL-MUJAHIDIN", NameQuality.PRIMARY),),
        programmes=programmes,
        reference=reference,
        **extra,
    )


OFAC_FTO = _entity("ofac-sdn", "SDGT", "FTO")
OFAC_SDGT = _entity("ofac-sdn", "SDGT")
UN_SHABAAB = _entity("un-sc", "Somalia", reference="SOe.001", listed_on=dt.date(2010, 4, 12))
UN_ISIL = _entity("un-sc", "Al-Qaida", reference="QDe.115", listed_on=dt.date(2004, 10, 18))
UN_OTHER = _entity("un-sc", "Central African Republic", reference="CFe.001")


def _assess(
    entities: tuple[ListedEntity, ...],
    activity: str,
    jurisdiction: str,
    on: dt.date,
    screened: tuple[str, ...] = ("ofac-sdn", "un-sc"),
    declared: tuple[str, ...] = (),
    organisation: tuple[str, ...] | None = None,
) -> Exposure:
    designations = designations_of(entities, screened=screened, declared=declared, law=LAW)
    return assess_exposure(
        designations, [activity], [jurisdiction], on, law=LAW, organisation=organisation
    )


# -------------------------------------------------------------------- the packaged rules


def test_every_provision_exemption_and_authority_is_cited_and_sourced() -> None:
    entries: list[Provision | Exemption | Authority] = [
        *LAW.provisions.values(),
        *LAW.exemptions.values(),
        *LAW.authorities.values(),
    ]
    assert len(LAW.provisions) >= 15 and len(LAW.exemptions) >= 15
    for entry in entries:
        assert entry.id and entry.citation and entry.summary, entry.id
        assert entry.source_url.startswith("https://"), entry.id
        assert entry.as_of == LAW.as_of, entry.id
        assert entry.verified or entry.note, f"{entry.id}: unverified without a note"
    assert {p.jurisdiction for p in LAW.provisions.values()} == {"US", "UN", "UK", "EU", "CA", "AU"}


def test_every_activity_is_described_and_ruled_on_by_every_provision() -> None:
    expected = {
        "meeting",
        "remote_contact",
        "paying_transport_or_lodging",
        "per_diem_or_cash",
        "training_ihl",
        "expert_advice_legal_or_political",
        "delivering_humanitarian_supplies",
        "medical_care",
        "publishing_statements",
        "facilitating_talks_between_parties",
        "hosting_or_venue",
    }
    assert expected <= set(LAW.activities)
    for activity in LAW.activities.values():
        assert activity.name and activity.description
        for provision in LAW.provisions.values():
            ruling = activity.ruling_for(provision)
            assert ruling is not None and ruling.reason, (activity.id, provision.id)


def test_the_key_dates_are_the_researched_ones() -> None:
    assert LAW.exemptions["un-2664-humanitarian-carve-out"].effective_from == dt.date(2022, 12, 9)
    assert LAW.exemptions["ca-83-03-4-humanitarian"].effective_from == dt.date(2023, 6, 20)
    assert LAW.exemptions["uk-2023-humanitarian-exception"].effective_from == dt.date(2023, 2, 9)
    assert LAW.authorities["holder-v-hlp-2010"].citation.startswith(
        "Holder v. Humanitarian Law Project, 561 U.S. 1 (2010)"
    )


# -------------------------------------------------------------------- validation


def _without(section: str, entry_id: str, key: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        entry = next(e for e in document[section] if e["id"] == entry_id)
        del entry[key]

    return change


def _unverified_without_note(document: dict[str, Any]) -> None:
    entry = next(e for e in document["exemptions"] if e["id"] == "uk-tact-s12-4-defence")
    entry["verified"] = False
    entry.pop("note", None)


def _secondary_source(document: dict[str, Any]) -> None:
    entry = next(e for e in document["provisions"] if e["id"] == "us-2339b")
    entry["source_url"] = "https://www.example-law-blog.com/2339b"


@pytest.mark.parametrize(
    ("change", "location"),
    [
        (_without("exemptions", "un-2664-humanitarian-carve-out", "citation"), ".citation"),
        (_without("exemptions", "us-ofac-specific-licence", "source_url"), ".source_url"),
        (_without("exemptions", "uk-tact-s12-4-defence", "summary"), ".summary"),
        (_without("exemptions", "uk-ofsi-licence", "obtain"), ".obtain"),
        (_without("provisions", "us-2339b", "citation"), ".citation"),
        (_without("provisions", "uk-tact-ss11-13", "id"), ".id"),
        (_without("authorities", "holder-v-hlp-2010", "source_url"), ".source_url"),
        (_unverified_without_note, ".note"),
        (_secondary_source, ".source_url"),
    ],
    ids=[
        "exemption-without-citation",
        "exemption-without-source",
        "exemption-without-description",
        "authorisation-without-what-to-obtain",
        "provision-without-citation",
        "provision-without-id",
        "authority-without-source",
        "unverified-without-note",
        "provision-on-a-secondary-source",
    ],
)
def test_rules_missing_what_a_reader_needs_fail_validation(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], location: str
) -> None:
    document = yaml.safe_load((RULES / PACKAGED_JURISDICTIONS).read_text("utf-8"))
    change(document)
    path = tmp_path / "jurisdictions.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidInputError) as raised:
        load_law(path, RULES / PACKAGED_ACTIVITIES)
    assert any(location in problem.location for problem in raised.value.problems), raised.value


@pytest.mark.parametrize(
    ("key", "message"),
    [("description", "required"), ("treatments", "no ruling for provision")],
)
def test_activities_without_description_or_rulings_fail_validation(
    tmp_path: Path, key: str, message: str
) -> None:
    document = yaml.safe_load((RULES / PACKAGED_ACTIVITIES).read_text("utf-8"))
    if key == "treatments":
        del document["activities"][0]["treatments"]["us-2339b"]
    else:
        del document["activities"][0][key]
    path = tmp_path / "activities.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidInputError) as raised:
        load_law(RULES / PACKAGED_JURISDICTIONS, path)
    assert any(message in problem.message for problem in raised.value.problems)


# -------------------------------------------------------------------- designations


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        (OFAC_FTO, {"us-fto", "us-sdgt"}),
        (OFAC_SDGT, {"us-sdgt"}),
        (UN_SHABAAB, {"un-al-shabaab"}),
        (UN_ISIL, {"un-isil-al-qaida"}),
        (UN_OTHER, {"un-other"}),  # the catch-all, only when nothing specific claims it
    ],
)
def test_list_entries_become_designations(entity: ListedEntity, expected: set[str]) -> None:
    assert designations_of([entity], law=LAW).ids == expected


def test_an_unknown_declared_designation_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="uk-banned"):
        designations_of([], declared=["uk-banned"], law=LAW)


# -------------------------------------------------------------------- exposure cases

CASES = [
    # (case, entities, declared, activity, jurisdiction, date, level, provision, exemption)
    (
        "us-trains-fto-in-ihl",
        (OFAC_FTO,),
        (),
        "training_ihl",
        "US",
        AFTER_GL,
        Level.PROHIBITED,
        "us-2339b",
        None,
    ),
    (
        "us-relief-sdgt-after-dec-2022",
        (OFAC_SDGT,),
        (),
        "delivering_humanitarian_supplies",
        "US",
        AFTER_GL,
        Level.EXPOSED,
        "us-eo13224-gtsr",
        "us-gtsr-ngo-general-licence",
    ),
    (
        "us-relief-sdgt-in-2012",
        (OFAC_SDGT,),
        (),
        "delivering_humanitarian_supplies",
        "US",
        BEFORE_GL,
        Level.LICENCE_NEEDED,
        "us-eo13224-gtsr",
        "us-ofac-specific-licence",
    ),
    (
        "uk-meets-proscribed-group",
        (),
        ("uk-proscribed",),
        "meeting",
        "UK",
        AFTER_GL,
        Level.EXPOSED,
        "uk-tact-ss11-13",
        "uk-tact-s12-4-defence",
    ),
    (
        "uk-pays-proscribed-group",
        (),
        ("uk-proscribed",),
        "per_diem_or_cash",
        "UK",
        AFTER_GL,
        Level.LICENCE_NEEDED,
        "uk-tact-ss15-18",
        "uk-tact-ss21za-21zc-consent",
    ),
    (
        "un-somalia-relief-2012-earlier-exemption",
        (UN_SHABAAB,),
        (),
        "delivering_humanitarian_supplies",
        "UN",
        BEFORE_GL,
        Level.EXPOSED,
        "un-2713-asset-freeze",
        "un-1916-somalia-humanitarian",
    ),
    (
        "un-isil-relief-2012-no-carve-out",
        (UN_ISIL,),
        (),
        "delivering_humanitarian_supplies",
        "UN",
        BEFORE_GL,
        Level.PROHIBITED,
        "un-1267-asset-freeze",
        None,
    ),
    (
        "un-isil-relief-2023-carve-out",
        (UN_ISIL,),
        (),
        "delivering_humanitarian_supplies",
        "UN",
        AFTER_GL,
        Level.EXPOSED,
        "un-1267-asset-freeze",
        "un-2664-humanitarian-carve-out",
    ),
    (
        "ca-relief-listed-entity-2022",
        (),
        ("ca-listed-entity",),
        "delivering_humanitarian_supplies",
        "CA",
        dt.date(2022, 6, 1),
        Level.PROHIBITED,
        "ca-cc-83-03",
        None,
    ),
    (
        "au-trains-listed-org-in-ihl",
        (),
        ("au-listed-terrorist-org",),
        "training_ihl",
        "AU",
        AFTER_GL,
        Level.PROHIBITED,
        "au-cc-102-5",
        None,
    ),
    (
        "au-relief-listed-org-association-exception",
        (),
        ("au-listed-terrorist-org",),
        "meeting",
        "AU",
        AFTER_GL,
        Level.EXPOSED,
        "au-cc-102-8",
        None,
    ),
]


@pytest.mark.parametrize(
    ("entities", "declared", "activity", "jurisdiction", "on", "level", "provision", "exemption"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_exposure_cases(
    entities: tuple[ListedEntity, ...],
    declared: tuple[str, ...],
    activity: str,
    jurisdiction: str,
    on: dt.date,
    level: Level,
    provision: str,
    exemption: str | None,
) -> None:
    cell = _assess(entities, activity, jurisdiction, on, declared=declared).cell(
        activity, jurisdiction
    )
    assert cell.level is level, cell.reasons
    assert provision in {f.provision for f in cell.provisions}
    if exemption:
        assert exemption in {e.id for e in cell.exemptions}
    assert cell.reasons and cell.obtain_first


def test_training_an_fto_cites_holder_v_hlp_and_the_approval_route() -> None:
    cell = _assess((OFAC_FTO,), "training_ihl", "US", AFTER_GL).cell("training_ihl", "US")
    finding = next(f for f in cell.provisions if f.provision == "us-2339b")
    assert finding.level is Level.PROHIBITED
    assert [a.id for a in finding.authorities] == ["holder-v-hlp-2010"]
    assert any("561 U.S. 1 (2010)" in reason for reason in cell.reasons)
    # the exceptional approval is named but does not soften the level
    assert any("2339B(j)" in item for item in cell.obtain_first)


def test_a_2012_case_gets_no_carve_out_and_says_why() -> None:
    exposure = _assess((OFAC_SDGT,), "delivering_humanitarian_supplies", "US", BEFORE_GL)
    cell = exposure.cell("delivering_humanitarian_supplies", "US")
    assert "us-gtsr-ngo-general-licence" not in {e.id for e in cell.exemptions}
    assert any("in force only from 2022-12-21" in reason for reason in cell.reasons)
    assert any("specific licence from OFAC" in item for item in cell.obtain_first)


def test_the_uk_meeting_offence_is_stated_correctly() -> None:
    cell = _assess((), "meeting", "UK", AFTER_GL, declared=("uk-proscribed",)).cell("meeting", "UK")
    finding = next(f for f in cell.provisions if f.provision == "uk-tact-ss11-13")
    assert "not itself an offence" in finding.reason
    assert "s. 12(2)" in finding.reason and "s. 12(4)" in finding.reason
    defence = next(e for e in cell.exemptions if e.id == "uk-tact-s12-4-defence")
    assert any("private" in condition for condition in defence.conditions)


def test_a_group_listed_after_the_case_date_brings_no_provisions() -> None:
    exposure = _assess((UN_SHABAAB,), "per_diem_or_cash", "UN", dt.date(2009, 6, 1))
    assert exposure.cell("per_diem_or_cash", "UN").level is Level.PERMITTED
    assert exposure.designations == ()
    assert any("after the case date" in note for note in exposure.notes)


def test_exemptions_open_only_to_others_are_set_aside_for_a_named_organisation() -> None:
    # an NGO cannot rely on the licence for international organisations' official business
    anyone = _assess((OFAC_SDGT,), "training_ihl", "US", AFTER_GL).cell("training_ihl", "US")
    ngo = _assess((OFAC_SDGT,), "training_ihl", "US", AFTER_GL, organisation=("ngo",)).cell(
        "training_ihl", "US"
    )
    assert "us-gtsr-io-general-licence" in {e.id for e in anyone.exemptions}
    assert anyone.level is Level.EXPOSED
    assert ngo.level is Level.LICENCE_NEEDED
    assert any("not to this organisation" in reason for reason in ngo.reasons)


# -------------------------------------------------------------------- coverage and errors


def test_a_jurisdiction_whose_lists_we_do_not_hold_is_not_screened() -> None:
    # OFAC's file carries no Australian listing: Australia must not come out clear
    exposure = _assess((OFAC_SDGT,), "per_diem_or_cash", "AU", AFTER_GL, screened=("ofac-sdn",))
    cell = exposure.cell("per_diem_or_cash", "AU")
    assert cell.level is Level.UNKNOWN
    assert "au-listed-terrorist-org" in {gap.designation for gap in cell.not_screened}
    assert all(gap.message.startswith("not screened: check") for gap in cell.not_screened)
    assert any(
        reason.startswith("Not screened: check this list yourself") for reason in cell.reasons
    )
    # the UN row is always assessed; the UN list was not searched either
    assert exposure.jurisdictions == ("AU", "UN")
    assert exposure.cell("per_diem_or_cash", "UN").level is Level.UNKNOWN


def test_unsearched_lists_that_could_not_change_the_answer_leave_it_permitted() -> None:
    # no UN asset freeze reaches a phone call, listed or not; the gap is still shown
    exposure = _assess((OFAC_SDGT,), "remote_contact", "US", AFTER_GL, screened=("ofac-sdn",))
    cell = exposure.cell("remote_contact", "UN")
    assert cell.level is Level.PERMITTED
    assert cell.not_screened


def test_an_unknown_activity_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError) as raised:
        assess_exposure(Designations(), ["meeting", "brunch"], ["US"], AFTER_GL, law=LAW)
    message = str(raised.value)
    assert "unknown activity 'brunch'" in message and "training_ihl" in message


def test_an_unknown_jurisdiction_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="unknown jurisdiction 'FR'"):
        assess_exposure(Designations(), ["meeting"], ["FR"], AFTER_GL, law=LAW)


def test_the_result_carries_the_disclaimer_and_serialises() -> None:
    exposure = _assess((OFAC_FTO, UN_SHABAAB), "training_ihl", "US", AFTER_GL)
    assert exposure.disclaimer.startswith("This is not legal advice.")
    data = json.loads(json.dumps(exposure.as_dict()))
    assert data["as_of"] == AFTER_GL.isoformat()
    assert {cell["jurisdiction"] for cell in data["cells"]} == {"US", "UN"}
