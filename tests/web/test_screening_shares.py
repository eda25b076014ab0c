"""Sharing a screening decision from the web: case leads of the decision's own case only.

A decision recorded in one case is offered to the rest of the organisation only when that
case's lead shares it; other cases then see a suggestion (never who, when or why), and
nothing changes there until someone confirms it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from backchannel.screening.decisions import HitDecision, Verdict
from backchannel.store.service import CaseStore
from tests.web.conftest import CASE, OTHER_CASE, Browser

NOTE = "Checked against the panel of experts' report: same commander, same area."


def decision(case_id: str, user: str, verdict: Verdict = Verdict.FALSE_POSITIVE) -> HitDecision:
    return HitDecision(
        query="Harakat al-Shabaab al-Mujahideen",
        list_id="un-sc",
        entity_id="QDe.164",
        verdict=verdict,
        user=user,
        at=dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC),
        note=NOTE,
        case_id=case_id,
    )


def share_path(case_id: str, seq: int) -> str:
    return f"/api/cases/{case_id}/screening/decisions/{seq}/share"


def test_a_case_lead_shares_and_withdraws_a_decision(
    web_store: CaseStore, browser: Callable[[str], Browser]
) -> None:
    lead = browser("lead")
    seq = web_store.acting_as("lead").record_decision(decision(CASE, "lead"))
    headers = {"X-CSRF-Token": lead.csrf}
    answer = lead.client.post(share_path(CASE, seq), json={"shared": True}, headers=headers)
    assert answer.status_code == 200 and answer.json() == {"seq": seq, "shared": True}
    (suggestion,) = web_store.shared_decisions(OTHER_CASE, ["HARAKAT AL SHABAAB AL MUJAHIDEEN"])
    assert suggestion.verdict is Verdict.FALSE_POSITIVE
    assert web_store.screening_decisions(OTHER_CASE) == []  # nothing applied elsewhere
    entry = web_store.audit_entries(case_id=CASE)[-1]
    assert (entry.action, entry.user_name, entry.detail) == (
        "screening.share",
        "lead",
        {"seq": seq},
    )
    answer = lead.client.post(share_path(CASE, seq), json={"shared": False}, headers=headers)
    assert answer.status_code == 200
    assert web_store.shared_decisions(OTHER_CASE, ["Harakat al-Shabaab al-Mujahideen"]) == []


def test_the_page_button_shares_and_returns_to_the_screening(
    web_store: CaseStore, browser: Callable[[str], Browser]
) -> None:
    lead = browser("lead")
    seq = web_store.acting_as("lead").record_decision(decision(CASE, "lead"))
    answer = lead.client.post(
        f"/cases/{CASE}/screening/decisions/{seq}/share",
        data={"csrf_token": lead.csrf, "shared": "true"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"/cases/{CASE}/screening?added=shared-{seq}")
    assert len(web_store.shared_decisions(OTHER_CASE, ["Harakat al-Shabaab al-Mujahideen"])) == 1


def test_only_the_decisions_own_case_lead_may_share_it(
    web_store: CaseStore, browser: Callable[[str], Browser]
) -> None:
    ours = web_store.acting_as("lead").record_decision(decision(CASE, "lead"))
    theirs = web_store.acting_as("outsider").record_decision(decision(OTHER_CASE, "outsider"))
    lead, analyst, viewer, outsider = (
        browser(name) for name in ("lead", "analyst", "viewer", "outsider")
    )

    def share(who: Browser, case_id: str, seq: int) -> int:
        status: int = who.client.post(
            share_path(case_id, seq), json={"shared": True}, headers={"X-CSRF-Token": who.csrf}
        ).status_code
        return status

    assert share(analyst, CASE, ours) == 403  # an analyst decides, but does not share
    assert share(viewer, CASE, ours) == 403
    assert share(outsider, CASE, ours) == 404  # not a member: the case does not exist
    assert share(outsider, OTHER_CASE, theirs) == 403  # an analyst in their own case
    assert share(lead, CASE, theirs) == 404  # another case's decision through our case
    no_token = lead.client.post(share_path(CASE, ours), json={"shared": True})
    assert no_token.status_code == 403
    assert web_store.shared_decisions(OTHER_CASE, ["Harakat al-Shabaab al-Mujahideen"]) == []
    assert web_store.shared_decisions(CASE, ["Harakat al-Shabaab al-Mujahideen"]) == []
    assert not [e for e in web_store.audit_entries() if e.action == "screening.share"]
