"""The negotiation pages and the commitment monitoring forms: what they store, audit and
show, whom they refuse, and what a viewer reads.

Users and memberships are those of ``tests/web/conftest.py``: ``lead`` and ``analyst`` write
to somalia-2011 (the packaged example), ``viewer`` only reads it, ``outsider`` is not a
member of it. The texts posted are distinctive sentences, so finding one in a page cannot
happen by chance.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from backchannel.casefile import load_case
from backchannel.model.as_of import complete_on
from backchannel.model.compliance import compliance_on
from backchannel.model.vocabulary import CommitmentStatus, OurRole
from backchannel.redaction import Disclosure
from backchannel.store.service import CaseStore
from backchannel.web.negotiation_writes import generic_red_lines
from tests.conftest import EXAMPLES
from tests.web.conftest import CASE, MISSING_CASE, SQLITE_ONLY, Browser
from tests.web.test_pages import INTERMEDIARY, assert_accessible_basics

pytestmark = SQLITE_ONLY

MANDATOR = "Deputy regional director Faadumo Warsame-Lindqvist"
OBJECTIVE = "Convoys of the agency reach Baidoa without paying fees"
LIMIT = "No discussion of the group's political demands"
APPROVER = "Board of the agency, emergency session"
RED_LINE = "No registration of our national staff with the group's office"
BOTTOM_LINE = "Beneficiary lists stay in the agency's own hands"
AGREED_FACT = "Cholera cases in the Bay camps doubled over the last fortnight"
POSITION = "The group asks that every agency register in Baidoa before moving"
REASON = "It wants to know who works in its areas"
OFFER = "Safe passage for registered convoys on the Baidoa road"
COMMON = "The agencies will not pay any registration fee"
OBSERVER = "Monitor of the access working group in Baidoa"
OBSERVED = "The drought committee turned back three trucks at the Baidoa checkpoint"
PLAN_BY = "Access working group monitors, Bay region"

#: A commitment of the example, started 2011-07-05 with no end.
ACCESS = "c-shabaab-access-2011-07"
ENGAGEMENT = "e-ban-lifted-2011-07"
SOURCE = "aljazeera-2011-07-06"

MANDATE_FORM = {
    "mandator": MANDATOR,
    "date": "2011-06-01",
    "valid_until": "2012-06-01",
    "objectives": f"{OBJECTIVE}\nAccess to the camps, and to the wells, in Bay",
    "limits": LIMIT,
    "approval_by": [APPROVER, ""],
    "approval_date": ["2011-06-03", ""],
    "approval_covers": ["the first contact", ""],
}
ISLAND_FORM = {
    "counterpart": "al-shabaab",
    "kind": "agreed_fact",
    "text": AGREED_FACT,
    "date": "2011-07-06",
    "engagement": ENGAGEMENT,
    "references": SOURCE,
}
POSITION_FORM = {
    "counterpart": "al-shabaab",
    "side": "them",
    "position": POSITION,
    "reasons": f"{REASON}\nIt distrusts agencies tied to foreign forces",
    "values": "Authority over its territory",
    "offers": OFFER,
    "date": "2011-07-10",
}
COMMON_FORM = {
    "text": COMMON,
    "engagers": ["own-org", "icrc"],
    "counterparts": "al-shabaab",
    "date": "2011-07-12",
}
MONITOR_FORM = {
    "date": "2011-08-01",
    "method": "field_mission",
    "by": OBSERVER,
    "observed": OBSERVED,
    "supports": "violated",
}
PLAN_FORM = {
    "methods": ["field_mission", "third_party_report"],
    "by": PLAN_BY,
    "interval_days": "30",
}


def open_generic_red_lines() -> list[str]:
    """The generic red lines the packaged example has not adopted, in the file's order."""
    adopted = {line.adopted_from for line in load_case(EXAMPLES / f"{CASE}.yaml").red_lines}
    return [line.id for line in generic_red_lines() if line.id not in adopted]


OPEN_GENERIC = open_generic_red_lines()

