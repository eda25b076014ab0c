"""The negotiation's own records move the strategy: our role fits the objectives and
safeguards, the mandate and red lines on record read the conditions, the case's red lines
replace the generic list (kept as a checklist), and monitoring entries and counterpart
positions meet the exit criteria, on the packaged examples."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from backchannel.actors.analysis import analyse_case
from backchannel.casefile import load_case
from backchannel.dialogue.facts import FACT_SOURCES
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.rules import load_dialogue_rules
from backchannel.dialogue.strategy import Strategy, recommend
from backchannel.errors import InvalidInputError
from backchannel.model.as_of import known_on
from backchannel.model.case import Case, Commitment
from backchannel.model.compliance import monitoring_rules
from backchannel.model.negotiation import Approval, CaseLine, Mandate, MonitoringEntry, Position
from backchannel.model.vocabulary import (
    CommitmentKind,
    CommitmentStatus,
    OurRole,
    Side,
    VerificationMethod,
)
from backchannel.redaction import WITHHELD
from backchannel.risk.assessment import assess_case
from tests.conftest import EXAMPLES
from tests.dialogue.test_rules import _rules_folder
from tests.dialogue.test_strategy import OWN_CHANNEL
from tests.scenarios.variants import apply_changes

RULES = load_dialogue_rules()


@cache
def _example(name: str) -> Case:
    return load_case(EXAMPLES / f"{name}.yaml")


def _strategy(case: Case, day: dt.date | None = None) -> Strategy:
    """The strategy for ``case`` as known on ``day`` (default: the end of its period)."""
    day = day or case.context.period.end
    assert day is not None
    cut = known_on(case, day).case
    return recommend(StrategyInputs(cut, day, analyse_case(cut, day), stage=assess_case(cut, day)))


def _with_role(case: Case, role: OurRole | None) -> Case:
    return case.model_copy(update={"context": case.context.model_copy(update={"our_role": role})})


def _ids(items: list[Any]) -> list[str]:
    return [item.id for item in items]


# --------------------------------------------------------------------- our role


def test_our_role_decides_what_we_pursue_in_the_somalia_famine() -> None:
    """Somalia 2011 with no channel of ours (preparatory): as a humanitarian agency we seek
    access and humanitarian-norm commitments and carry no political messages; as the
    official mediator we seek the parties' consent and inclusion and coordinate with the
    other engagers; as analysts we negotiate nothing and inform those who do."""
    somalia = _example("somalia-2011")
    agency = _strategy(_with_role(somalia, OurRole.HUMANITARIAN_AGENCY)).recommendation
    mediator = _strategy(_with_role(somalia, OurRole.OFFICIAL_MEDIATOR)).recommendation
    analyst = _strategy(_with_role(somalia, OurRole.ANALYST)).recommendation

    assert {"obj-access", "obj-norms", "obj-channel"} <= set(_ids(agency.objectives))
    assert "sg-no-political-messages" in _ids(agency.safeguards)
    assert {"obj-consent", "obj-inclusion", "obj-channel"} <= set(_ids(mediator.objectives))
    assert "sg-coordination" in _ids(mediator.safeguards)
    assert not {"obj-access", "obj-norms"} & set(_ids(mediator.objectives))
    assert _ids(analyst.objectives) == ["obj-inform", "obj-watch", "obj-mapping"]
    assert "sg-analyst-no-negotiation" in _ids(analyst.safeguards)
    # the role is among the reasons an item applies
    access = next(o for o in agency.objectives if o.id == "obj-access")
    assert access.applies_because == {"our_role": "humanitarian_agency"}
    assert access.sources, "a role-fitted objective cites its sources"


def test_a_famine_access_case_without_detention_has_no_detainee_objective() -> None:
    """Al-Shabaab's commitments concern access only: releasing detainees is no objective of
    the access talks until the case holds a commitment on detention, and even then only
    for the roles it fits (an agency or the official mediator, never a facilitator)."""
    somalia = _example("somalia-2011")
    strategy = _strategy(somalia)
    assert strategy.facts["commitments.concern_detention"] is False
    assert "obj-detainees" not in _ids(strategy.recommendation.objectives)

    detainees = Commitment(
        id="c-shabaab-detainees-2011-09",
        party="al-shabaab",
        kind=CommitmentKind.RELEASE_OF_DETAINEES,
        text="Let a humanitarian body visit the people held in its prisons in Baidoa.",
        start=dt.date(2011, 9, 1),
        status=CommitmentStatus.PENDING,
    )
    with_detention = somalia.model_copy(update={"commitments": [*somalia.commitments, detainees]})
    fitted = _strategy(with_detention).recommendation.objectives
    item = next(o for o in fitted if o.id == "obj-detainees")
    assert item.applies_because == {
        "our_role": "humanitarian_agency",
        "commitments.concern_detention": True,
    }
    facilitator = _with_role(with_detention, OurRole.FACILITATOR)
    assert "obj-detainees" not in _ids(_strategy(facilitator).recommendation.objectives)


@pytest.mark.parametrize(
    ("role", "objective", "safeguard"),
    [
        (OurRole.FACILITATOR, "obj-process", "sg-process-not-substance"),
        (OurRole.INSIDER_MEDIATOR, "obj-local-arrangements", "sg-insider-safety"),
        (OurRole.PARTY, "obj-own-interests", "sg-party-plain-role"),
    ],
)
def test_each_role_gets_its_own_objective_and_safeguard(
    role: OurRole, objective: str, safeguard: str
) -> None:
    """A facilitator helps agree the process, an insider mediator guards its own standing
    and safety, a party pursues its own interests: each role's items appear for it alone."""
    strategy = _strategy(_with_role(_example("central-african-republic-2013"), role))
    assert objective in _ids(strategy.recommendation.objectives)
    assert safeguard in _ids(strategy.recommendation.safeguards)
    for other in OurRole:
        if other is role:
            continue
        items = [
            *RULES.plan.objectives,
            *RULES.plan.safeguards,
        ]
        fitted = {i.id for i in items if i.roles is not None and other.value in i.roles}
        assert not {objective, safeguard} & fitted, other


