"""Writing briefs for the assess command and the demo (atomically, PDF or HTML).

What they read from the installed data comes from ``backchannel.datasets.analysis_inputs``,
as for the web workspace.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from backchannel.errors import InvalidInputError, Problem
from backchannel.reports.case_analysis import CaseAnalysis, brief_report

BRIEF_SUFFIXES = (".pdf", ".html")


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
