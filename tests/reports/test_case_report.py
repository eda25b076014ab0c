"""The case brief: what a reader sees, and what a redacted brief hides."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

from backchannel.casefile import parse_case
from backchannel.reports.case_report import MASK, build_case_report
from backchannel.reports.render import render_case_html
from tests.store.test_store import SECRET_NAME, SECRET_SENTENCE, secret_case
from tests.test_casefile import GOOD


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.section_ids: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section" and attributes.get("id"):
            self.section_ids.append(str(attributes["id"]))
        for name in ("src", "href"):
            value = attributes.get(name) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)


def test_brief_has_every_section_and_no_external_resource() -> None:
    html = render_case_html(build_case_report(parse_case(GOOD)))
    collector = _Collector()
    collector.feed(html)
    assert collector.section_ids == [
        "summary",
        "actors",
        "relations",
        "timeline",
        "judgements",
        "sources",
    ]
    assert collector.external == []
    assert "Group A" in html and "cessation of hostilities" in html


def test_brief_shows_the_14_framework_factors_of_the_assessment() -> None:
    from backchannel.casefile import load_case
    from backchannel.risk.assessment import assess_case
    from tests.conftest import EXAMPLES

    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    stage = assess_case(case, dt.date(2014, 6, 30)).as_dict()
    html = render_case_html(build_case_report(case, stage=stage))
    collector = _Collector()
    collector.feed(html)
    assert (
        collector.section_ids.index("risk-factors") == collector.section_ids.index("risk-stage") + 1
    )
    section = html[
        html.index('id="risk-factors"') : html.index("</section>", html.index('id="risk-factors"'))
    ]
    assert section.count('<tr class="status-') == 14
    assert "11. Signs of a widespread or systematic attack on civilians" in section
    assert "rf11.1 present: example analyst, 2013-12-20, present" in section
    # The intergroup-tension judgement is dated after the assessment date: set aside.
    assert "set apart and not used: j-intergroup-tensions" in section


def test_timeline_is_in_date_order_and_names_counterparts() -> None:
    report = build_case_report(parse_case(GOOD))
    assert [entry.date for entry in report.timeline] == [dt.date(2014, 7, 21), dt.date(2014, 7, 23)]
    assert report.timeline[0].title == "engagement with Group A, Group B (formal talks)"


def test_redacted_brief_holds_no_sensitive_value() -> None:
    case = secret_case()
    full = render_case_html(build_case_report(case))
    redacted = render_case_html(build_case_report(case, redacted=True))
    assert SECRET_SENTENCE in full and SECRET_NAME in full
    for secret in (SECRET_SENTENCE, SECRET_NAME, "the tailor"):
        assert secret not in redacted
    assert MASK in redacted and "Redacted version" in redacted


def test_gaps_say_what_the_case_lacks() -> None:
    gaps = build_case_report(secret_case()).gaps
    assert any("own organisation" in gap for gap in gaps)
    assert any("No analyst judgement" in gap for gap in gaps)


def test_text_is_escaped() -> None:
    case = parse_case(GOOD.replace("name: Group A", "name: <script>alert(1)</script>"))
    html = render_case_html(build_case_report(case))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_structural_section_uses_the_forecast_made_before_the_case() -> None:
    from backchannel.reports.structural import structural_section

    section = structural_section("CAF", 2012)
    assert section is not None
    assert (section.country, section.base_year) == ("Central African Republic", 2011)
    assert (
        section.current_sentence is not None
        and "EWP's published figure" in section.current_sentence
    )
    html = render_case_html(build_case_report(parse_case(GOOD), structural=section))
    assert 'id="structural-risk"' in html and "data:image/png;base64," in html
    assert structural_section("ATA", 2012) is None  # Antarctica: no forecast