def test_with_our_role_unknown_only_role_free_items_apply_and_a_first_step_asks_for_it() -> None:
    """Not knowing what we are, the engine lists only what fits any engager and asks first
    to record our role, rather than guessing a humanitarian or a political agenda."""
    strategy = _strategy(_with_role(_example("somalia-2011"), None))
    fitted = {i.id for i in [*RULES.plan.objectives, *RULES.plan.safeguards] if i.roles is not None}
    shown = _ids(strategy.recommendation.objectives) + _ids(strategy.recommendation.safeguards)
    assert not fitted & set(shown)
    assert _ids(strategy.recommendation.objectives) == ["obj-record-role", "obj-mapping"]
    assert "negotiation:our_role" in [s.origin for s in strategy.first_steps]
    assert strategy.facts["our_role"] is None


# --------------------------------------------------------------------- the mandate


#: Colombia with our working channel to the FARC and security and legal clearance judged in
#: place, but nothing judged on the mandate: the mandate on record decides it.
def _colombia_ready_but_mandate() -> Case:
    judged = [
        {"judge": {"subject": f"condition:{c}", "severity": 0, "at": "2012-12-15"}}
        for c in ("security", "legal_clearance")
    ]
    return apply_changes(_example("colombia-2012"), OWN_CHANNEL + judged, "ready but mandate")


def _mandate(**changes: Any) -> Mandate:
    fields: dict[str, Any] = {
        "mandator": "Board of the organisation (example)",
        "date": dt.date(2012, 9, 1),
        "objectives": ["Help the parties agree the rules of their talks"],
        "limits": ["No proposal of our own on the substance of the agenda"],
        "approvals": [Approval(by="Executive director", date=dt.date(2012, 9, 3))],
    }
    return Mandate(**(fields | changes))


