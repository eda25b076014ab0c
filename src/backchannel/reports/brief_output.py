"""The brief as the bytes of a file: HTML, PDF or JSON, read back before it leaves.

Every surface that hands out a brief (the CLI, the demo, the web workspace) gets it here.
A redacted brief is rendered whole, then its final text is read back as its reader would
read it (``redaction.leaks``): the HTML page's text and attributes, which is also exactly
what the PDF is printed from, or every string of the JSON document; a PDF's own text is
read back too where poppler's ``pdftotext`` is installed. If a form of a masked actor, a
record id or a source's address is still in it, ``RedactionLeakError`` is raised and no
byte is returned, so nothing is written or sent.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from backchannel.redaction import check_output
from backchannel.reports.case_analysis import CaseAnalysis, brief_report
from backchannel.reports.case_report import CaseReport
from backchannel.reports.pdf import brief_print_css, render_pdf
from backchannel.reports.render import render_case_html

#: The formats a brief is written in, by file suffix.
BRIEF_FORMATS = {".html": "html", ".pdf": "pdf", ".json": "json"}


def report_json(report: CaseReport) -> str:
    """The report model as JSON text: what the brief shows, for other tools."""
    return report.model_dump_json(indent=2) + "\n"


def brief_bytes(analysis: CaseAnalysis, fmt: str, *, redacted: bool) -> bytes:
    """The brief of ``analysis`` in ``fmt`` (``html``, ``pdf`` or ``json``).

    A redacted brief is checked before it is returned: ``RedactionLeakError`` names each
    sensitive form still in it, and nothing is returned.
    """
    return brief_formats(analysis, (fmt,), redacted=redacted)[fmt]


def brief_formats(
    analysis: CaseAnalysis, formats: Sequence[str], *, redacted: bool
) -> dict[str, bytes]:
    """The brief of ``analysis`` in each of ``formats``, from one report model and one HTML
    page (the charts are drawn once whatever the number of formats).

    Every redacted form is checked before any is returned: if one still holds a sensitive
    form, ``RedactionLeakError`` is raised and nothing is returned.
    """
    unknown = [f for f in formats if f not in BRIEF_FORMATS.values()]
    if unknown:
        raise ValueError(f"unknown brief format {unknown[0]!r}")
    report = brief_report(analysis, redacted=redacted)
    document = f"brief of case {analysis.case.id}"
    written: dict[str, bytes] = {}
    if "json" in formats:
        text = report_json(report)
        if redacted:
            check_output(analysis.disclosure, f"{document} (JSON)", text, "json")
        written["json"] = text.encode("utf-8")
    if "html" not in formats and "pdf" not in formats:
        return written
    html = render_case_html(report)
    if redacted:
        check_output(analysis.disclosure, f"{document} (HTML)", html, "html")
    if "html" in formats:
        written["html"] = html.encode("utf-8")
    if "pdf" in formats:
        pdf = render_pdf(html, extra_css=brief_print_css(redacted=redacted))
        printed = pdf_text(pdf) if redacted else None
        if printed is not None:
            check_output(analysis.disclosure, f"{document} (PDF)", printed, "text")
        written["pdf"] = pdf
    return written


def pdf_text(pdf: bytes) -> str | None:
    """The text of a PDF as poppler's ``pdftotext`` reads it, or ``None`` without poppler.

    Without it the PDF is checked through the HTML it is printed from, which holds every
    word of it but the running header and page numbers, which are ours.
    """
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    result = subprocess.run(  # noqa: S603 - a fixed local tool, the PDF on its stdin
        [tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=False, timeout=120
    )
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None
