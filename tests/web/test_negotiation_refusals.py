"""The negotiation forms refuse bad input: 422, each problem beside its field, what was
typed kept, and nothing stored or audited.

Users, forms and texts are those of ``test_negotiation_pages``; ``lead`` writes to
somalia-2011, the packaged example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backchannel.store.service import CaseStore
from tests.web.conftest import CASE, SQLITE_ONLY, Browser
from tests.web.test_negotiation_pages import (
    ACCESS,
    APPROVER,
    BOTTOM_LINE,
    COMMON_FORM,
    ISLAND_FORM,
    MANDATE_FORM,
    MONITOR_FORM,
    PLAN_FORM,
    POSITION_FORM,
    REASON,
    error_beside,
    post_form,
)
from tests.web.test_pages import assert_accessible_basics

pytestmark = SQLITE_ONLY


@pytest.mark.parametrize(
    ("path", "data", "form", "field", "message"),
    [
        (
            "island",
            {**ISLAND_FORM, "counterpart": "nobody"},
            "island",
            "counterpart",
            "is not the id of any actor",
        ),
        (
            "island",
            {**ISLAND_FORM, "counterpart": "own-org"},
            "island",
            "counterpart",
            "our own organisation, not a counterpart",
        ),
        (
            "island",
            {k: v for k, v in ISLAND_FORM.items() if k not in ("engagement", "references")},
            "island",
            "engagement",
            "must say where it comes from",
        ),
        (
            "island",
            {**ISLAND_FORM, "engagement": "e-never-held"},
            "island",
            "engagement",
            "is not the id of any engagement",
        ),
        ("island", {**ISLAND_FORM, "kind": "rumour"}, "island", "kind", "Input should be"),
        (
            "positions",
            {**POSITION_FORM, "counterpart": "nobody"},
            "position",
            "counterpart",
            "is not the id of any actor",
        ),
        (
            "positions",
            {**POSITION_FORM, "crosses_red_lines": "rl-never-set"},
            "position",
            "crosses_red_lines",
            "is not the id of any red line",
        ),
        (
            "positions",
            {**POSITION_FORM, "side": "us", "crosses_red_lines": "rl-never-set"},
            "position",
            "crosses_red_lines",
            "only the counterpart",
        ),
        (
            "common-positions",
            {**COMMON_FORM, "engagers": "own-org"},
            "common_position",
            "engagers",
            "at least 2 items",
        ),
        (
            "common-positions",
            {**COMMON_FORM, "counterparts": "nobody"},
            "common_position",
            "counterparts",
            "is not the id of any actor",
        ),
        (
            "mandate",
            {**MANDATE_FORM, "valid_until": "2011-01-01"},
            "mandate",
            "valid_until",
            "is before date",
        ),
        (
            "mandate",
            {**MANDATE_FORM, "approval_date": ["", ""]},
            "mandate",
            "approvals",
            "approval 1 (date): Field required",
        ),
        ("mandate", {**MANDATE_FORM, "mandator": ""}, "mandate", "mandator", "Field required"),
        ("role", {"our_role": "spoiler"}, "role", "our_role", "choose one of the listed roles"),
        ("red-lines", {"set_by": "Us"}, "red_line", "text", "Field required"),
        (
            "bottom-lines",
            {"text": BOTTOM_LINE, "set_by": "Us", "date": "soon"},
            "bottom_line",
            "date",
            "valid date",
        ),
        (
            f"commitments/{ACCESS}/monitoring",
            {**MONITOR_FORM, "date": "2011-07-04"},
            f"monitor-{ACCESS}",
            "date",
            "on or after 2011-07-05",
        ),
        (
            f"commitments/{ACCESS}/monitoring",
            {**MONITOR_FORM, "observed": ""},
            f"monitor-{ACCESS}",
            "observed",
            "Field required",
        ),
        (
            f"commitments/{ACCESS}/verification-plan",
            {**PLAN_FORM, "methods": []},
            f"plan-{ACCESS}",
            "methods",
            "Field required",
        ),
        (
            f"commitments/{ACCESS}/verification-plan",
            {**PLAN_FORM, "interval_days": "0"},
            f"plan-{ACCESS}",
            "interval_days",
            "greater than or equal to 1",
        ),
    ],
)
def test_bad_input_is_422_beside_its_field_and_stores_nothing(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    path: str,
    data: dict[str, Any],
    form: str,
    field: str,
    message: str,
) -> None:
    lead = browser("lead")
    before = web_store.get_case(CASE)
    audited = len(web_store.audit_entries(case_id=CASE))
    response = post_form(lead, path, data)
    assert response.status_code == 422, response.text[-2000:]
    assert message in error_beside(response.text, form, field), response.text[-3000:]
    assert f'href="#{form}-{field}"' in response.text  # the summary links to the field
    assert_accessible_basics(response.text)
    assert web_store.get_case(CASE) == before
    assert len(web_store.audit_entries(case_id=CASE)) == audited


def test_a_refused_form_keeps_what_was_typed(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    refused = post_form(lead, "positions", {**POSITION_FORM, "counterpart": "nobody"})
    assert refused.status_code == 422
    assert f">{REASON}\nIt distrusts agencies tied to foreign forces</textarea>" in refused.text
    assert 'id="position-side-them" name="side" value="them" checked' in refused.text
    mandate = post_form(lead, "mandate", {**MANDATE_FORM, "valid_until": "2011-01-01"})
    assert mandate.status_code == 422
    assert f'value="{APPROVER}"' in mandate.text  # the approval rows come back too


def test_monitoring_an_unknown_commitment_is_refused(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    before = web_store.get_case(CASE)
    response = post_form(browser("lead"), "commitments/c-none/monitoring", MONITOR_FORM)
    assert response.status_code == 422
    assert "&#39;c-none&#39; is not a commitment of this case" in response.text
    assert web_store.get_case(CASE) == before