def _with_mandate(case: Case, mandate: Mandate | None) -> Case:
    return case.model_copy(update={"mandate": mandate})


def test_a_complete_mandate_in_force_puts_the_mandate_in_place_on_our_own_record() -> None:
    """Given by a named mandator with objectives, limits and an approval, and not lapsed:
    the mandate condition is in place on direct evidence, so Colombia can proceed, and the
    mandate's objective leads the objectives."""
    strategy = _strategy(_with_mandate(_colombia_ready_but_mandate(), _mandate()))
    mandate = strategy.readiness.condition("mandate")
    assert (mandate.level, mandate.basis) == ("in_place", "data")
    assert [s.signal for s in mandate.signals] == ["mandate_record"]
    assert mandate.signals[0].direct
    assert "Board" not in mandate.signals[0].text, "the reading never quotes the mandate"
    assert strategy.status == "proceed"
    assert strategy.facts["mandate.recorded"] is True
    assert strategy.facts["mandate.in_force"] is True
    first = strategy.recommendation.objectives[0]
    assert first.kind == "mandate"
    assert first.text == "Help the parties agree the rules of their talks"


def test_without_a_mandate_on_record_the_condition_stays_unknown() -> None:
    """No mandate, or one given after the day: no reading, the status stays conditional."""
    for mandate in (None, _mandate(date=dt.date(2013, 1, 20), approvals=[])):
        strategy = _strategy(
            _with_mandate(_colombia_ready_but_mandate(), mandate), dt.date(2013, 1, 10)
        )
        reading = strategy.readiness.condition("mandate")
        assert (reading.level, reading.signals) == ("unknown", [])
        assert strategy.status == "conditional"
        assert "mandate" in strategy.recommendation.pending
        assert strategy.facts["mandate.recorded"] is False


def test_an_incomplete_mandate_is_partial_and_says_what_is_missing() -> None:
    """A mandate in force with no approval on record is only partly settled: conditional."""
    case = _with_mandate(_colombia_ready_but_mandate(), _mandate(approvals=[]))
    strategy = _strategy(case)
    reading = strategy.readiness.condition("mandate")
    assert reading.level == "partial"
    assert reading.signals[0].text.endswith("does not state an approval.")
    assert strategy.status == "conditional"


def test_a_lapsed_mandate_is_lacking_whatever_was_judged_and_holds_the_talks() -> None:
    """A mandate that ran until November 2012 no longer covers talks in January 2013: the
    mandate is lacking, even though an analyst judged it in place while it ran, so hold."""
    lapsed = _with_mandate(
        _colombia_ready_but_mandate(), _mandate(valid_until=dt.date(2012, 11, 30))
    )
    judged = apply_changes(
        lapsed,
        [{"judge": {"subject": "condition:mandate", "severity": 0, "at": "2012-10-01"}}],
        "judged before the lapse",
    )
    for case in (lapsed, judged):
        strategy = _strategy(case)
        reading = strategy.readiness.condition("mandate")
        assert reading.level == "lacking"
        assert reading.action is not None and reading.action.startswith(
            "The mandate given on 2012-09-01 ran until 2012-11-30 and has lapsed."
        )
        assert strategy.status == "hold"
        assert strategy.facts["mandate.in_force"] is False
        assert not [o for o in strategy.recommendation.objectives if o.kind == "mandate"]
    assert _strategy(judged).readiness.condition("mandate").capped_by == ["mandate_lapse"]
    # before the lapse the same mandate was in force
    assert _strategy(lapsed, dt.date(2012, 11, 15)).readiness.condition("mandate").level == (
        "in_place"
    )


# --------------------------------------------------------------------- red lines


