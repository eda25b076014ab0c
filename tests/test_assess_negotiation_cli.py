"""``backchannel assess`` prints the negotiation beside the decision: our role, the mandate,
what we ask, can offer and already agree on, and the case's red lines, or says each is not
recorded."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from backchannel.casefile import dump_case, load_case
from backchannel.cli import app
from tests.negotiation_records import AGREED_FACT, MANDATOR, OFFER, RED_LINE, with_negotiation
from tests.test_example_cases import EXAMPLES

runner = CliRunner()


def test_the_terminal_summary_shows_the_negotiation(tmp_path: Path) -> None:
    somalia = load_case(EXAMPLES / "somalia-2011.yaml")
    negotiated = tmp_path / "negotiated.yaml"
    negotiated.write_text(dump_case(with_negotiation(somalia, "al-shabaab", "own-org", "icrc")))
    result = runner.invoke(app, ["assess", str(negotiated)])
    assert result.exit_code == 0, result.output
    assert "our role: humanitarian agency" in result.output
    assert f"mandate: given by {MANDATOR}" in result.output
    for text in (AGREED_FACT, OFFER, RED_LINE):
        assert text in result.output


def test_the_terminal_summary_names_what_is_not_recorded(tmp_path: Path) -> None:
    bare = load_case(EXAMPLES / "somalia-2011.yaml").model_copy(
        update={"mandate": None, "red_lines": [], "positions": [], "island_of_agreement": []}
    )
    bare = bare.model_copy(update={"context": bare.context.model_copy(update={"our_role": None})})
    path = tmp_path / "bare.yaml"
    path.write_text(dump_case(bare))
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 0, result.output
    assert "our role: unknown (not recorded); mandate: none on record" in result.output
    assert "we ask: no position of ours recorded" in result.output
    assert "red lines of this case: none recorded" in result.output


def test_a_text_agreed_with_both_signatories_is_said_once_on_page_one() -> None:
    """The Brazzaville cessation of hostilities is a convergent norm with the ex-Séléka and
    with the anti-balaka alike: page 1 says it once."""
    result = runner.invoke(
        app, ["assess", str(EXAMPLES / "central-african-republic-2013.yaml"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    negotiation = json.loads(result.output)["negotiation"]
    texts = [
        item["text"]
        for island in negotiation["island_of_agreement"]
        for item in island["convergent_norms"]
    ]
    shared = {t for t in texts if texts.count(t) > 1}
    assert shared  # the example records the same norm with both groups
    agreed = negotiation["page_one"]["we_agree"]
    assert len(agreed) == len(set(agreed))
    assert shared <= set(agreed)
