"""What the pages and the API show: the case list, the dashboard, the audit trail, the brief."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
import uvicorn
from fastapi.testclient import TestClient
from markupsafe import escape
from typer.testing import CliRunner

from backchannel.cli import app as cli_app
from backchannel.model import Case, Relation
from backchannel.reports.case_analysis import analyse_for_brief
from backchannel.store.service import CaseStore
from tests.web.conftest import CASE, SQLITE_ONLY, Browser

pytestmark = SQLITE_ONLY

#: The intermediary of the Somalia example, whose identity a viewer must not see.
INTERMEDIARY = "Clan elders and local community committees in southern Somalia"


class FormAudit(HTMLParser):
    """Collects the inputs of a page and the labels that point at them."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.html_lang: str | None = None
        self.first_link: str | None = None
        self.main_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang")
        elif tag in ("input", "select", "textarea"):
            self.inputs.append(values)
        elif tag == "label" and values.get("for"):
            self.labelled.add(str(values["for"]))
        elif tag == "a" and self.first_link is None:
            self.first_link = values.get("href")
        elif tag == "main":
            self.main_id = values.get("id")


def audit_page(html: str) -> FormAudit:
    parser = FormAudit()
    parser.feed(html)
    return parser


def assert_accessible_basics(html: str) -> None:
    page = audit_page(html)
    assert page.html_lang == "en"
    assert page.first_link == f"#{page.main_id}", "the first link must skip to the content"
    for field in page.inputs:
        if field.get("type") == "hidden":
            continue
        assert field.get("id") in page.labelled, f"input {field} has no <label>"


def test_the_login_page_is_labelled_and_in_english(anonymous: TestClient) -> None:
    page = anonymous.get("/login")
    assert page.status_code == 200
    assert_accessible_basics(page.text)
    assert 'autocomplete="current-password"' in page.text
    assert "<h1>Sign in</h1>" in page.text


