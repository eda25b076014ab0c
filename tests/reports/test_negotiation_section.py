"""The negotiation in the brief: page 1's block (our role and the mandate, what we ask,
can offer and already agree on, the case's red lines), the body's section on the other
engagers and the commitments, and the annex (the negotiation in detail, each commitment's
evidence by norm), full and redacted, on the packaged examples with negotiation records
added."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from backchannel.casefile import load_case
from backchannel.model.base import Record
from backchannel.model.case import Case
from backchannel.redaction import WITHHELD
from backchannel.redaction.negotiation import withheld_negotiation
from backchannel.reports.brief_output import brief_bytes
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief, brief_report
from backchannel.reports.negotiation_section import (
    PAGE_ONE_CHARS,
    PAGE_ONE_ITEMS,
    build_negotiation_section,
)
from backchannel.reports.render import render_case_html
from tests.conftest import EXAMPLES
from tests.negotiation_records import (
    AGREED_FACT,
    BOTTOM_LINE,
    MANDATOR,
    MONITORING_SEEN,
    OFFER,
    RED_LINE,
    with_negotiation,
)
from tests.reports.test_strategy_brief import requires_poppler

#: Each example with negotiation records: its counterpart, our organisation, another engager.
NEGOTIATED = {
    "somalia-2011": ("al-shabaab", "own-org", "icrc"),
    "central-african-republic-2013": ("anti-balaka", "own-org", "eccas-mediation"),
}


@cache
def _negotiated(name: str) -> Case:
    return with_negotiation(load_case(EXAMPLES / f"{name}.yaml"), *NEGOTIATED[name])


def _bare(name: str) -> Case:
    """The example with no negotiation on record: no role, mandate, line or position."""
    case = load_case(EXAMPLES / f"{name}.yaml")
    return case.model_copy(
        update={
            "context": case.context.model_copy(update={"our_role": None}),
            "mandate": None,
            "red_lines": [],
            "bottom_lines": [],
            "island_of_agreement": [],
            "positions": [],
            "common_positions": [],
        }
    )


@cache
def _analysis(name: str, negotiated: bool = True) -> CaseAnalysis:
    return analyse_for_brief(_negotiated(name) if negotiated else _bare(name))


def _words(page: str) -> str:
    """A page's text as a reader reads it: tags dropped, entities decoded, spaces joined
    (and none left before a stop or a comma where a tag closed)."""
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([;,.])", r"\1", words)


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start : page.index("</section>", start)]


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _sensitive_texts(case: Case) -> set[str]:
    """Every text the case model marks sensitive in the negotiation's records and in what
    the negotiation shows of commitments and engagements (their texts, monitoring, asks)."""
    records: list[Record] = [
        *([case.mandate] if case.mandate else []),
        *(case.mandate.approvals if case.mandate else []),
        *case.red_lines,
        *case.bottom_lines,
        *case.island_of_agreement,
        *case.positions,
        *case.common_positions,
        *case.commitments,
        *(entry for c in case.commitments for entry in c.monitoring),
        *(c.verification_plan for c in case.commitments if c.verification_plan),
        *case.engagements,
    ]
    found: set[str] = set()
    for record in records:
        for field in record.sensitive_fields():
            if field in {"summary", "participants", "location", "notes"}:
                continue  # an engagement's own fields: the timeline's, not the negotiation's
            # shorter texts ("first contact") are words the brief uses on its own
            found.update(t for t in _texts(getattr(record, field)) if len(t) >= 16)
    return found


def test_page_one_shows_our_role_the_mandate_what_we_ask_offer_and_agree_and_red_lines() -> None:
    page = render_case_html(brief_report(_analysis("somalia-2011")))
    block = _section(page, "negotiation-page-one")
    words = _words(block)
    assert "Our role: humanitarian agency." in words
    # the mandate was given for a year: by the end of the case it has lapsed
    assert f"Mandate given by {MANDATOR} on 2010-01-01, lapsed after 2011-01-01." in words
    for heading in ("What we ask", "What we can offer", "Where we already agree"):
        assert f"<h3>{heading}</h3>" in block
    assert f"Where we already agree {AGREED_FACT}." in words
    assert f"What we can offer {OFFER}." in words
    assert "What we ask Convoys pass every checkpoint without inspection of their cargo." in words
    assert f"Red lines of this case {RED_LINE} (set by {MANDATOR})." in words
    # what they ask is left to the annex: page 1 is full
    assert "What they ask" not in words
    # the block closes page 1: it stands inside the decision, before the risk stage
    assert page.index('id="decision-summary"') < page.index('id="negotiation-page-one"')
    assert page.index('id="negotiation-page-one"') < page.index('id="risk-stage"')


def test_page_one_says_plainly_what_is_not_recorded() -> None:
    page = render_case_html(brief_report(_analysis("somalia-2011", negotiated=False)))
    words = _words(_section(page, "negotiation-page-one"))
    assert "Our role: not recorded. No mandate on record." in words
    for said in (
        "What we ask No position of ours is recorded.",
        "What we can offer No offer of ours is recorded.",
        "Where we already agree Nothing agreed is recorded yet.",
        "Red lines of this case The case records no red lines of its own.",
    ):
        assert said in words, said
    body = _words(_section(page, "negotiation"))
    assert "Positions agreed among engagers: none recorded." in body
    engagers = _words(_section(page, "engagers"))
    assert "No common position among engagers is recorded." in engagers
    annex = _words(_section(page, "negotiation-detail"))
    assert "No mandate is on record: who mandated the engagement is unknown." in annex
    assert "No Island of Agreement is recorded with any counterpart." in annex
    assert "No position of either side is recorded." in annex


def test_page_one_lists_a_few_entries_each_and_sends_the_rest_to_the_annex() -> None:
    analysis = _analysis("somalia-2011")
    long_ask = "Convoys reach " + ", ".join(f"district {n}" for n in range(40))
    view = analysis.strategy.negotiation
    page_one = view.page_one.model_copy(
        update={"we_ask": [long_ask, *(f"Ask number {n}" for n in range(4))]}
    )
    section = build_negotiation_section(
        view.model_copy(update={"page_one": page_one}), redacted=False
    )
    asked = section.part("we_ask")
    assert len(asked.page_one) == PAGE_ONE_ITEMS and asked.more == 5 - PAGE_ONE_ITEMS
    assert asked.page_one[0].endswith("\u2026") and len(asked.page_one[0]) <= PAGE_ONE_CHARS
    assert asked.items[0] == long_ask  # whole in the annex


def test_the_body_sums_up_the_engagers_and_the_commitments_by_norm() -> None:
    page = render_case_html(brief_report(_analysis("somalia-2011")))
    words = _words(_section(page, "negotiation"))
    assert (
        "Other organisations engaging the counterparts: International Committee of the Red "
        "Cross (ICRC) (2 engagements, 2011-10-01 to 2012-01-12)"
    ) in words
    assert "Positions agreed among engagers: 1, 1 of them with us." in words
    # the broken norm is named first, as a humanitarian norm
    assert (
        "Commitments by norm: child recruitment (humanitarian norm): Harakat al-Shabaab "
        "al-Mujahideen violated; humanitarian access:"
    ) in words


def test_the_annex_names_the_other_engagers_and_the_common_positions() -> None:
    page = render_case_html(brief_report(_analysis("somalia-2011")))
    words = _words(_section(page, "engagers"))
    # the ICRC held two engagements with al-Shabaab in the example, and asked for access
    assert (
        "International Committee of the Red Cross (ICRC) (international actor), with Harakat "
        "al-Shabaab al-Mujahideen: 2 engagements, 2011-10-01 to 2012-01-12 (humanitarian)."
    ) in words
    case = _negotiated("somalia-2011")
    asked = [a for e in case.engagements if e.by == "icrc" for a in e.asks]
    assert all(ask in words for ask in asked)
    assert (
        "No agency pays the group to operate Agreed 2010-01-11 by Our organisation (example), "
        "International Committee of the Red Cross (ICRC), towards Harakat al-Shabaab "
        "al-Mujahideen; we are part of it."
    ) in words


def test_the_compliance_table_shows_a_breach_reported_by_a_monitor_with_its_evidence() -> None:
    page = render_case_html(brief_report(_analysis("somalia-2011")))
    table = _section(page, "compliance")
    words = _words(table)
    assert "Child recruitment: humanitarian norm" in words
    assert words.index("Child recruitment") < words.index("Humanitarian access")
    row = words[words.index("No recruitment or use of children") :]
    # the third party's report of the breach decides: it counts at once
    assert row.startswith(
        "No recruitment or use of children under eighteen by the group's units since 2010-01-11 "
        "violated third party report, 2010-03-12: violated"
    )
    assert (
        f"2010-03-12, third party report, Country task force on monitoring and reporting: "
        f"{MONITORING_SEEN} Supports violated; counted."
    ) in row
    assert (
        "2010-02-10, self reporting, The group's liaison officer: The group reports that no "
        "child serves in its ranks Supports honoured"
    ) in row
    assert "self reporting, third party report, by Child protection monitors" in row
    assert 'class="status-violated"' in table


def test_the_annex_holds_the_mandate_the_lines_the_island_and_the_iceberg() -> None:
    page = render_case_html(brief_report(_analysis("central-african-republic-2013")))
    words = _words(_section(page, "negotiation-detail"))
    assert f"Mandator {MANDATOR}" in words
    assert "Objectives Safe passage for food convoys into the famine districts" in words
    assert f"{BOTTOM_LINE} bottom line {MANDATOR}" in words
    assert f"{RED_LINE} red line {MANDATOR} 2012-12-10 rl-no-support" in words
    assert f"With anti-balaka Agreed or convergent Divergent Facts {AGREED_FACT}" in words
    assert "Crosses our red line: " + RED_LINE in words
    assert "Impartial aid by need alone" in words  # a value beneath our position


@pytest.mark.parametrize("name", sorted(NEGOTIATED))
def test_the_redacted_brief_withholds_every_text_of_the_negotiation(name: str) -> None:
    analysis = _analysis(name)
    hidden = _sensitive_texts(analysis.case)
    full = html.unescape(brief_bytes(analysis, "html", redacted=False).decode())
    shown = [t for t in hidden if t in full]
    for text in (MANDATOR, RED_LINE, BOTTOM_LINE, AGREED_FACT, OFFER, MONITORING_SEEN):
        assert text in shown, text
    redacted = html.unescape(brief_bytes(analysis, "html", redacted=True).decode())
    document = brief_bytes(analysis, "json", redacted=True).decode()
    strings = " | ".join(_json_strings(json.loads(document)))
    assert [t for t in hidden if t in redacted] == []
    assert [t for t in hidden if t in strings] == []
    # what stays: how many entries each part holds, statuses and the evidence's kind
    words = _words(_section(redacted, "negotiation-page-one"))
    assert "What we ask 1 recorded, withheld in this version." in words
    assert "Red lines of this case 1 recorded, withheld in this version." in words
    assert "Mandate given on" in words and "lapsed after" in words
    assert "third party report" in _words(_section(redacted, "compliance"))
    assert WITHHELD in _section(redacted, "negotiation-detail")


def test_a_withheld_negotiation_keeps_its_shape_and_relabels_its_records() -> None:
    view = _analysis("somalia-2011").strategy.negotiation
    withheld = withheld_negotiation(view)
    assert withheld_negotiation(withheld) == withheld  # withholding twice changes nothing
    assert [line.id for line in withheld.red_lines] == ["red-line-1"]
    assert [p.id for p in withheld.positions] == ["position-1", "position-2"]
    assert withheld.page_one.we_agree == [WITHHELD] * len(view.page_one.we_agree)
    assert withheld.mandate is not None and withheld.mandate.in_force is False
    shaped = {c.id: c.status for g in withheld.compliance for c in g.commitments}
    assert shaped == {c.id: c.status for g in view.compliance for c in g.commitments}
    engager = next(e for e in withheld.other_engagers if e.common_positions)
    assert engager.common_positions == ["common-position-1"]


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


@pytest.mark.slow
@requires_poppler
@pytest.mark.parametrize("name", sorted(NEGOTIATED))
def test_page_one_still_fits_one_page_with_the_negotiation(
    name: str, installed_analysis_inputs: object, tmp_path: Path
) -> None:
    """With every installed input and the negotiation recorded, page 1 holds the decision
    and the negotiation's block whole: the body starts on page 2."""
    from backchannel.reports.pdf import render_case_pdf

    inputs: Any = installed_analysis_inputs
    analysis = analyse_for_brief(
        _negotiated(name),
        events=inputs.events,
        event_source=inputs.event_source,
        screening=inputs.screening,
        activities=("meeting", "training_ihl", "delivering_humanitarian_supplies"),
        extents=inputs.event_extents,
        conflicts=inputs.conflicts,
    )
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(render_case_pdf(brief_report(analysis)))

    def page(number: int) -> str:
        done = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        return " ".join(done.stdout.replace("-\n", "-").split())

    first, second = page(1), page(2)
    for part in ("Highest risks of engaging", "What we ask", "Red lines of this case"):
        assert part in first, part
    assert AGREED_FACT in first and RED_LINE in first
    assert "Red lines of this case" not in second and "Atrocity risk stage" in second
