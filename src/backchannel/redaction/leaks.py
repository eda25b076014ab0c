"""The last check before a redacted output is written: read it back as a reader would.

A redacted document is rendered in full (HTML, JSON, GraphML or GEXF, CSV), then read
back the way its reader's tools would read it: an HTML page's text and every attribute
(entities decoded, the JSON inside a script element parsed), a JSON document's every key
and string (escapes decoded), an XML document's text and attributes, a CSV's cells. Every
piece is searched for the forms a redaction must have removed (``Disclosure.leaks_in``).
If any remains, ``ensure_redacted`` raises ``RedactionLeakError`` and the caller writes
nothing: a redacted document that still names an intermediary is worse than none.

Images are not read: a ``data:`` URL and a long base64 string are pictures, whose pixels a
text search cannot judge (they are drawn from the masked names).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

import defusedxml.ElementTree as safe_xml

from backchannel.csv_records import records_with_lines
from backchannel.errors import Leak, RedactionLeakError
from backchannel.redaction.disclosure import Disclosure

#: A picture embedded in text: a data: URL, or a long run of base64 alone in a value.
_DATA_URL = re.compile(r"data:[\w/+.-]+(?:;[\w=-]+)*(?:;base64)?,[A-Za-z0-9+/=%\s]*")
_BASE64 = re.compile(r"[A-Za-z0-9+/=]{200,}")
#: How much of the text around a form the message quotes.
CONTEXT = 30

#: A piece of an output: where it stands (for the message) and its text.
Piece = tuple[str, str]


def _without_images(text: str) -> str:
    # prose breaks base64's alphabet at every space or stop: a run this long is a picture
    return _BASE64.sub(" ", _DATA_URL.sub(" ", text))


class _PageText(HTMLParser):
    """Collects an HTML page's text, attribute values and script contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[Piece] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag
        for name, value in attrs:
            if value:
                self.pieces.append((f"the {name} attribute of <{tag}>", value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if not data.strip():
            return
        if self._tag == "script":
            try:
                self.pieces.extend(json_pieces(json.loads(data), "a script's JSON"))
                return
            except ValueError:
                pass
        self.pieces.append((f"the text of <{self._tag or 'html'}>", data))

    def handle_comment(self, data: str) -> None:
        self.pieces.append(("an HTML comment", data))


def html_pieces(html: str) -> list[Piece]:
    """An HTML page as its reader meets it: text, attributes, comments, script data."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    return parser.pieces


def json_pieces(value: Any, where: str = "JSON") -> Iterator[Piece]:
    """Every key and string of a JSON value, each with its path."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where} key", str(key)
            yield from json_pieces(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_pieces(item, f"{where}[{index}]")


def xml_pieces(text: str) -> list[Piece]:
    """An XML document's element text and attribute values (GraphML, GEXF)."""
    # our own output, but read with the parser that refuses entities all the same
    root = safe_xml.fromstring(text.encode("utf-8"))
    pieces: list[Piece] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        for name, value in element.attrib.items():
            pieces.append((f"the {name} attribute of <{tag}>", value))
        for part in (element.text, element.tail):
            if part and part.strip():
                pieces.append((f"the text of <{tag}>", part))
    return pieces


def csv_pieces(text: str) -> list[Piece]:
    """Every cell of a CSV text, by the line its record starts on and column; ``csv.Error``
    when the text is not CSV (nothing goes unchecked)."""
    pieces: list[Piece] = []
    for record in records_with_lines(io.StringIO(text, newline="")):
        if record.error is not None:
            raise csv.Error(f"line {record.first_line}: {record.error}")
        pieces += [
            (f"line {record.first_line}, column {column}", cell)
            for column, cell in enumerate(record.fields, 1)
            if cell
        ]
    return pieces


def find_leaks(disclosure: Disclosure, pieces: Iterable[Piece]) -> list[Leak]:
    """Every sensitive form in the pieces of an output, with where it stood."""
    leaks = []
    for where, text in pieces:
        readable = _without_images(text)
        for hit in disclosure.leaks_in(readable):
            leaks.append(Leak(hit.found, hit.whose, where))
    return leaks


def ensure_redacted(disclosure: Disclosure, document: str, pieces: Iterable[Piece]) -> None:
    """Raise ``RedactionLeakError`` naming ``document`` if any piece holds a sensitive form."""
    leaks = find_leaks(disclosure, pieces)
    if leaks:
        raise RedactionLeakError(document, leaks)


def pieces_of(text: str, kind: str) -> list[Piece]:
    """The pieces of an output of ``kind`` (``html``, ``json``, ``xml``, ``csv`` or
    ``text``), plus the raw text itself, so that nothing escapes a parser's view."""
    pieces: list[Piece]
    if kind == "html":
        pieces = html_pieces(text)
    elif kind == "json":
        pieces = list(json_pieces(json.loads(text)))
    elif kind == "xml":
        pieces = xml_pieces(text)
    elif kind == "csv":
        pieces = csv_pieces(text)
    elif kind == "text":
        pieces = []
    else:
        raise ValueError(f"unknown output kind {kind!r}")
    return [*pieces, (f"the {kind} source", text)]


def check_output(disclosure: Disclosure, document: str, text: str, kind: str) -> str:
    """``text`` unchanged if it holds no sensitive form, else ``RedactionLeakError``."""
    ensure_redacted(disclosure, document, pieces_of(text, kind))
    return text