def test_the_case_red_lines_are_the_red_lines_and_the_checklist_marks_those_adopted() -> None:
    """Somalia records two red lines of its own, adopted from the generic ones on aid by
    need and on material support: those are the recommendation's red lines, with who set
    them, and the checklist shows what else could be adopted."""
    strategy = _strategy(_example("somalia-2011"))
    lines = strategy.recommendation.red_lines
    assert _ids(lines) == ["rl-aid-by-need", "rl-no-fees"]
    assert {line.kind for line in lines} == {"case"}
    fees = lines[1]
    assert fees.text.startswith("No registration fee, security payment")
    assert fees.applies_because is not None
    assert fees.applies_because["adopted_from"] == "rl-no-support"
    assert fees.applies_because["set_by"].startswith("Our organisation (example placeholder)")
    assert _ids(fees.sources) == ["backchannel-screening"], "the adopted line's sources"
    checklist = {item.id: item.adopted for item in strategy.recommendation.red_line_checklist}
    assert checklist == {
        "rl-no-support": True,
        "rl-principles": True,
        "rl-no-intelligence": False,
        "rl-intermediaries": False,
    }
    red_lines = strategy.readiness.condition("red_lines")
    assert (red_lines.level, red_lines.basis) == ("in_place", "data")


def test_without_red_lines_of_its_own_the_case_gets_none_and_a_checklist_to_adopt_from() -> None:
    """The generic list never stands in for lines the mandator did not set."""
    bare = _example("somalia-2011").model_copy(update={"red_lines": [], "positions": []})
    strategy = _strategy(bare)
    assert strategy.recommendation.red_lines == []
    assert not any(item.adopted for item in strategy.recommendation.red_line_checklist)
    reading = strategy.readiness.condition("red_lines")
    assert (reading.level, reading.signals) == ("unknown", [])
    assert reading.action is not None and "checklist" in reading.action
    assert strategy.facts["positions.crossing_red_lines"] is None
    red_line_exit = next(
        e for e in strategy.recommendation.exit_criteria if e.id == "exit-red-line"
    )
    assert red_line_exit.met is None, "no red line on record: not evaluable, never not met"


def test_a_red_line_set_after_the_day_is_not_yet_a_red_line() -> None:
    """A replay before the board set a line lists only the lines set by then."""
    case = _example("colombia-2012")
    late = CaseLine(
        id="rl-late",
        text="No talks while hostages are held.",
        set_by="Board of the organisation (example)",
        date=dt.date(2013, 1, 20),
    )
    changed = case.model_copy(update={"red_lines": [*case.red_lines, late]})
    assert _ids(_strategy(changed, dt.date(2013, 1, 10)).recommendation.red_lines) == [
        "rl-no-amnesty-atrocity-crimes"
    ]
    assert "rl-late" in _ids(_strategy(changed).recommendation.red_lines)


def _demand(**changes: Any) -> Position:
    fields: dict[str, Any] = {
        "id": "p-farc-amnesty",
        "counterpart": "farc",
        "side": Side.THEM,
        "position": "A general amnesty for every member of the FARC, whatever the crime.",
        "date": dt.date(2012, 12, 20),
        "crosses_red_lines": ["rl-no-amnesty-atrocity-crimes"],
        "engagement": "e-own-meeting",
    }
    return Position(**(fields | changes))


def _colombia_ready() -> Case:
    return apply_changes(
        _colombia_ready_but_mandate(),
        [{"judge": {"subject": "condition:mandate", "severity": 0, "at": "2012-12-15"}}],
        "ready",
    )


def test_a_counterpart_demand_crossing_a_case_red_line_meets_the_exit_criterion() -> None:
    """The FARC demanding a blanket amnesty, against our red line on amnesty for atrocity
    crimes, and not withdrawing it: the red-line exit criterion is met and the talks hold."""
    ready = _colombia_ready()
    assert _strategy(ready).status == "proceed"
    demanding = ready.model_copy(update={"positions": [*ready.positions, _demand()]})
    strategy = _strategy(demanding)
    assert strategy.status == "hold"
    [met] = strategy.recommendation.exit_criteria_met
    assert (met.id, met.basis) == ("exit-red-line", "data")
    assert met.evidence[1] == (
        "Revolutionary Armed Forces of Colombia - People's Army (FARC-EP), position stated on "
        "2012-12-20 and not withdrawn by 2013-01-31: crosses 1 red line(s) of the case"
    )
    assert strategy.facts["positions.crossing_red_lines"] == 1
    # withdrawn before the day, the demand no longer stands
    dropped = ready.model_copy(
        update={"positions": [*ready.positions, _demand(withdrawn=dt.date(2013, 1, 5))]}
    )
    assert _strategy(dropped).status == "proceed"
    # and an analyst who records that the demand was dropped clears the criterion
    cleared = apply_changes(
        demanding,
        [
            {
                "judge": {
                    "subject": "exit:exit-red-line",
                    "status": "absent",
                    "at": "2013-01-20",
                    "finding": "The FARC took the amnesty demand off the table.",
                }
            }
        ],
        "cleared",
    )
    assert _strategy(cleared).status == "proceed"