def test_every_page_has_the_accessible_basics(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    for path in ["/", f"/cases/{CASE}", f"/cases/{CASE}/audit", "/nowhere"]:
        assert_accessible_basics(lead.client.get(path).text)


def test_the_case_list_links_each_case(browser: Callable[[str], Browser]) -> None:
    page = browser("lead").client.get("/")
    assert page.status_code == 200
    assert f'href="/cases/{CASE}"' in page.text
    assert "Somalia" in page.text
    assert "Signed in as <strong>lead</strong>" in page.text


def test_a_member_of_nothing_is_told_so(browser: Callable[[str], Browser]) -> None:
    assert "not a member of any case yet" in browser("admin").client.get("/").text


def test_the_dashboard_shows_the_stage_and_the_recommendation(
    browser: Callable[[str], Browser], example_cases: list[Case]
) -> None:
    case = next(c for c in example_cases if c.id == CASE)
    expected = analyse_for_brief(case).as_dict()
    page = browser("analyst").client.get(f"/cases/{CASE}")
    assert page.status_code == 200
    text = page.text
    assert case.context.title in text
    assert "Somalia (SOM)" in text
    assert "2010-01-01 to 2012-02-29" in text
    assert f'class="stage stage-{expected["stage"]}"' in text
    for reason in expected["reasons"]:
        assert reason["description"] in text
    # the dashboard leads with the decision: the status headline before the stage
    assert str(escape(expected["recommendation"]["headline"])) in text
    assert text.index("recommendation-heading") < text.index("stage-heading")
    assert str(escape(expected["recommendation"]["label"])) in text
    assert str(escape(expected["recommendation"]["why"])) in text
    assert str(escape(expected["confidence"]["text"])) in text
    steps = re.findall(r"<ol class=\"steps\">(.*?)</ol>", text, re.DOTALL)
    assert steps and steps[0].count("<li>") == len(expected["first_steps"])
    assert "Where the sources disagree" in text
    assert "Decision brief, full version (PDF)" in text
    assert "Audit trail</a>" not in text  # analysts do not read the audit trail


def test_a_viewer_sees_intermediaries_masked(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    # our organisation reaches al-Shabaab through the clan elders: the channel reading
    # names them, so the masking has something to hide
    tie = Relation(id="r-own-elders", source="own-org", target="clan-elders", kind="channel")
    web_store.update_case(
        CASE, lambda c: c.model_copy(update={"relations": [*c.relations, tie]}), "test"
    )
    analyst = browser("analyst").client.get(f"/api/cases/{CASE}/assessment").json()
    assert analyst["redacted"] is False
    assert INTERMEDIARY in str(analyst)
    viewer = browser("viewer")
    assessment = viewer.client.get(f"/api/cases/{CASE}/assessment").json()
    assert assessment["redacted"] is True
    assert INTERMEDIARY not in str(assessment)
    assert "Intermediary 1" in str(assessment)
    page = viewer.client.get(f"/cases/{CASE}").text
    assert INTERMEDIARY not in page
    assert "Names of intermediaries are masked" in page
    assert "full version" not in page
    assert "?redacted=1" in page


def test_the_assessment_api_is_the_assess_document(
    browser: Callable[[str], Browser], example_cases: list[Case]
) -> None:
    case = next(c for c in example_cases if c.id == CASE)
    expected = analyse_for_brief(case).as_dict()
    response = browser("analyst").client.get(f"/api/cases/{CASE}/assessment")
    assert response.status_code == 200
    document = response.json()
    assert set(document) == {*expected, "alerts", "redacted"}
    assert document["redacted"] is False
    for key in ("case", "as_of", "stage", "reasons", "disagreements", "first_steps", "modality"):
        assert document[key] == expected[key], key
    assert document["recommendation"] == expected["recommendation"]
    assert document["first_steps"][0]["from"] == expected["first_steps"][0]["from"]


def test_the_case_api_gives_the_context_and_the_role(browser: Callable[[str], Browser]) -> None:
    document = browser("lead").client.get(f"/api/cases/{CASE}").json()
    assert document["id"] == CASE
    assert document["country"] == "SOM"
    assert document["period"] == {"start": "2010-01-01", "end": "2012-02-29"}
    assert document["role"] == "case_lead"
    assert document["redacted"] is False
    assert document["counts"]["actors"] > 0


def test_the_openapi_document_is_typed(anonymous: TestClient) -> None:
    document = anonymous.get("/api/openapi.json").json()
    assert set(document["paths"]) == {
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/cases/{case_id}/assessment",
        "/api/cases/{case_id}/actors",
        "/api/cases/{case_id}/relations",
        "/api/cases/{case_id}/judgements",
        "/api/cases/{case_id}/engagements",
        "/api/cases/{case_id}/commitments",
        "/api/cases/{case_id}/screening",
        "/api/cases/{case_id}/screening/decisions",
        "/api/cases/{case_id}/screening/decisions/{seq}/share",
    }
    schemas = document["components"]["schemas"]
    assert {"AssessmentOut", "CaseOut", "CaseSummaryOut", "FirstStep", "Recommendation"} <= set(
        schemas
    )
    answer = document["paths"]["/api/cases/{case_id}/assessment"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/AssessmentOut")
    assert "from" in schemas["FirstStep"]["properties"]
    recommendation = schemas["Recommendation"]["properties"]
    assert {"status", "pending", "exit_criteria_met", "legal_split"} <= set(recommendation)


def test_the_audit_trail_lists_the_case_changes(browser: Callable[[str], Browser]) -> None:
    page = browser("lead").client.get(f"/cases/{CASE}/audit")
    assert page.status_code == 200
    assert "The whole audit chain verifies" in page.text
    assert "case.import" in page.text
    assert "member.add" in page.text


@pytest.mark.slow
def test_the_full_brief_is_a_pdf_for_analysts(browser: Callable[[str], Browser]) -> None:
    brief = browser("analyst").client.get(f"/cases/{CASE}/brief")
    assert brief.status_code == 200
    assert brief.content.startswith(b"%PDF")
    assert brief.headers["content-disposition"] == f'attachment; filename="{CASE}.pdf"'
    assert brief.headers["cache-control"] == "no-store"


@pytest.mark.slow
def test_brief_downloads_are_audited_by_version(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    assert browser("analyst").client.get(f"/cases/{CASE}/brief?redacted=1").status_code == 200
    assert browser("viewer").client.get(f"/cases/{CASE}/brief").status_code == 403
    downloads = [e for e in web_store.audit_entries(case_id=CASE) if e.action == "brief.download"]
    assert [(e.user_name, e.detail["version"], e.detail["format"]) for e in downloads] == [
        ("analyst", "redacted", "pdf")
    ]
    assert (
        downloads[0].detail["stage"]
        == analyse_for_brief(web_store.get_case(CASE)).as_dict()["stage"]
    )


@pytest.mark.parametrize("secret", [None, "short"])
def test_serve_refuses_production_without_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, secret: str | None
) -> None:
    monkeypatch.setenv("BACKCHANNEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BACKCHANNEL_ENVIRONMENT", "production")
    if secret:
        monkeypatch.setenv("BACKCHANNEL_WEB_SECRET", secret)
    else:
        monkeypatch.delenv("BACKCHANNEL_WEB_SECRET", raising=False)
    result = CliRunner().invoke(cli_app, ["serve", "--port", "8401"])
    assert result.exit_code == 7, result.output
    assert "BACKCHANNEL_WEB_SECRET" in result.output


@pytest.mark.parametrize("workers", [1, 3])
def test_serve_runs_the_asked_number_of_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, workers: int
) -> None:
    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setenv("BACKCHANNEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BACKCHANNEL_ENVIRONMENT", "development")
    monkeypatch.delenv("BACKCHANNEL_WEB_SECRET", raising=False)
    monkeypatch.setenv("BACKCHANNEL_WEB_WORKERS", str(workers))
    result = CliRunner().invoke(cli_app, ["serve", "--port", "8401"])
    assert result.exit_code == 0, result.output
    ((app, options),) = calls
    assert options["port"] == 8401 and options["server_header"] is False
    if workers == 1:
        assert not isinstance(app, str) and "workers" not in options
        return
    # each process builds its own app from the environment, all with one secret
    assert app == "backchannel.web.app:app_from_environment"
    assert options["factory"] is True and options["workers"] == 3
    assert len(os.environ["BACKCHANNEL_WEB_SECRET"]) >= 32  # undone by the delenv above
