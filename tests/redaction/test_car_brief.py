"""The Central African Republic redacted brief, read as a practitioner reads it.

The case's top entry point is the interfaith platform of three religious leaders, and
Sant'Egidio hosted talks in Rome: both are discreet channels and must not be named in any
form, nor through a source's address. The ECCAS mediation was public (the agreement text
names it), so the case marks it disclosed and the brief names it. What remains must still
read as a brief: the same label for the same actor everywhere, numbered from one.
"""

from __future__ import annotations

import html
import re

import pytest

from backchannel.casefile import load_case
from backchannel.reports.brief_output import brief_bytes
from backchannel.reports.case_analysis import analyse_for_brief
from tests.conftest import EXAMPLES

NAMES = [
    "Nzapalainga",
    "Layama",
    "Kobine",
    "Gbangou",
    "Guérékoyaméné",
    "Dieudonné",
    "Interfaith",
    "PCRC",
    "Plateforme des Confessions",
    "Egidio",
    "santegidio",
    "Sant-Egidio",
]


@pytest.fixture(scope="module")
def text() -> str:
    """The redacted brief's text as a reader sees it (no markup, entities decoded)."""
    analysis = analyse_for_brief(load_case(EXAMPLES / "central-african-republic-2013.yaml"))
    page = brief_bytes(analysis, "html", redacted=True).decode("utf-8")
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_no_religious_leader_nor_sant_egidio_is_named_in_any_form(text: str) -> None:
    folded = text.lower()
    for name in NAMES:
        assert name.lower() not in folded, name
    assert "http" not in folded and "santegidio.org" not in folded


def test_the_masked_channels_carry_one_label_each_numbered_from_one(text: str) -> None:
    labels = set(re.findall(r"(?:Intermediary|Religious leader|Community leader) \d+", text))
    assert labels == {"Religious leader 1", "Intermediary 1"}
    # the platform is the top entry point and the broker, and holds both channels
    assert "Entry points Religious leader 1 : No tie of our organisation leads there yet" in text
    assert "Religious leader 1 has one of the best routes to ex-Séléka (FPRC)" in text
    assert "Religious leader 1 channel anti-balaka" in text
    assert "Religious leader 1 channel ex-Séléka (FPRC)" in text
    assert "Brokers: Religious leader 1." in text
    # Sant'Egidio: its channel to the government and its own report on the Rome talks
    assert "Intermediary 1 channel Government of the Central African Republic" in text
    assert 'The "Republican Pact" drafted last September at Intermediary 1 has been signed' in text


def test_the_public_mediator_is_named_and_the_story_still_reads(text: str) -> None:
    assert "ECCAS mediation (President Denis Sassou Nguesso of the Republic of Congo)" in text
    assert "mediated by Congo's President Denis Sassou Nguesso" in text
    assert "Djotodia resigned at an ECCAS summit on 10 January 2014" in text
    assert "Counterparts: ex-Séléka (FPRC), anti-balaka." in text
    assert "shown by numbered labels" in text


def test_no_record_id_and_no_sensitive_field_is_shown(text: str) -> None:
    for record_id in (
        "interfaith-platform",
        "santegidio",
        "r-eccas-negotiates-antibalaka",
        "e-rome-santegidio",
        "j-cohesion",
        "gov-caf",
        "own-org",
    ):
        assert record_id not in text, record_id
    assert "judgement-4, 2014-08-01" in text  # the cohesion reading cites it by its label
    assert "Rome, Italy" not in text  # where talks were held is left out
    assert "Minister for Reconciliation" not in text  # and who took part
