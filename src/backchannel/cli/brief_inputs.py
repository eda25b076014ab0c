"""What the assess command and the demo read from the installed data, and writing briefs.

Each data set is optional: what is not installed is left out and the strategy names it as
a missing input.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from backchannel import datasets
from backchannel.dialogue.evidence import EvidenceSources
from backchannel.errors import InvalidInputError, NotFoundError, Problem
from backchannel.reports.case_analysis import CaseAnalysis, brief_report
from backchannel.settings import Settings

#: The evidence panel's files: (field of EvidenceSources, data set id, file name).
EVIDENCE_FILES = (
    ("termination_dyad", "ucdp-termination", "ucdp-term-dyad-3-2021.xlsx"),
    ("termination_conflict", "ucdp-termination", "ucdp-term-acd-3-2021.xlsx"),
    ("peace_agreements", "ucdp-peace-agreements", "ucdp-peace-agreements-221.xlsx"),
    ("dyadic", "ucdp-dyadic", "ucdp-dyadic-251.csv"),
    ("pax", "pax", "pax_all_agreements_data_v6.csv"),
    ("ushmm_factors", "ushmm-tools", "all_factors_3.csv"),
)
EVIDENCE_DATASETS = tuple(dict.fromkeys(dataset for _, dataset, _ in EVIDENCE_FILES))
BRIEF_SUFFIXES = (".pdf", ".html")


def installed_evidence_sources(settings: Settings) -> EvidenceSources | None:
    """The evidence files installed, or ``None`` when none is."""
    found: dict[str, Path] = {}
    for field, dataset, name in EVIDENCE_FILES:
        try:
            found[field] = datasets.file_path(settings, dataset, name)
        except NotFoundError:
            continue
    return EvidenceSources(**found) if found else None


def check_brief_path(path: Path) -> None:
    """Refuse a brief path whose suffix names no format we write."""
    if path.suffix.lower() not in BRIEF_SUFFIXES:
        raise InvalidInputError(
            str(path),
            [Problem("--brief", f"expected a file name ending in {' or '.join(BRIEF_SUFFIXES)}")],
        )


def write_brief(analysis: CaseAnalysis, path: Path, *, redacted: bool) -> Path:
    """Render the brief as PDF or HTML by the suffix, written whole or not at all."""
    from backchannel.reports.pdf import render_case_pdf
    from backchannel.reports.render import render_case_html

    check_brief_path(path)
    report = brief_report(analysis, redacted=redacted)
    data = (
        render_case_pdf(report)
        if path.suffix.lower() == ".pdf"
        else render_case_html(report).encode("utf-8")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a failure never leaves half a brief behind.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
