"""The dashboard's "new since your last visit": alerts recorded by ``backchannel watch``
shown once to each member, masked for a viewer, never shown outside the case."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.events.alerts import Alert
from backchannel.store.schema import AuditRow, CaseVisitRow
from backchannel.store.service import CaseStore
from tests.web.conftest import CASE, OTHER_CASE, Browser

#: A masked actor of the Somalia example (an intermediary) and a commitment id of it.
MASKED_NAME = "Clan elders and local community committees in southern Somalia"
COMMITMENT = "c-shabaab-access-2011-07"
PANEL = re.compile(r'<section aria-labelledby="new-alerts-heading".*?</section>', re.S)


def access_alert(actor: str, start: str, event_ids: list[str], summary: str) -> Alert:
    day = dt.date.fromisoformat(start)
    return Alert(
        "commitment_violation", actor, day, day + dt.timedelta(days=90), summary, event_ids
    )


FIRST = [
    access_alert(
        "Harakat al-Shabaab al-Mujahideen",
        "2011-07-05",
        ["ged:1", "ged:2"],
        f"Harakat al-Shabaab al-Mujahideen: 2 events against its commitment {COMMITMENT}, "
        f"agreed through {MASKED_NAME}",
    ),
    access_alert(
        "Harakat al-Shabaab al-Mujahideen",
        "2011-10-01",
        ["ged:3"],
        "Harakat al-Shabaab al-Mujahideen: 1 event in Bay",
    ),
]
LATER = access_alert(
    "Harakat al-Shabaab al-Mujahideen",
    "2011-07-05",
    ["ged:1", "ged:2", "ged:4"],
    "Harakat al-Shabaab al-Mujahideen: 3 events, one more in Gedo",
)
ELSEWHERE = access_alert("FARC-EP", "2012-11-20", ["ged:9"], "FARC-EP broke its ceasefire in Cauca")


def panel(member: Browser, case_id: str = CASE) -> str:
    """The text of the dashboard's new-alerts panel, as its reader meets it."""
    page = member.client.get(f"/cases/{case_id}")
    assert page.status_code == 200, page.text[:500]
    found = PANEL.search(page.text)
    assert found, "the dashboard has no new-alerts panel"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def test_new_alerts_show_once_then_none_new(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    first_look = panel(lead)
    assert "No alert recorded by monitoring yet" in first_look
    assert "has not checked this case yet" in first_look

    watcher = web_store.acting_as("watcher")
    watcher.record_alerts(CASE, FIRST)
    shown = panel(lead)
    assert re.search(
        r"2 new alerts since your last visit on \d{4}-\d\d-\d\d at \d\d:\d\d UTC", shown
    )
    assert "Monitoring last checked this case on" in shown
    assert "1 event in Bay" in shown and MASKED_NAME in shown  # the lead sees names

    again = panel(lead)
    assert "No new alert since your last visit on" in again
    assert "Bay" not in again

    watcher.record_alerts(CASE, [*FIRST, LATER])  # only LATER is new to the store
    later = panel(lead)
    assert "1 new alert since your last visit" in later
    assert "one more in Gedo" in later and "Bay" not in later
    assert "No new alert since" in panel(lead)

    # a visit is remembered per user and case, and is not an audited change
    with Session(web_store.engine) as session:
        visits = session.execute(select(CaseVisitRow)).scalars().all()
        actions = {row.action for row in session.execute(select(AuditRow)).scalars()}
    assert [(v.case_id, v.user_name) for v in visits] == [(CASE, "lead")]
    assert not any("visit" in action for action in actions)


def test_each_member_has_their_own_mark_and_a_viewer_sees_them_masked(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst, viewer = browser("analyst"), browser("viewer")
    assert "No alert recorded" in panel(analyst)
    web_store.acting_as("watcher").record_alerts(CASE, FIRST)
    assert "2 new alerts since your last visit" in panel(analyst)

    shown = panel(viewer)  # never opened the case: both are new to the viewer
    assert "2 new alerts: recorded by monitoring before your first visit" in shown
    assert "1 event in Bay" in shown
    assert MASKED_NAME not in shown and COMMITMENT not in shown
    assert "Intermediary 1" in shown
    assert "No new alert since your last visit" in panel(viewer)
    assert "No new alert since your last visit" in panel(analyst)


def test_alerts_stay_in_their_compartment(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    outsider = browser("outsider")
    watcher = web_store.acting_as("watcher")
    watcher.record_alerts(CASE, FIRST)
    watcher.record_alerts(OTHER_CASE, [ELSEWHERE])
    assert outsider.client.get(f"/cases/{CASE}").status_code == 404
    own = panel(outsider, OTHER_CASE)
    assert "1 new alert" in own and "Cauca" in own
    for page in ("/", f"/cases/{OTHER_CASE}"):
        text = html.unescape(outsider.client.get(page).text)
        assert "al-Shabaab" not in text and "Bay" not in text
    # the outsider's visit of their own case leaves the Somalia alerts new to its members
    lead = browser("lead")
    assert "2 new alerts" in panel(lead)
