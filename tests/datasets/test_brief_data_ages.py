"""The brief names the data behind its figures: each installed data set the analysis read,
its publication date and age, stale and undated ones flagged, in full and redacted briefs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backchannel import datasets
from backchannel.casefile import load_case
from backchannel.datasets.analysis_inputs import analysis_data_ages, installed_inputs
from backchannel.reports.brief_output import brief_bytes, report_json
from backchannel.reports.case_analysis import analyse_for_brief, brief_report
from backchannel.settings import Settings
from tests.conftest import EXAMPLES, install_indexed_lists, mirror_path


@pytest.fixture(scope="module")
def lists_installed(tmp_path_factory: pytest.TempPathFactory, indexed_lists: Path) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("brief") / "data", mirror=None)
    install_indexed_lists(indexed_lists, settings.data_dir)
    datasets.pull(settings, ["ucdp-acd"], mirror=mirror_path())
    return settings


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_the_brief_names_each_data_set_read_with_its_age(lists_installed: Settings) -> None:
    inputs = installed_inputs(lists_installed)
    assert [a.id for a in inputs.data_ages] == ["ucdp-acd", "un-sanctions", "ofac-sdn"]
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    analysis = analyse_for_brief(
        case,
        screening=inputs.screening,
        conflicts=inputs.conflicts,
        data_ages=inputs.data_ages,
        timelines=False,
    )
    for redacted in (False, True):
        text = _text(brief_bytes(analysis, "html", redacted=redacted).decode())
        section = text.split("Data behind these figures", 1)[1]
        assert "UN Security Council Consolidated Sanctions List (un-sanctions)" in section
        assert "2026-02-27" in section
        assert "OFAC Specially Designated Nationals" in section
        assert "live undated age unknown age unknown" in section
        assert "the copy states no publication date" in section
        assert "UCDP/PRIO Armed Conflict Dataset (ucdp-acd) 25.1 2025" in section
        assert "cannot be shown to be current" in section and "ofac-sdn" in section
    report = brief_report(analysis)
    assert [row["id"] for row in report.data_ages] == ["ucdp-acd", "un-sanctions", "ofac-sdn"]
    assert '"data_ages"' in report_json(report)


def test_a_brief_without_installed_data_has_no_such_section(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", mirror=None)
    assert analysis_data_ages(settings, pulled_events=True) == ()
    case = load_case(EXAMPLES / "colombia-2012.yaml")
    analysis = analyse_for_brief(case, timelines=False)
    assert "Data behind these figures" not in brief_bytes(analysis, "html", redacted=False).decode()
