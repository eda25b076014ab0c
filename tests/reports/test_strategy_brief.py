"""The decision brief with its strategy: what a mediator reads first, full and redacted,
as HTML and as PDF read back with poppler, and through ``backchannel assess --brief``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.casefile import load_case
from backchannel.cli import app
from backchannel.reports.case_analysis import analyse_for_brief, brief_report
from backchannel.reports.render import render_case_html
from tests.conftest import EXAMPLES, install_indexed_lists, mirror_path

requires_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils is not installed (apt-get install poppler-utils; .ci/run does it)",
)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").replace("-\n", "").split())


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]


def test_somalia_brief_opens_with_the_decision_in_plain_words() -> None:
    analysis = analyse_for_brief(load_case(EXAMPLES / "somalia-2011.yaml"))
    html = render_case_html(brief_report(analysis))
    summary = html[html.index('id="decision-summary"') : html.index('id="risk-stage"')]
    words = _text(summary)
    assert "Hold: two commitments broken without remedy (an exit criterion)" in words
    assert "security is lacking" in words
    assert "once it can start: Preparatory work" in words
    assert "Risk stage: imminent" in words
    assert "What to settle first" in words and "security adviser" in words
    assert "Legal position" in words and "not been screened" in words
    assert "Confidence low" in words and "mandate" in words
    # page 1 speaks to a decision-maker: no rule ids, internal keys, event ids or p-values
    assert "<code>" not in summary
    for jargon in ("condition:", "rule ", "ged:", "p =", "p <", "prepare-channel", "_"):
        assert jargon not in words, jargon
    assert "Talk now" not in html
    for section in ("readiness", "engagement-risks", "plan", "traceability"):
        assert f'id="{section}"' in html
    # the rule ids and facts go to the annex, after the body
    assert html.index('id="annex"') < html.index('id="traceability"')


def test_the_redacted_brief_masks_intermediaries_in_the_strategy_texts() -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    analysis = analyse_for_brief(case)
    elders = case.actor("clan-elders").name
    full = render_case_html(brief_report(analysis))
    redacted = render_case_html(brief_report(analysis, redacted=True))
    assert elders in full
    assert elders not in redacted and "Intermediary 1" in redacted


@pytest.mark.slow
@requires_poppler
def test_assess_writes_pdf_briefs_that_read_back_full_and_redacted(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path / "data"), "BACKCHANNEL_MIRROR": None}
    mirror = mirror_path()
    if mirror is not None:
        install_indexed_lists(request.getfixturevalue("indexed_lists"), tmp_path / "data")
    case_file = EXAMPLES / "somalia-2011.yaml"
    case = load_case(case_file)
    full, redacted = tmp_path / "somalia.pdf", tmp_path / "somalia-redacted.pdf"
    result = runner.invoke(app, ["assess", str(case_file), "--brief", str(full)], env=env)
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(
        app, ["assess", str(case_file), "--brief", str(redacted), "--redacted"], env=env
    )
    assert result.exit_code == 0, result.stderr
    text = _pdf_text(full)
    assert _pages(full) > 2
    for heading in (
        "Decision",
        "What to settle first",
        "Then",
        "Legal position",
        "Conditions for dialogue",
        "Risks of engaging",
        "The plan",
        "Annex",
    ):
        assert heading in text
    assert "Hold:" in text and "Preparatory work" in text
    if mirror is not None:
        # al-Shabaab is designated: the legal constraints name the lists
        assert "matches designation lists" in text
    masked = {
        value
        for _, _, record in case.records()
        for field in record.sensitive_fields()
        for value in (
            [getattr(record, field)]
            if isinstance(getattr(record, field), str)
            else getattr(record, field) or []
        )
        if isinstance(value, str) and len(value) >= 12
    }
    hidden = _pdf_text(redacted)
    normalised = {" ".join(v.split())[:40] for v in masked}
    shown_in_full = [v for v in normalised if v in text]
    assert shown_in_full, "the full brief shows sensitive values, so the check can fail"
    assert [v for v in normalised if v in hidden] == []


def test_assess_json_gains_the_strategy_keys(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None}
    case_file = EXAMPLES / "colombia-2012.yaml"
    result = runner.invoke(app, ["assess", str(case_file), "--format", "json"], env=env)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"stage", "modality", "readiness", "risks", "plan", "evidence"} <= set(document)
    # no channel of ours and the critical conditions not judged: preparatory, conditional
    assert document["modality"] == "preparatory"
    assert document["recommendation"]["status"] == "conditional"
    assert set(document["recommendation"]["pending"]) == {"security", "legal_clearance", "mandate"}
    assert {"exit_criteria_met", "to_settle", "headline"} <= set(document["recommendation"])
    assert document["evidence"] is None and any(
        m.startswith("evidence:") for m in document["missing_inputs"]
    )


def test_assess_refuses_a_brief_of_unknown_format_before_any_work(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None}
    target = tmp_path / "brief.docx"
    result = runner.invoke(
        app, ["assess", str(EXAMPLES / "colombia-2012.yaml"), "--brief", str(target)], env=env
    )
    assert result.exit_code == 3  # invalid input
    assert "brief.docx" in result.stderr and ".pdf, .html or .json" in result.stderr
    assert not target.exists() and list(tmp_path.glob(".brief*")) == []


def test_the_brief_stylesheet_is_inlined_unescaped() -> None:
    analysis = analyse_for_brief(load_case(EXAMPLES / "colombia-2012.yaml"))
    html = render_case_html(brief_report(analysis))
    style = html[html.index("<style>") : html.index("</style>")]
    # a <style> element does not decode entities: escaped quotes would break the fonts
    assert "&#34;" not in style and '"DejaVu Sans"' in style


@pytest.mark.slow
@requires_poppler
@pytest.mark.parametrize("name", ["somalia-2011", "colombia-2012", "central-african-republic-2013"])
def test_the_decision_fits_page_one_and_the_body_eight_pages(
    name: str, installed_analysis_inputs: object, tmp_path: Path
) -> None:
    """With every installed input (events, conflict record, lists), the brief's first page
    holds the whole decision and the annex starts by page 9."""
    from backchannel.reports.pdf import render_case_pdf

    inputs: object = installed_analysis_inputs
    analysis = analyse_for_brief(
        load_case(EXAMPLES / f"{name}.yaml"),
        events=inputs.events,  # type: ignore[attr-defined]
        event_source=inputs.event_source,  # type: ignore[attr-defined]
        screening=inputs.screening,  # type: ignore[attr-defined]
        activities=("meeting", "training_ihl", "delivering_humanitarian_supplies"),
        extents=inputs.event_extents,  # type: ignore[attr-defined]
        conflicts=inputs.conflicts,  # type: ignore[attr-defined]
    )
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(render_case_pdf(brief_report(analysis)))
    pages = _pages(pdf)
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for part in ("Decision", "Confidence", "Why", "Legal position", "Highest risks of engaging"):
        assert part in first, part
    annex = next(
        page
        for page in range(1, pages + 1)
        if re.search(
            r"^Annex$",
            subprocess.run(
                ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout,
            re.M,
        )
    )
    assert annex - 1 <= 8, f"the body runs {annex - 1} pages"