# --------------------------------------------------------------------- monitoring


def _observed(
    commitment_id: str, day: str, method: VerificationMethod, supports: CommitmentStatus
) -> dict[str, Any]:
    entry = MonitoringEntry(
        date=dt.date.fromisoformat(day),
        method=method,
        by="Monitor (example)",
        observed="What the monitor saw in the area on that day.",
        supports=supports,
    )
    return {"commitment": commitment_id, "entry": entry}


def _monitored(case: Case, *observations: dict[str, Any]) -> Case:
    commitments = []
    for commitment in case.commitments:
        entries = [o["entry"] for o in observations if o["commitment"] == commitment.id]
        commitments.append(
            commitment.model_copy(update={"monitoring": [*commitment.monitoring, *entries]})
            if entries
            else commitment
        )
    return Case.model_validate(case.model_copy(update={"commitments": commitments}).model_dump())


def test_reported_breaches_turn_commitments_violated_and_two_meet_the_exit_criterion() -> None:
    """A third party reports the FARC taking hostages for ransom: that commitment reads
    violated, one breach is not yet the exit criterion; a second report, of attacks during
    the unilateral ceasefire, makes two broken without remedy and the talks hold, each
    breach named with its evidence."""
    ready = _colombia_ready()
    assert _strategy(ready).facts["commitments.violated"] == 0
    ransom = _observed(
        "c-farc-no-ransom-kidnapping",
        "2012-06-01",
        VerificationMethod.THIRD_PARTY_REPORT,
        CommitmentStatus.VIOLATED,
    )
    once = _strategy(_monitored(ready, ransom))
    assert once.facts["commitments.violated"] == 1
    assert "sg-third-party-verification" in _ids(once.recommendation.safeguards)
    breach = next(e for e in once.recommendation.exit_criteria if e.id == "exit-repeated-breach")
    assert breach.met is False and once.status != "hold"

    ceasefire = _observed(
        "c-farc-unilateral-ceasefire",
        "2013-01-25",
        VerificationMethod.FIELD_MISSION,
        CommitmentStatus.VIOLATED,
    )
    twice = _strategy(_monitored(ready, ransom, ceasefire))
    assert twice.facts["commitments.violated"] == 2
    assert twice.status == "hold"
    [met] = twice.recommendation.exit_criteria_met
    assert met.id == "exit-repeated-breach"
    assert met.evidence[1:] == [
        "c-farc-no-ransom-kidnapping: third party report, 2012-06-01",
        "c-farc-unilateral-ceasefire: field mission, 2013-01-25",
    ]
    # the breach of the ceasefire was not known before it was reported
    assert _strategy(_monitored(ready, ransom, ceasefire), dt.date(2013, 1, 22)).status != "hold"


def test_a_party_reporting_its_own_compliance_does_not_make_a_commitment_honoured() -> None:
    """The FARC saying it took no more hostages awaits verification: the commitment stays
    where the last verified evidence left it, and nothing counts it as kept."""
    ready = _colombia_ready()
    claim = _observed(
        "c-farc-no-ransom-kidnapping",
        "2012-09-01",
        VerificationMethod.SELF_REPORTING,
        CommitmentStatus.HONOURED,
    )
    before = _strategy(ready)
    after = _strategy(_monitored(ready, claim))
    assert after.facts["commitments.honoured"] == before.facts["commitments.honoured"]
    status = {c.id: c.status for group in after.negotiation.compliance for c in group.commitments}
    assert status["c-farc-no-ransom-kidnapping"] == "unknown"


