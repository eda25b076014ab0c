"""The brief as PDF: real briefs of the example cases, read back with poppler.

Each example case is rendered in full and redacted, with the sections the demo adds
(risk stage, structural forecast, actor map), then turned back into text (pdftotext) and
page images (pdftoppm) as a reader would see it. The no-network tests point the brief at a
server on the loopback address and check that it never heard a request.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import http.server
import io
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from backchannel.casefile import load_case
from backchannel.errors import InvalidInputError
from backchannel.model import Actor, Case
from backchannel.redaction import Disclosure
from backchannel.reports.actor_section import build_actor_section
from backchannel.reports.case_report import build_case_report
from backchannel.reports.pdf import (
    FULL_MARKING,
    REDACTED_MARKING,
    brief_print_css,
    render_case_pdf,
    render_pdf,
)
from backchannel.reports.render import render_case_html
from backchannel.reports.structural import structural_section
from backchannel.risk.assessment import assess_case
from tests.conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
POPPLER_TOOLS = ("pdftotext", "pdftoppm", "pdfinfo", "pdffonts", "pdfimages")
#: Masked values shorter than this are common words ("Rome") that may appear by chance.
SHORTEST_MASKED = 6


def _tiny_png_base64() -> str:
    """A 2 x 2 PNG, to check that data: URLs are served."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 114, 178)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


TINY_PNG = _tiny_png_base64()

requires_poppler = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in POPPLER_TOOLS),
    reason="poppler-utils is not installed (apt-get install poppler-utils; .ci/run does it)",
)


@dataclass(frozen=True)
class RenderedBrief:
    """One brief as written to disk and read back by poppler."""

    case: Case
    html: str
    pdf: Path
    pages: int
    page_images: list[Path]
    layout_text: str
    raw_text: str


def _poppler(*arguments: str | Path) -> str:
    return subprocess.run(
        [str(a) for a in arguments], check=True, capture_output=True, text=True
    ).stdout


def _normalised(text: str) -> str:
    """Text compared across line breaks: pdftotext wraps lines, and a line may end in a
    hyphen that belongs to the word ("anti-" / "balaka"); WeasyPrint adds no hyphens of its
    own, so the hyphen is kept and only the break removed."""
    text = re.sub(r"\s+", " ", text.replace("\u00ad", ""))
    return text.replace("- ", "-").strip()


def _page_count(pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)$", _poppler("pdfinfo", pdf), re.MULTILINE)
    assert match, "pdfinfo reports no page count"
    return int(match.group(1))


@functools.cache
def _brief(path: Path, redacted: bool, folder: Path) -> RenderedBrief:
    """Render one example's brief as the demo builds it (cached: each render takes seconds)."""
    case = load_case(path)
    as_of = case.context.period.end or dt.date(2015, 1, 1)
    report = build_case_report(
        case,
        redacted=redacted,
        now=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        stage=assess_case(case, as_of).as_dict(),
        structural=structural_section(case.context.country, case.context.period.start.year),
        actors_map=build_actor_section(case, redacted=redacted),
    )
    html = render_case_html(report)
    pdf = folder / f"{case.id}{'-redacted' if redacted else ''}.pdf"
    pdf.write_bytes(render_case_pdf(report))
    _poppler("pdftoppm", "-png", "-r", "50", pdf, folder / pdf.stem)
    return RenderedBrief(
        case=case,
        html=html,
        pdf=pdf,
        pages=_page_count(pdf),
        page_images=sorted(folder.glob(f"{pdf.stem}-*.png")),
        layout_text=_poppler("pdftotext", "-layout", pdf, "-"),
        raw_text=_poppler("pdftotext", "-raw", pdf, "-"),
    )


@pytest.fixture(scope="module")
def brief_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("briefs")


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._open = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._open is not None:
            self.headings.append("".join(self._open))
            self._open = None


def _section_headings(html: str) -> list[str]:
    parser = _Headings()
    parser.feed(html)
    return parser.headings


