"""The decision brief as a PDF: WeasyPrint over the brief's self-contained HTML, offline.

A brief names armed groups, intermediaries and the state of confidential talks, so
rendering it must never reach the network: a request for an image or a stylesheet would
tell whoever serves it that a brief on this case was being printed, and when. The URL
fetcher given to WeasyPrint therefore serves ``data:`` URLs only, from the document itself.

Anything else is refused *and the render fails*, rather than the resource being dropped
and a PDF produced without it. The brief's HTML is meant to be self-contained, so an
external reference is a defect of the template or of what fed it, and a brief quietly
missing a chart or carrying a request attempt in its source is worse than no PDF: the
error names every refused URL so the defect is found at once. WeasyPrint catches what a
fetcher raises and goes on, so the refusals are collected during the render and raised
after it; none of them was ever fetched.

Fonts are the machine's own through fontconfig: the print stylesheet names DejaVu Sans
and DejaVu Serif (Debian's ``fonts-dejavu-core``), so no ``@font-face`` download is needed.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Iterable
from importlib import resources
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from backchannel.errors import InvalidInputError, Problem
from backchannel.reports.case_report import CaseReport
from backchannel.reports.render import render_case_html

#: The running header's marking of a redacted brief, on every page.
REDACTED_MARKING = "REDACTED \u2014 for wider circulation"
#: The running header's marking of a full brief, on every page: it holds sensitive fields.
FULL_MARKING = "FULL VERSION \u2014 need to know only"

#: The base URL a brief is parsed with. No brief has a real one; this one exists so that a
#: relative reference reaches the fetcher (and is refused there, by name) instead of being
#: dropped silently by WeasyPrint. The ``.invalid`` domain never resolves, and is never asked.
_PLACEHOLDER_BASE_URL = "https://self-contained-brief.invalid/"

_DATA_URL = re.compile(r"^data:(?P<type>[^,]*?)(?P<base64>;base64)?,(?P<data>.*)$", re.DOTALL)


class DataOnlyURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """Serves ``data:`` URLs from the document itself and refuses every other URL.

    Refused URLs are kept in :attr:`refused` (in the order met) so the caller can fail
    after the render; nothing is ever opened, as the urllib machinery of the base class is
    never called.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",))
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Decode a ``data:`` URL; refuse (raise) on anything else, remembering the URL."""
        match = _DATA_URL.match(url)
        if match is None:
            if url.startswith(_PLACEHOLDER_BASE_URL):
                url = f"{url.removeprefix(_PLACEHOLDER_BASE_URL)} (a relative URL)"
            self.refused.append(url)
            raise ValueError(f"refused {url!r}: a brief is rendered offline, from data: URLs only")
        media_type = match["type"].split(";")[0].strip() or "text/plain"
        if match["base64"]:
            try:
                body = base64.b64decode(urllib.parse.unquote(match["data"]), validate=False)
            except binascii.Error as error:
                raise ValueError(f"malformed base64 in a data: URL: {error}") from error
        else:
            body = urllib.parse.unquote_to_bytes(match["data"])
        return URLFetcherResponse(url, body, headers={"Content-Type": media_type})


def render_pdf(html: str, *, extra_css: str | Iterable[str] = ()) -> bytes:
    """Render a self-contained HTML page to PDF bytes, with no network access at all.

    ``extra_css`` is added after the page's own styles (one stylesheet or several), e.g.
    :func:`brief_print_css` for a brief. Images and styles must be inline or ``data:``
    URLs; any other URL, relative ones included, is refused unfetched and the render fails
    with :class:`~backchannel.errors.InvalidInputError` naming each one (the module's
    docstring says why it fails rather than drops them).

    The PDF's title is the page's ``<title>``; no creation date is written, so equal input
    gives equal bytes where WeasyPrint subsets fonts with HarfBuzz (Debian's
    ``libharfbuzz-subset0``). Without it WeasyPrint falls back to fontTools, which stamps
    each font subset with the time unless ``SOURCE_DATE_EPOCH`` is set.
    """
    fetcher = DataOnlyURLFetcher()
    sheets = [extra_css] if isinstance(extra_css, str) else list(extra_css)
    stylesheets = [CSS(string=sheet, url_fetcher=fetcher) for sheet in sheets]
    document = HTML(
        string=html, base_url=_PLACEHOLDER_BASE_URL, url_fetcher=fetcher, media_type="print"
    )
    pdf: bytes = document.write_pdf(stylesheets=stylesheets)
    if fetcher.refused:
        problems = [
            Problem("", f"refused to fetch {url}: a brief must hold its images and styles inline")
            for url in dict.fromkeys(fetcher.refused)
        ]
        raise InvalidInputError("the brief's HTML", problems)
    return pdf


def brief_print_css(*, redacted: bool) -> str:
    """The brief's print stylesheet, with the running header's marking for its version."""
    sheet = resources.files("backchannel.reports").joinpath("templates/brief_print.css")
    marking = REDACTED_MARKING if redacted else FULL_MARKING
    # The marking is set here, not in the stylesheet, because the HTML carries no class
    # that tells the two versions apart, and CSS cannot select on text.
    return sheet.read_text(encoding="utf-8") + f'\n:root {{ string-set: marking "{marking}"; }}\n'


def render_case_pdf(report: CaseReport) -> bytes:
    """The brief for one case as an A4 PDF: its HTML with the print stylesheet added."""
    return render_pdf(render_case_html(report), extra_css=brief_print_css(redacted=report.redacted))
