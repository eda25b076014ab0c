"""One answer for every refused input: a request that does not fit its model and a write that
breaks the case's rules both get 422, code ``invalid_input``, and details whose locations are
lists of path parts, with the line (null when there is none)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backchannel.store.service import CaseStore
from backchannel.web.security import CSRF_HEADER
from tests.web.conftest import CASE, Browser

NEW_CASE = {"title": "A case", "country": "SOM", "period_start": "2011-01-01"}
RELATION = {"source": "tfg", "target": "al-shabaab", "kind": "rival"}


def post(user: Browser, path: str, body: Any) -> Any:
    return user.client.post(path, json=body, headers={CSRF_HEADER: user.csrf})


def refusal(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert (error["status"], error["code"]) == (422, "invalid_input")
    for detail in error["details"]:
        assert set(detail) == {"location", "message", "line"}
        assert isinstance(detail["location"], list)
    return error


def test_a_request_the_model_refuses_and_a_write_the_case_refuses_are_answered_alike(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    before = web_store.get_case(CASE)

    by_model = refusal(post(lead, "/api/cases", {**NEW_CASE, "country": "XXX"}))
    assert [d["location"] for d in by_model["details"]] == [["body", "country"]]
    assert "'XXX' is not an ISO 3166-1 alpha-3 country code" in by_model["details"][0]["message"]
    assert by_model["details"][0]["line"] is None

    by_case = refusal(post(lead, f"/api/cases/{CASE}/relations", {**RELATION, "target": "nobody"}))
    assert [d["location"] for d in by_case["details"]] == [["body", "target"]]
    assert "'nobody' is not the id of any actor" in by_case["details"][0]["message"]

    assert web_store.get_case(CASE) == before


def test_list_positions_are_numbers_in_the_location(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    error = refusal(post(lead, "/api/cases", {**NEW_CASE, "regions": ["Gedo", "a\x00b"]}))
    (detail,) = error["details"]
    assert detail["location"] == ["body", "regions"]
    assert "item 1" in detail["message"]
    engagement = {"date": "2011-05-01", "channel": "direct", "counterparts": ["tfg", "ghost"]}
    error = refusal(post(lead, f"/api/cases/{CASE}/engagements", engagement))
    assert [d["location"] for d in error["details"]] == [["body", "counterparts", 1]]


def test_a_body_that_is_not_json_gets_the_same_answer(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    answer = lead.client.post(
        "/api/cases",
        content=b"{not json",
        headers={CSRF_HEADER: lead.csrf, "Content-Type": "application/json"},
    )
    assert refusal(answer)["details"][0]["location"][0] == "body"


def test_a_case_id_taken_already_is_a_conflict(browser: Callable[[str], Browser]) -> None:
    answer = post(browser("lead"), "/api/cases", {**NEW_CASE, "id": CASE})
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "conflict"