def _masked_values(case: Case) -> set[str]:
    """Every value of a sensitive field in the case (list items one by one), and the names
    and aliases of the actors a redacted brief masks (not of those whose role is public)."""
    shown = Disclosure.of(case)
    values: set[str] = set()
    for _, _, record in case.records():
        fields = record.sensitive_fields() - {"name", "aliases"}
        if isinstance(record, Actor) and shown.is_masked(record.id):
            fields |= {"name", "aliases"}
        for field in fields:
            value = getattr(record, field)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and len(item) >= SHORTEST_MASKED:
                    values.add(item)
    return values


def _public_text(case: Case) -> str:
    """What the case states in fields that are not sensitive: its context, its sources and
    every record's other fields. Masking sensitive fields cannot hide a name written there."""
    documents: list[object] = [case.context.model_dump(), *(s.model_dump() for s in case.sources)]
    for _, _, record in case.records():
        documents.append(record.model_dump(exclude=set(record.sensitive_fields())))
    return _normalised(" ".join(_strings(documents)))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@pytest.mark.slow
@requires_poppler
@pytest.mark.parametrize("redacted", [False, True], ids=["full", "redacted"])
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_brief_pdf_has_its_pages_sections_and_title(
    path: Path, redacted: bool, brief_folder: Path
) -> None:
    brief = _brief(path, redacted, brief_folder)
    assert brief.pages > 1
    assert len(brief.page_images) == brief.pages
    text = _normalised(brief.layout_text)
    headings = _section_headings(brief.html)
    assert len(headings) >= 6
    missing = [h for h in headings if _normalised(h) not in text]
    assert not missing, f"section headings not in the PDF text: {missing}"
    assert _normalised(brief.case.context.title) in text
    info = _poppler("pdfinfo", brief.pdf)
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE), info
    assert re.search(rf"^Title:\s+{re.escape(brief.case.context.title)}: case brief$", info, re.M)
    assert "CreationDate" not in info


@pytest.mark.slow
@requires_poppler
@pytest.mark.parametrize("redacted", [False, True], ids=["full", "redacted"])
def test_every_page_carries_the_marking_of_its_version_and_its_number(
    redacted: bool, brief_folder: Path
) -> None:
    brief = _brief(EXAMPLES / "colombia-2012.yaml", redacted, brief_folder)
    marking, other = (
        (REDACTED_MARKING, FULL_MARKING) if redacted else (FULL_MARKING, REDACTED_MARKING)
    )
    for page in range(1, brief.pages + 1):
        text = _normalised(
            _poppler("pdftotext", "-layout", "-f", str(page), "-l", str(page), brief.pdf, "-")
        )
        assert marking in text, f"page {page} lacks the running header {marking!r}"
        assert other not in text
        assert f"page {page} of {brief.pages}" in text
    # The header repeats the case title from page 2 on; page 1 has it as the heading.
    second = _poppler("pdftotext", "-f", "2", "-l", "2", brief.pdf, "-")
    assert _normalised(brief.case.context.title) in _normalised(second)


@pytest.mark.slow
@requires_poppler
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_redacted_pdf_shows_no_masked_value_that_the_full_one_shows(
    path: Path, brief_folder: Path
) -> None:
    full = _brief(path, False, brief_folder)
    redacted = _brief(path, True, brief_folder)
    masked = _masked_values(full.case)
    hidden = Disclosure.of(full.case).masked
    names = {t for a in full.case.actors if a.id in hidden for t in (a.name, *a.aliases)}
    assert names and {n for n in names if len(n) >= SHORTEST_MASKED} <= masked
    # A masked actor's name is masked wherever it is written, public fields included; any
    # other sensitive value the case also writes in a public field is public by the
    # author's choice (the brief masks the field, not the words).
    public = _public_text(full.case)
    secret = {value for value in masked if _normalised(value) not in public} | names
    # -layout interleaves the columns of a table row, -raw keeps each cell's lines together:
    # a value is looked for in both, so that wrapping in a narrow cell cannot hide it.
    redacted_texts = [_normalised(redacted.layout_text), _normalised(redacted.raw_text)]
    leaked = sorted(v for v in secret if any(_normalised(v) in t for t in redacted_texts))
    assert not leaked, f"masked values in the redacted PDF: {leaked}"
    # The same search does find them in the full brief, so the check above can fail.
    full_texts = [_normalised(full.layout_text), _normalised(full.raw_text)]
    shown = [v for v in secret if any(_normalised(v) in t for t in full_texts)]
    assert len(shown) >= 3, f"too few masked values in the full PDF to test against: {shown}"
    assert "[redacted]" in redacted.layout_text and "[redacted]" not in full.layout_text


