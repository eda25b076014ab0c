"""Negotiation records added to a packaged example, for tests that need every new key.

The texts are distinctive sentences, so a search of a database or an output for them finds
nothing by chance; the records point at the example's own actors, engagements and sources.
"""

from __future__ import annotations

import datetime as dt

from backchannel.model.case import Case, Commitment
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
    AgreementKind,
    CommitmentKind,
    CommitmentStatus,
    OurRole,
    Side,
    VerificationMethod,
)

MANDATOR = "Regional director Halima Qorsheel"
BOTTOM_LINE = "Registration lists of beneficiaries stay with the agency at every distribution"
OFFER = "Advance notice of convoy routes forty-eight hours before departure"
AGREED_FACT = "Children under five in Bakool are dying of hunger at emergency rates"
RED_LINE = "No payment of any registration fee to the group's drought committee"
MONITORING_SEEN = "Two boys of about fourteen carried rifles at the Baidoa checkpoint"


def with_negotiation(case: Case, counterpart: str, own: str, other: str) -> Case:
    """``case`` with a mandate, our role, a red and a bottom line, an Island of Agreement,
    positions of both sides, a common position and a monitored norm commitment."""
    start = case.context.period.start
    source = case.sources[0].id
    day = start + dt.timedelta(days=10)
    norm = Commitment(
        id="c-no-child-recruitment",
        party=counterpart,
        kind=CommitmentKind.CHILD_RECRUITMENT,
        text="No recruitment or use of children under eighteen by the group's units",
        start=day,
        verification_plan=VerificationPlan(
            methods=[VerificationMethod.SELF_REPORTING, VerificationMethod.THIRD_PARTY_REPORT],
            by="Child protection monitors",
            interval_days=90,
        ),
        monitoring=[
            MonitoringEntry(
                date=day + dt.timedelta(days=30),
                method=VerificationMethod.SELF_REPORTING,
                by="The group's liaison officer",
                observed="The group reports that no child serves in its ranks",
                supports=CommitmentStatus.HONOURED,
            ),
            MonitoringEntry(
                date=day + dt.timedelta(days=60),
                method=VerificationMethod.THIRD_PARTY_REPORT,
                by="Country task force on monitoring and reporting",
                observed=MONITORING_SEEN,
                supports=CommitmentStatus.VIOLATED,
                references=[source],
            ),
        ],
        references=[source],
    )
    return case.model_copy(
        update={
            "context": case.context.model_copy(update={"our_role": OurRole.HUMANITARIAN_AGENCY}),
            "mandate": Mandate(
                mandator=MANDATOR,
                date=start,
                valid_until=start + dt.timedelta(days=365),
                objectives=["Safe passage for food convoys into the famine districts"],
                limits=["No discussion of the political future of the regions"],
                approvals=[Approval(by="Security focal point", date=start, covers="first contact")],
            ),
            "red_lines": [
                CaseLine(
                    id="rl-fee",
                    text=RED_LINE,
                    set_by=MANDATOR,
                    date=start,
                    adopted_from="rl-no-support",
                )
            ],
            "bottom_lines": [
                CaseLine(id="bl-lists", text=BOTTOM_LINE, set_by=MANDATOR, date=start)
            ],
            "island_of_agreement": [
                IslandEntry(
                    id="ia-hunger",
                    counterpart=counterpart,
                    kind=AgreementKind.AGREED_FACT,
                    text=AGREED_FACT,
                    date=day,
                    references=[source],
                ),
                IslandEntry(
                    id="ia-neutrality",
                    counterpart=counterpart,
                    kind=AgreementKind.DIVERGENT_NORM,
                    text="Whether foreign agencies can be neutral in a war the group calls a jihad",
                    date=day,
                    references=[source],
                ),
            ],
            "positions": [
                Position(
                    id="p-ours",
                    counterpart=counterpart,
                    side=Side.US,
                    position="Convoys pass every checkpoint without inspection of their cargo",
                    reasons=["Inspections delay food by weeks"],
                    values=["Impartial aid by need alone"],
                    offers=[OFFER],
                    date=day,
                ),
                Position(
                    id="p-theirs",
                    counterpart=counterpart,
                    side=Side.THEM,
                    position="Agencies register with the drought committee and pay its fee",
                    reasons=["Control over who operates in its areas"],
                    values=["Sovereignty of its administration"],
                    date=day,
                    crosses_red_lines=["rl-fee"],
                ),
            ],
            "common_positions": [
                CommonPosition(
                    id="cp-no-fees",
                    text="No agency pays the group to operate",
                    engagers=[own, other],
                    counterparts=[counterpart],
                    date=day,
                    references=[source],
                )
            ],
            "commitments": [*case.commitments, norm],
        }
    )