#: Each form of these pages: its address under the case, a valid form, the audit action
#: and the page it goes back to.
POSTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("mandate", MANDATE_FORM, "mandate.set", "mandate"),
    ("role", {"our_role": "humanitarian_agency"}, "role.set", "mandate"),
    (
        "red-lines",
        {"text": RED_LINE, "set_by": "The team", "date": "2011-06-05"},
        "red_line.add",
        "mandate",
    ),
    (
        "red-lines/adopt",
        {"adopt": OPEN_GENERIC[:1], "set_by": "The team"},
        "red_line.adopt",
        "mandate",
    ),
    (
        "bottom-lines",
        {"text": BOTTOM_LINE, "set_by": "The mandator"},
        "bottom_line.add",
        "mandate",
    ),
    ("island", ISLAND_FORM, "island.add", "negotiation"),
    ("positions", POSITION_FORM, "position.add", "negotiation"),
    ("common-positions", COMMON_FORM, "common_position.add", "negotiation"),
    (
        f"commitments/{ACCESS}/verification-plan",
        PLAN_FORM,
        "commitment.verification_plan",
        "commitments",
    ),
    (f"commitments/{ACCESS}/monitoring", MONITOR_FORM, "commitment.monitor", "commitments"),
]
#: Each text above that only the full view may show.
SENSITIVE = [
    MANDATOR,
    OBJECTIVE,
    LIMIT,
    APPROVER,
    RED_LINE,
    BOTTOM_LINE,
    AGREED_FACT,
    POSITION,
    REASON,
    OFFER,
    COMMON,
    OBSERVER,
    OBSERVED,
    PLAN_BY,
]
PAGES = ["mandate", "negotiation", "commitments"]


def post_form(user: Browser, path: str, data: dict[str, Any], *, csrf: bool = True) -> Any:
    token = {"csrf_token": user.csrf} if csrf else {}
    return user.client.post(f"/cases/{CASE}/{path}", data={**data, **token})


def page_text(user: Browser, page: str) -> str:
    """A page of the case as its reader meets it: entities decoded."""
    response = user.client.get(f"/cases/{CASE}/{page}")
    assert response.status_code == 200, page
    return html.unescape(response.text)


def actions(store: CaseStore) -> list[tuple[str, str]]:
    return [(e.action, e.user_name) for e in store.audit_entries(case_id=CASE)]