def test_a_broken_norm_commitment_calls_for_its_own_safeguard() -> None:
    """Once the UN documents child recruitment by anti-balaka after Brazzaville, the
    humanitarian-norm breach is counted and the brief asks to raise it and pass it on."""
    car = _example("central-african-republic-2013")
    report = _observed(
        "c-antibalaka-brazzaville-children",
        "2014-11-28",
        VerificationMethod.THIRD_PARTY_REPORT,
        CommitmentStatus.VIOLATED,
    )
    before = _strategy(car)
    after = _strategy(_monitored(car, report))
    assert before.facts["commitments.norms_violated"] == 0
    assert after.facts["commitments.norms_violated"] == 1
    assert "sg-norm-breach" in _ids(after.recommendation.safeguards)
    assert "sg-norm-breach" not in _ids(before.recommendation.safeguards)


# --------------------------------------------------------------------- the rules as data


def test_a_plan_item_fitted_to_an_unknown_role_is_refused(tmp_path: Path) -> None:
    folder = _rules_folder(tmp_path)
    document = yaml.safe_load((folder / "dialogue_plan.yaml").read_text(encoding="utf-8"))
    document["objectives"][0]["roles"] = ["peacekeeper"]
    (folder / "dialogue_plan.yaml").write_text(
        yaml.safe_dump(document, sort_keys=False), encoding="utf-8"
    )
    with pytest.raises(InvalidInputError) as caught:
        load_dialogue_rules(folder)
    assert "unknown roles ['peacekeeper']" in str(caught.value)
    assert "dialogue_plan.yaml" in str(caught.value)


def test_every_role_has_objectives_and_safeguards_that_cite_known_works() -> None:
    for role in OurRole:
        objectives = [i for i in RULES.plan.objectives if i.roles and role.value in i.roles]
        safeguards = [i for i in RULES.plan.safeguards if i.roles and role.value in i.roles]
        assert objectives and safeguards, role
        for item in [*objectives, *safeguards]:
            assert all(c.id in RULES.sources for c in item.sources), item.id


def test_the_monitoring_rules_cite_works_the_strategy_knows() -> None:
    cited = {c.id for rule in monitoring_rules().methods for c in rule.sources}
    assert cited <= set(RULES.sources)
    assert {"geneva-call-deed", "unsc-1612"} <= cited


def test_the_evidence_lines_an_exit_criterion_names_are_documented_facts() -> None:
    strategy = _strategy(_example("somalia-2011"))
    for item in RULES.plan.exit_criteria:
        if item.evidence_items is None:
            continue
        assert item.evidence_items in FACT_SOURCES, item.id
        assert isinstance(strategy.facts[item.evidence_items], list), item.id


def test_a_redacted_recommendation_shows_no_text_of_the_case() -> None:
    """The case's red lines, who set them and the mandate's objectives are sensitive: the
    withheld recommendation keeps their number and kind, and relabels the lines' ids."""
    case = _with_mandate(_example("somalia-2011"), _mandate(date=dt.date(2011, 8, 1)))
    recommendation = _strategy(case).recommendation
    withheld = recommendation.withheld(WITHHELD)
    assert _ids(withheld.red_lines) == ["red-line-1", "red-line-2"]
    assert [line.text for line in withheld.red_lines] == [WITHHELD, WITHHELD]
    shown = withheld.model_dump_json()
    for line in case.red_lines:
        assert " ".join(line.text.split()) not in shown
        assert line.set_by not in shown
    assert "Help the parties agree the rules of their talks" not in shown
    assert [o.kind for o in withheld.objectives] == [o.kind for o in recommendation.objectives]
    assert withheld.red_line_checklist == recommendation.red_line_checklist