@pytest.mark.slow
@requires_poppler
def test_brief_uses_the_dejavu_fonts_embedded(brief_folder: Path) -> None:
    brief = _brief(EXAMPLES / "somalia-2011.yaml", True, brief_folder)
    rows = _poppler("pdffonts", brief.pdf).splitlines()[2:]
    names = [row.split()[0].replace("-", "") for row in rows]
    assert any("DejaVuSans" in n for n in names) and any("DejaVuSerif" in n for n in names)
    assert all(" yes " in row for row in rows), "every font must be embedded"


@pytest.fixture
def listening_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on the loopback address that records every request it gets."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_no_resource_outside_the_page_is_ever_fetched(
    listening_server: tuple[str, list[str]],
) -> None:
    base, requests = listening_server
    html = f"""<!doctype html><html><head><title>t</title>
    <link rel="stylesheet" href="{base}/style.css">
    <style>@import url("{base}/imported.css");
      @font-face {{ font-family: Remote; src: url("{base}/font.woff"); }}
      p {{ font-family: Remote; background: url("{base}/background.png"); }}</style>
    </head><body>
    <img src="http://example.com/x.png"><img src="{base}/chart.png">
    <img src="file:///etc/hostname"><img src="chart.png">
    <p>text</p></body></html>"""
    with pytest.raises(InvalidInputError) as raised:
        render_pdf(html)
    assert requests == []
    message = str(raised.value)
    for url in (
        "http://example.com/x.png",
        f"{base}/chart.png",
        f"{base}/style.css",
        f"{base}/imported.css",
        f"{base}/font.woff",
        f"{base}/background.png",
        "file:///etc/hostname",
        "chart.png (a relative URL)",
    ):
        assert f"refused to fetch {url}:" in message
    # Extra stylesheets go through the same fetcher.
    with pytest.raises(InvalidInputError, match=r"refused to fetch http://example\.com/b\.css"):
        render_pdf("<p>x</p>", extra_css='@import url("http://example.com/b.css");')
    assert requests == []


@requires_poppler
def test_data_urls_are_served_and_extra_css_applies(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Data only</title></head><body>"
        f'<img src="data:image/png;base64,{TINY_PNG}" style="width:2cm">'
        "<p>hello</p></body></html>"
    )
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(render_pdf(html, extra_css=["@page { size: A5 }", "p { color: red }"]))
    assert "419.528 x 595.276 pts" in _poppler("pdfinfo", pdf)  # A5, in points
    images = [row.split() for row in _poppler("pdfimages", "-list", pdf).splitlines()[2:]]
    assert [row[2] for row in images if row[2] == "image"] == ["image"]
    assert "hello" in _poppler("pdftotext", pdf, "-")


def test_equal_pages_give_equal_bytes_under_source_date_epoch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Where WeasyPrint subsets fonts with fontTools (no HarfBuzz subsetter on the machine),
    # fontTools stamps each subset with the time unless SOURCE_DATE_EPOCH is set.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    html = (
        "<html><head><title>t</title></head><body>"
        f'<img src="data:image/png;base64,{TINY_PNG}"><h1>Same</h1><p>Ébène — straße</p>'
        "</body></html>"
    )
    css = brief_print_css(redacted=True)
    first = render_pdf(html, extra_css=css)
    assert first.startswith(b"%PDF-")
    assert render_pdf(html, extra_css=css) == first
    assert render_pdf(html.replace("Same", "Other"), extra_css=css) != first


def test_print_stylesheet_marks_each_version() -> None:
    assert REDACTED_MARKING in brief_print_css(redacted=True)
    assert REDACTED_MARKING not in brief_print_css(redacted=False)
    assert FULL_MARKING in brief_print_css(redacted=False)
    assert "size: A4" in brief_print_css(redacted=False)