def error_beside(page: str, form: str, field: str) -> str:
    """The message shown beside one field of a refused form ('' when there is none)."""
    found = re.search(rf'<p class="field-error" id="{form}-{field}-error">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def write_everything(user: Browser) -> None:
    for path, data, _action, _page in POSTS:
        response = post_form(user, path, data)
        assert response.status_code == 303, (path, response.text[-2000:])


# --- happy paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "data", "action", "page"), POSTS)
def test_each_form_saves_audits_and_goes_back_to_its_page(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    path: str,
    data: dict[str, Any],
    action: str,
    page: str,
) -> None:
    analyst = browser("analyst")
    response = post_form(analyst, path, data)
    assert response.status_code == 303, response.text[-2000:]
    location = response.headers["location"]
    assert location.startswith(f"/cases/{CASE}/{page}?added=")
    shown = analyst.client.get(location)
    assert shown.status_code == 200
    assert f"Saved: {location.split('added=')[1]}." in shown.text
    assert actions(web_store)[-1] == (action, "analyst")
    assert web_store.verify_audit().ok


def test_the_mandate_is_stored_shown_and_replaced_whole(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    assert post_form(lead, "mandate", MANDATE_FORM).status_code == 303
    mandate = web_store.get_case(CASE).mandate
    assert mandate is not None
    assert mandate.mandator == MANDATOR
    assert (mandate.date, mandate.valid_until) == (dt.date(2011, 6, 1), dt.date(2012, 6, 1))
    # one objective per line: the comma inside the second stays part of it
    assert mandate.objectives == [OBJECTIVE, "Access to the camps, and to the wells, in Bay"]
    assert mandate.limits == [LIMIT]
    assert [(a.by, a.date, a.covers) for a in mandate.approvals] == [
        (APPROVER, dt.date(2011, 6, 3), "the first contact")
    ]
    page = page_text(lead, "mandate")
    for text in (MANDATOR, OBJECTIVE, LIMIT, APPROVER):
        assert text in page
    # the form holds the mandate on record, so replacing it is editing it
    assert f'value="{MANDATOR}"' in page
    replaced = {**MANDATE_FORM, "mandator": "The country director", "limits": ""}
    assert post_form(lead, "mandate", replaced).status_code == 303
    again = web_store.get_case(CASE).mandate
    assert again is not None
    assert (again.mandator, again.limits) == ("The country director", [])
    assert [a for a, _ in actions(web_store)].count("mandate.set") == 2


def test_our_role_is_set_and_can_go_back_to_unknown(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    assert post_form(lead, "role", {"our_role": "facilitator"}).status_code == 303
    assert web_store.get_case(CASE).context.our_role is OurRole.FACILITATOR
    assert "<strong>facilitator</strong>" in page_text(lead, "mandate")
    assert post_form(lead, "role", {"our_role": "unknown"}).status_code == 303
    assert web_store.get_case(CASE).context.our_role is None
    assert [a for a, _ in actions(web_store)].count("role.set") == 2


def test_generic_red_lines_are_adopted_once_each(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    assert len(OPEN_GENERIC) >= 2, "the example should leave two generic red lines to adopt"
    first, second = OPEN_GENERIC[:2]
    lead = browser("lead")
    offered = page_text(lead, "mandate")
    assert f'value="{first}"' in offered and f'value="{second}"' in offered
    earlier = web_store.get_case(CASE).red_lines
    adopted = post_form(lead, "red-lines/adopt", {"adopt": [first, second], "set_by": "Us"})
    assert adopted.status_code == 303
    lines = web_store.get_case(CASE).red_lines
    assert lines[: len(earlier)] == earlier
    new = lines[len(earlier) :]
    assert [(line.adopted_from, line.set_by) for line in new] == [(first, "Us"), (second, "Us")]
    wording = {line.id: line.text for line in generic_red_lines()}
    assert [line.text for line in new] == [wording[first], wording[second]]
    assert all(line.id.startswith("rl-") for line in new)
    assert actions(web_store)[-1] == ("red_line.adopt", "lead")
    assert adopted.headers["location"].endswith("?added=" + ",".join(line.id for line in new))
    page = html.unescape(lead.client.get(adopted.headers["location"]).text)
    assert f'value="{first}"' not in page and f'value="{second}"' not in page
    assert first in page.split("Adopted already: ", 1)[1].split("</p>", 1)[0]
    before = web_store.get_case(CASE)
    twice = post_form(lead, "red-lines/adopt", {"adopt": first, "set_by": "Us"})
    assert twice.status_code == 422
    assert "already one of the case's red lines" in error_beside(twice.text, "adopt", "adopt")
    unknown = post_form(lead, "red-lines/adopt", {"adopt": "rl-made-up", "set_by": "Us"})
    assert unknown.status_code == 422
    assert "not one of the generic red lines" in error_beside(unknown.text, "adopt", "adopt")
    nothing = post_form(lead, "red-lines/adopt", {"set_by": "Us"})
    assert nothing.status_code == 422
    assert "choose at least one" in error_beside(nothing.text, "adopt", "adopt")
    nobody = post_form(lead, "red-lines/adopt", {"adopt": OPEN_GENERIC[2:3] or first})
    assert nobody.status_code == 422
    assert "Field required" in error_beside(nobody.text, "adopt", "set_by")
    assert web_store.get_case(CASE) == before


def agreed_facts_quadrants(page: str) -> list[str]:
    """The agreed-facts quadrant of each counterpart's island on a page."""
    parts = page.split('class="quadrant quadrant-agreed_fact"')[1:]
    return [part.split("</div>", 1)[0] for part in parts]


def test_lines_island_positions_and_common_positions_are_stored_and_shown(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    write_everything(lead)
    case = web_store.get_case(CASE)
    red = next(line for line in case.red_lines if line.text == RED_LINE)
    assert red.id.startswith("rl-") and red.adopted_from is None
    assert case.bottom_lines[-1].text == BOTTOM_LINE
    entry = case.island_of_agreement[-1]
    assert (entry.counterpart, entry.kind, entry.text, entry.engagement, entry.references) == (
        "al-shabaab",
        "agreed_fact",
        AGREED_FACT,
        ENGAGEMENT,
        [SOURCE],
    )
    position = case.positions[-1]
    assert (position.side, position.position, position.offers) == ("them", POSITION, [OFFER])
    assert position.reasons == [REASON, "It distrusts agencies tied to foreign forces"]
    assert position.values == ["Authority over its territory"]
    common = case.common_positions[-1]
    assert (common.text, common.engagers, common.counterparts) == (
        COMMON,
        ["own-org", "icrc"],
        ["al-shabaab"],
    )
    mandate_page = page_text(lead, "mandate")
    assert RED_LINE in mandate_page and BOTTOM_LINE in mandate_page
    page = page_text(lead, "negotiation")
    for text in (POSITION, REASON, OFFER, COMMON):
        assert text in page
    # the agreed fact sits in the agreed-facts quadrant of the island with the group
    assert [q for q in agreed_facts_quadrants(page) if AGREED_FACT in q]


def test_a_position_names_the_red_lines_it_would_cross(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    assert post_form(lead, "red-lines", {"text": RED_LINE, "set_by": "Us"}).status_code == 303
    red = web_store.get_case(CASE).red_lines[-1]
    crossing = {**POSITION_FORM, "crosses_red_lines": red.id}
    assert post_form(lead, "positions", crossing).status_code == 303
    assert web_store.get_case(CASE).positions[-1].crosses_red_lines == [red.id]
    page = page_text(lead, "negotiation")
    row = page.split(POSITION, 1)[1].split("</tr>", 1)[0]
    assert RED_LINE in row


def status_cell(page: str, commitment_id: str) -> str:
    """The status cell of a commitment's row in the tracker's table."""
    return page.split(f"{commitment_id}</span>", 1)[1].split("</tr>", 1)[0]


def test_the_monitoring_entry_and_plan_decide_the_status_shown(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    case = web_store.get_case(CASE)
    earlier = next(c for c in case.commitments if c.id == ACCESS)
    # after every piece of evidence the example holds, so that each entry here decides
    last = max(
        [earlier.start, *(c.date for c in earlier.status_history)]
        + [m.date for m in earlier.monitoring]
    )
    visit, report, breach = (last + dt.timedelta(days=n) for n in (10, 20, 30))
    honoured_visit = {**MONITOR_FORM, "supports": "honoured", "date": visit.isoformat()}
    assert post_form(lead, f"commitments/{ACCESS}/monitoring", honoured_visit).status_code == 303
    assert post_form(lead, f"commitments/{ACCESS}/verification-plan", PLAN_FORM).status_code == 303
    case = web_store.get_case(CASE)
    commitment = next(c for c in case.commitments if c.id == ACCESS)
    assert commitment.status is earlier.status  # the recorded status is left as it was
    assert commitment.monitoring[:-1] == earlier.monitoring
    added = commitment.monitoring[-1]
    assert (added.by, added.observed, added.supports, added.date) == (
        OBSERVER,
        OBSERVED,
        "honoured",
        visit,
    )
    plan = commitment.verification_plan
    assert plan is not None
    assert ([m.value for m in plan.methods], plan.by, plan.interval_days) == (
        ["field_mission", "third_party_report"],
        PLAN_BY,
        30,
    )
    today = dt.datetime.now(dt.UTC).date()
    expected = compliance_on(commitment, today, complete_on(case, today))
    # a field mission establishes compliance: its visit is now the latest evidence
    assert expected.status is CommitmentStatus.HONOURED
    page = page_text(lead, "commitments")
    cell = status_cell(page, ACCESS)
    assert '<span class="status status-honoured">honoured</span>' in cell
    assert f"Decided by field mission, {visit}: honoured." in cell
    assert OBSERVED in page and PLAN_BY in page and "every 30 days" in page
    # the party's own word that it complies awaits verification; the status stays
    self_report = {**MONITOR_FORM, "method": "self_reporting", "supports": "honoured"}
    self_report["date"] = report.isoformat()
    assert post_form(lead, f"commitments/{ACCESS}/monitoring", self_report).status_code == 303
    cell = status_cell(page_text(lead, "commitments"), ACCESS)
    assert '<span class="status status-honoured">honoured</span>' in cell
    assert f"Awaiting verification: self reporting, {report}: honoured." in cell
    # a breach observed later decides again
    later = {**MONITOR_FORM, "date": breach.isoformat()}
    assert post_form(lead, f"commitments/{ACCESS}/monitoring", later).status_code == 303
    cell = status_cell(page_text(lead, "commitments"), ACCESS)
    assert '<span class="status status-violated">violated</span>' in cell
    assert f"Decided by field mission, {breach}: violated." in cell


def test_htmx_gets_the_page_back_to_swap(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    lead.client.follow_redirects = True
    try:
        saved = lead.client.post(
            f"/cases/{CASE}/island",
            data={**ISLAND_FORM, "csrf_token": lead.csrf},
            headers={"HX-Request": "true"},
        )
    finally:
        lead.client.follow_redirects = False
    assert saved.status_code == 200
    assert 'id="workspace"' in saved.text and "Saved: isl-" in saved.text


# --- denials --------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "data", "action", "page"), POSTS)
def test_every_form_is_refused_to_viewers_outsiders_and_forged_posts(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    path: str,
    data: dict[str, Any],
    action: str,
    page: str,
) -> None:
    before = web_store.get_case(CASE)
    assert post_form(browser("viewer"), path, data).status_code == 403
    outsider = browser("outsider")
    hidden = post_form(outsider, path, data)
    missing = outsider.client.post(
        f"/cases/{MISSING_CASE}/{path}", data={**data, "csrf_token": outsider.csrf}
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    forged = post_form(browser("lead"), path, data, csrf=False)
    assert forged.status_code == 403
    assert "expired or did not come from this site" in forged.text
    assert web_store.get_case(CASE) == before
    assert action not in {a for a, _ in actions(web_store)}


@pytest.mark.parametrize("page", PAGES)
def test_outsiders_get_the_answer_of_a_missing_case(
    browser: Callable[[str], Browser], page: str
) -> None:
    outsider = browser("outsider")
    hidden = outsider.client.get(f"/cases/{CASE}/{page}")
    missing = outsider.client.get(f"/cases/{MISSING_CASE}/{page}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_a_viewer_reads_the_pages_redacted_and_without_forms(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    write_everything(lead)
    case = web_store.get_case(CASE)
    # every sensitive text of the negotiation, the example's own and those just written
    sensitive = [*SENSITIVE, INTERMEDIARY]
    sensitive += [line.text for line in [*case.red_lines, *case.bottom_lines]]
    sensitive += [entry.text for entry in case.island_of_agreement]
    sensitive += [p.position for p in case.positions] + [p.text for p in case.common_positions]
    sensitive += [m.observed for c in case.commitments for m in c.monitoring]
    # record ids are often slugs of what the record says: none may show
    exempt = Disclosure.of(case).exempt_ids
    generic = {line.id for line in generic_red_lines()}
    ids = [
        record.id
        for collection in case.COLLECTIONS
        for record in getattr(case, collection)
        if record.id not in exempt and record.id not in generic
    ] + [source.id for source in case.sources if source.id not in exempt]
    # the lead's full view holds the texts written here, so their absence below is the
    # redaction's doing
    full = "".join(page_text(lead, p) for p in PAGES)
    assert [text for text in SENSITIVE if text not in full] == []
    viewer = browser("viewer")
    for page in PAGES:
        shown = viewer.client.get(f"/cases/{CASE}/{page}")
        assert shown.status_code == 200, page
        assert_accessible_basics(shown.text)
        assert len(re.findall(r"<form ", shown.text)) == 1, page  # signing out only
        readable = html.unescape(shown.text)
        for text in sensitive:
            assert text not in readable, (page, text)
        for record_id in ids:
            assert not re.search(rf"(?<![\w-]){re.escape(record_id)}(?![\w-])", readable), (
                page,
                record_id,
            )
    # the island's shape stays: how many agreed facts there are with the group
    agreed = [
        e
        for e in case.island_of_agreement
        if e.kind == "agreed_fact" and e.counterpart == "al-shabaab"
    ]
    assert f"Agreed facts ({len(agreed)})" in page_text(viewer, "negotiation")
    mandate = page_text(viewer, "mandate")
    assert "Given on</dt><dd>2011-06-01" in mandate and "In force today" in mandate
    commitments = page_text(viewer, "commitments")
    assert "Decided by " in commitments and "Verification plan: field mission" in commitments


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_are_labelled_and_linked_from_the_case_navigation(
    browser: Callable[[str], Browser], page: str
) -> None:
    lead = browser("lead").client.get(f"/cases/{CASE}/{page}")
    assert lead.status_code == 200
    assert_accessible_basics(lead.text)
    assert 'name="csrf_token"' in lead.text
    assert f'href="/cases/{CASE}/{page}" aria-current="page"' in lead.text
    for other in PAGES:
        assert f'href="/cases/{CASE}/{other}"' in lead.text
